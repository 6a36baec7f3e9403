package dk.opensts.platform.error;

import dk.opensts.platform.web.Correlation;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.web.ErrorProperties;
import org.springframework.boot.webmvc.autoconfigure.error.BasicErrorController;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorViewResolver;
import org.springframework.boot.webmvc.error.ErrorAttributes;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/**
 * The servlet container's error page ({@code /error}) for programs: problem+json with a stable code
 * and the request's correlation id, like every other refusal. It answers what no controller or
 * {@link ProblemHandler} saw: a method the web server refuses ({@code TRACE}), an exception thrown
 * by a filter. Spring Boot's default answered those with its own JSON
 * ({@code timestamp, status, error, path}). Browsers still get Spring Boot's HTML page.
 */
public class ProblemErrorController extends BasicErrorController {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

    public ProblemErrorController(ErrorAttributes errorAttributes, ErrorProperties properties,
                                  List<ErrorViewResolver> resolvers) {
        super(errorAttributes, properties, resolvers);
    }

    @Override
    public ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
        HttpStatus status = getStatus(request);
        if (status == HttpStatus.NO_CONTENT) {
            return new ResponseEntity<>(status);
        }
        String correlation = correlation(request);
        ErrorCode code = codeOf(status.value());
        String detail = detailOf(code, "The request could not be read");
        if (status.is5xxServerError()) {
            // the container has logged the exception with its stack trace, but without the correlation id
            log.error("error page {} [correlation {}]: {}", status.value(), correlation,
                    request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
        }
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        ProblemDetail p = ProblemHandler.body(code, detail, List.of(), Map.of(), null);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", p.getType().toString());
        body.put("title", status.getReasonPhrase());
        body.put("status", status.value());
        body.put("detail", p.getDetail());
        if (uri instanceof String path && !path.isEmpty()) {
            body.put("instance", path);
        }
        body.put("code", code.name());
        body.put("correlationId", correlation);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .header(Correlation.HEADER, correlation).body(body);
    }

    /**
     * The code of an error only the web server or the servlet container saw: the status's own code,
     * {@code MALFORMED_REQUEST} for any other refusal of the request, {@code INTERNAL} for a fault.
     */
    public static ErrorCode codeOf(int status) {
        return switch (status) {
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 501, 505 -> ErrorCode.MALFORMED_REQUEST;
            default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.MALFORMED_REQUEST;
        };
    }

    /**
     * The detail of such an error: {@code unreadable} for a request that could not be read, the
     * fault's for {@code INTERNAL}, else the status's reason phrase.
     */
    public static String detailOf(ErrorCode code, String unreadable) {
        return code == ErrorCode.MALFORMED_REQUEST ? unreadable
                : code == ErrorCode.INTERNAL ? ProblemHandler.UNEXPECTED : code.status().getReasonPhrase();
    }

    /**
     * The id the request was given as it came in; for a request the web server refused before any
     * filter ran (TRACE, say), the caller's own if it is safe to echo, else a new one.
     */
    private static String correlation(HttpServletRequest request) {
        Object id = request.getAttribute(Correlation.ATTRIBUTE);
        if (id instanceof String s) {
            return s;
        }
        String logged = MDC.get(Correlation.MDC_KEY);
        return Correlation.accept(logged != null ? logged : request.getHeader(Correlation.HEADER));
    }
}
