package dk.opensts.platform.error;

import dk.opensts.platform.web.Correlation;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.CurrentActor;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Turns every refusal into RFC 9457 {@code application/problem+json} with a stable {@code code},
 * the correlation id and, where known, the offending fields.
 */
@RestControllerAdvice
public class ProblemHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    private final org.springframework.beans.factory.ObjectProvider<SecurityLog> securityLog;

    public ProblemHandler(org.springframework.beans.factory.ObjectProvider<SecurityLog> securityLog) {
        this.securityLog = securityLog;
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e, HttpServletRequest request) {
        return problem(e.code(), e.getMessage(), e.fields(), e.extra(), request);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e, HttpServletRequest request) {
        if (e.getCause() == null) {
            // Spring's own refusal of a required body that is missing or the JSON literal null
            return api(new ApiException(ErrorCode.MALFORMED_BODY, NOT_AN_OBJECT), request);
        }
        return toProblem(e.getMostSpecificCause(), request);
    }

    /** The detail for a body that is empty, null or JSON of another kind where an object belongs. */
    public static final String NOT_AN_OBJECT = "The body must be a JSON object";

    /** Jackson's words for a member named twice in one object. */
    private static final java.util.regex.Pattern DUPLICATE = java.util.regex.Pattern.compile("Duplicate Object property \"(.*)\"");

    /** A query parameter Tomcat could not decode: its percent-encoding is not of UTF-8 text. */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ResponseEntity<ProblemDetail> undecodable(org.apache.tomcat.util.http.InvalidParameterException e,
                                              HttpServletRequest request) {
        return problem(ErrorCode.INVALID_PARAMETER, "A query parameter could not be decoded: its percent-encoding"
                + " (such as %FF) is not of UTF-8 text", List.of(), Map.of(), request);
    }

    @ExceptionHandler(JacksonException.class)
    ResponseEntity<ProblemDetail> jackson(JacksonException e, HttpServletRequest request) {
        return toProblem(e, request);
    }

    private ResponseEntity<ProblemDetail> toProblem(Throwable cause, HttpServletRequest request) {
        return api(describe(cause), request);
    }

    /**
     * "The member "x" appears twice in one object" when the parser refused a member named twice
     * (STRICT_DUPLICATE_DETECTION: not read last-wins), else {@code null}.
     */
    public static String memberTwice(Throwable cause) {
        java.util.regex.Matcher m = cause instanceof StreamReadException r && r.getOriginalMessage() != null
                ? DUPLICATE.matcher(r.getOriginalMessage()) : null;
        return m != null && m.lookingAt() ? "The member \"" + m.group(1) + "\" appears twice in one object" : null;
    }

    /**
     * A body that could not be read (bad JSON, unknown field, wrong type, null where a value
     * belongs) as the refusal the API answers with, naming the field. Batch endpoints use it to
     * answer per item exactly as a single request would be answered.
     */
    public static ApiException describe(Throwable cause) {
        if (cause instanceof ApiException a) {
            return a;
        }
        if (Unstorable.isCause(cause)) {
            return Unstorable.refusal(cause);
        }
        if (cause instanceof JacksonException j && j.getCause() instanceof ApiException a && !j.getPath().isEmpty()) {
            // a refusal of a value's reader (a time out of range): named by the field it is in
            return ApiException.field(a.code(), pointer(j), a.getMessage());
        }
        if (cause instanceof UnrecognizedPropertyException u) {
            String field = pointer(u);
            return new ApiException(ErrorCode.UNKNOWN_FIELD, "Unknown field " + field,
                    List.of(new FieldProblem(field, "unknown field")));
        }
        if (cause instanceof InvalidNullException n) {
            String field = pointer(n);
            return new ApiException(ErrorCode.VALIDATION_FAILED, field + " must not be null",
                    List.of(new FieldProblem(field, "must not be null")));
        }
        if (cause instanceof MismatchedInputException m && m.getPath().isEmpty() && m.getTargetType() != null
                && !java.util.Collection.class.isAssignableFrom(m.getTargetType()) && !m.getTargetType().isArray()) {
            // well-formed JSON, but an array, a text or a number where the body is one object
            return new ApiException(ErrorCode.MALFORMED_BODY, NOT_AN_OBJECT);
        }
        if (cause instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String field = pointer(m);
            String expected = m.getTargetType() == null ? "another type" : m.getTargetType().getSimpleName();
            return new ApiException(ErrorCode.WRONG_TYPE, field + " has the wrong type; expected " + expected,
                    List.of(new FieldProblem(field, "expected " + expected)));
        }
        if (cause instanceof StreamConstraintsException) {
            // nesting, a number or a text beyond the parser's limits: what it met and the limit, not its API's names
            return new ApiException(ErrorCode.MALFORMED_BODY, "The body is beyond what the API reads: "
                    + firstLine(cause.getMessage()).replaceAll(", from `[^`]*`\\)", ")"));
        }
        String twice = memberTwice(cause);
        if (twice != null) {
            return new ApiException(ErrorCode.MALFORMED_BODY, twice);
        }
        if (cause instanceof StreamReadException || cause instanceof MismatchedInputException) {
            return new ApiException(ErrorCode.MALFORMED_BODY,
                    "The body is not well-formed JSON: " + firstLine(cause.getMessage()));
        }
        if (cause instanceof JacksonException j && !j.getPath().isEmpty()) {
            String field = pointer(j);
            String reason = firstLine(j.getOriginalMessage());
            return new ApiException(ErrorCode.WRONG_TYPE, field + ": " + reason,
                    List.of(new FieldProblem(field, reason)));
        }
        if (cause instanceof IllegalArgumentException) {
            return new ApiException(ErrorCode.VALIDATION_FAILED, cause.getMessage());
        }
        if (cause != null && cause.getCause() != null && cause.getCause() != cause) {
            return describe(cause.getCause());
        }
        return new ApiException(ErrorCode.MALFORMED_BODY, "The body could not be read");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> badParameter(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        Throwable root = e.getMostSpecificCause();
        String reason = root instanceof ApiException || root instanceof dk.opensts.platform.web.Uuids.NotWrittenOut
                ? root.getMessage() : "invalid value '" + e.getValue() + "'";
        return problem(ErrorCode.INVALID_PARAMETER, e.getName() + ": " + reason,
                List.of(new FieldProblem(e.getName(), reason)), Map.of(), request);
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ProblemDetail> missingParameter(MissingServletRequestParameterException e, HttpServletRequest request) {
        return problem(ErrorCode.INVALID_PARAMETER, "Missing parameter " + e.getParameterName(),
                List.of(new FieldProblem(e.getParameterName(), "required")), Map.of(), request);
    }

    @ExceptionHandler(MissingRequestHeaderException.class)
    ResponseEntity<ProblemDetail> missingHeader(MissingRequestHeaderException e, HttpServletRequest request) {
        ErrorCode code = "If-Match".equalsIgnoreCase(e.getHeaderName())
                ? ErrorCode.PRECONDITION_REQUIRED : ErrorCode.INVALID_PARAMETER;
        return problem(code, "Missing header " + e.getHeaderName(),
                List.of(new FieldProblem(e.getHeaderName(), "required")), Map.of(), request);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ProblemDetail> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        return problem(ErrorCode.METHOD_NOT_ALLOWED, e.getMessage(), List.of(), Map.of(), request);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ProblemDetail> media(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
        return problem(ErrorCode.UNSUPPORTED_MEDIA_TYPE, e.getMessage(), List.of(), Map.of(), request);
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ProblemDetail> noResource(NoResourceFoundException e, HttpServletRequest request) {
        return problem(ErrorCode.NOT_FOUND, "No such resource " + request.getRequestURI(), List.of(), Map.of(), request);
    }

    @ExceptionHandler({AccessDeniedException.class, AuthorizationDeniedException.class})
    ResponseEntity<ProblemDetail> denied(RuntimeException e, HttpServletRequest request) {
        return problem(ErrorCode.FORBIDDEN, "The token does not grant this operation", List.of(), Map.of(), request);
    }

    @ExceptionHandler(DuplicateKeyException.class)
    ResponseEntity<ProblemDetail> duplicate(DuplicateKeyException e, HttpServletRequest request) {
        log.info("duplicate key: {}", e.getMostSpecificCause().getMessage());
        return problem(ErrorCode.DUPLICATE, "An object with the same unique key exists", List.of(), Map.of(), request);
    }

    @ExceptionHandler(QueryTimeoutException.class)
    ResponseEntity<ProblemDetail> timeout(QueryTimeoutException e, HttpServletRequest request) {
        return problem(ErrorCode.TIMEOUT, "The query took too long and was cancelled", List.of(), Map.of(), request);
    }

    /** Spring Security's firewall refused a value the request holds (a NUL character in a parameter, say). */
    @ExceptionHandler(RequestRejectedException.class)
    ResponseEntity<ProblemDetail> rejected(RequestRejectedException e, HttpServletRequest request) {
        return problem(ErrorCode.INVALID_PARAMETER, REJECTED, List.of(), Map.of(), request);
    }

    /** The detail of an unexpected fault (500), whose correlation id finds it in the log. */
    public static final String UNEXPECTED = "Unexpected error; quote the correlation id";

    /** What {@link #rejected} and the firewall's refusals before any controller answer. */
    public static final String REJECTED = "The request was refused: its path, a header or a parameter holds what is"
            + " not allowed (such as a semicolon or an encoded slash in the path, a control character, or the NUL"
            + " character U+0000 in a parameter value)";

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
        if (Unstorable.isCause(e)) {
            // a value the database cannot hold that no parser before it named: refused, nothing written
            log.info("refused a value the database cannot hold [correlation {}]: {}", Correlation.current(), e.toString());
            return api(Unstorable.refusal(e), request);
        }
        log.error("unexpected error [correlation {}]", Correlation.current(), e);
        return problem(ErrorCode.INTERNAL, UNEXPECTED, List.of(), Map.of(), request);
    }

    public static ProblemDetail body(ErrorCode code, String detail, List<FieldProblem> fields,
                                     Map<String, Object> extra, String instance) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(code.status(), detail);
        p.setType(URI.create(code.typeUri()));
        p.setTitle(HttpStatus.valueOf(code.status().value()).getReasonPhrase());
        if (instance != null) {
            p.setInstance(URI.create(instance));
        }
        p.setProperty("code", code.name());
        p.setProperty("correlationId", Correlation.current());
        if (!fields.isEmpty()) {
            List<Map<String, String>> list = new ArrayList<>();
            fields.forEach(f -> list.add(Map.of("field", f.field(), "reason", f.reason())));
            p.setProperty("errors", list);
        }
        extra.forEach(p::setProperty);
        return p;
    }

    private ResponseEntity<ProblemDetail> problem(ErrorCode code, String detail, List<FieldProblem> fields,
                                                  Map<String, Object> extra, HttpServletRequest request) {
        if (code == ErrorCode.FORBIDDEN) {
            // an authenticated caller refused an operation or data: an authorisation failure
            Actor actor = CurrentActor.get();
            securityLog.ifAvailable(l -> l.denied(SecurityEventType.ACCESS_DENIED,
                    new SecurityLog.Subject(actor.id(), actor.id(), actor.municipality()), detail,
                    Map.of("method", request.getMethod(), "path", request.getRequestURI())));
        }
        return ResponseEntity.status(code.status())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(body(code, detail, fields, extra, request.getRequestURI()));
    }

    private static String pointer(JacksonException e) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            sb.append('/');
            if (ref.getPropertyName() != null) {
                sb.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append(ref.getIndex());
            }
        }
        return sb.isEmpty() ? "/" : sb.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
