package dk.opensts.platform.error;

import org.springframework.http.HttpStatus;

/**
 * The stable error codes of every OpenSTS API. Clients switch on {@code code}, never on the
 * human-readable text; a code, once published, keeps its meaning.
 */
public enum ErrorCode {
    /**
     * The request is not well-formed HTTP (its request line, URL or a header could not be read) and
     * was refused by the web server before any API saw it; the status is 400 unless HTTP has a more
     * precise one (501 for a transfer coding the server does not implement, 505 for an HTTP version).
     */
    MALFORMED_REQUEST(HttpStatus.BAD_REQUEST),
    /** The body is not well-formed JSON, CSV or XML. */
    MALFORMED_BODY(HttpStatus.BAD_REQUEST),
    /** The body names a field the resource does not have. */
    UNKNOWN_FIELD(HttpStatus.BAD_REQUEST),
    /** A field holds a value of the wrong type (text where a number or UUID belongs). */
    WRONG_TYPE(HttpStatus.BAD_REQUEST),
    /** A query parameter or header is malformed. */
    INVALID_PARAMETER(HttpStatus.BAD_REQUEST),
    /** A required field is missing or a value breaks a rule of the resource. */
    VALIDATION_FAILED(HttpStatus.UNPROCESSABLE_CONTENT),
    /** A valid period or time range whose start lies after its end. */
    INVALID_PERIOD(HttpStatus.UNPROCESSABLE_CONTENT),
    /** A reference to an object that does not exist (or not in that period, or not of that type). */
    BROKEN_REFERENCE(HttpStatus.UNPROCESSABLE_CONTENT),
    /** A hierarchy change that would make an object its own ancestor. */
    HIERARCHY_CYCLE(HttpStatus.UNPROCESSABLE_CONTENT),
    /** A bulk import row is malformed; the whole import is rejected. */
    IMPORT_REJECTED(HttpStatus.UNPROCESSABLE_CONTENT),
    /**
     * A batch whose {@code Content-Digest} or {@code Item-Count} does not match its body, or whose body
     * was cut short: the whole batch is rejected, nothing in it is written.
     */
    BATCH_INTEGRITY(HttpStatus.BAD_REQUEST),
    /** The body is larger than the endpoint accepts. */
    TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE),
    /** The object does not exist (as of the asked time). */
    NOT_FOUND(HttpStatus.NOT_FOUND),
    /** The object has been passivated; read it with an earlier {@code knownAt}. */
    PASSIVATED(HttpStatus.NOT_FOUND),
    /** The object has been deleted. */
    GONE(HttpStatus.GONE),
    /** {@code If-Match} names a version that is no longer the current one. */
    STALE_VERSION(HttpStatus.CONFLICT),
    /** A change that requires {@code If-Match} was sent without it. */
    PRECONDITION_REQUIRED(HttpStatus.PRECONDITION_REQUIRED),
    /** A unique key (user key, CVR, source system + local id) is already taken. */
    DUPLICATE(HttpStatus.CONFLICT),
    /** Work that runs one at a time for its target (a dueslag's replay) is running; the problem names it. */
    ALREADY_RUNNING(HttpStatus.CONFLICT),
    /** The same {@code Idempotency-Key} was reused for a different request. */
    IDEMPOTENCY_KEY_REUSED(HttpStatus.UNPROCESSABLE_CONTENT),
    /** No or an invalid bearer token. */
    UNAUTHENTICATED(HttpStatus.UNAUTHORIZED),
    /** The token lacks the role for the operation, or the data belongs to another municipality. */
    FORBIDDEN(HttpStatus.FORBIDDEN),
    /** The HTTP method is not supported on the resource. */
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED),
    /** The media type of the body is not supported. */
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE),
    /** The request took too long in the database and was cancelled. */
    TIMEOUT(HttpStatus.SERVICE_UNAVAILABLE),
    /** An unexpected fault; the correlation id finds it in the log. */
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR);

    private final HttpStatus status;

    ErrorCode(HttpStatus status) {
        this.status = status;
    }

    public HttpStatus status() {
        return status;
    }

    /** The problem type URI; the codes are listed in docs/api.md, section Errors. */
    public String typeUri() {
        return "https://opensts.dk/problems/" + name().toLowerCase().replace('_', '-');
    }
}
