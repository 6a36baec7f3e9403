package dk.opensts.platform.error;

import java.util.List;
import java.util.Map;

/**
 * A refusal with a stable {@link ErrorCode}, rendered as RFC 9457 problem+json. Thrown before
 * anything is written, or inside the transaction so that the write is rolled back.
 */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final List<FieldProblem> fields;
    private final Map<String, Object> extra;

    public ApiException(ErrorCode code, String detail) {
        this(code, detail, List.of(), Map.of());
    }

    public ApiException(ErrorCode code, String detail, List<FieldProblem> fields) {
        this(code, detail, fields, Map.of());
    }

    public ApiException(ErrorCode code, String detail, List<FieldProblem> fields, Map<String, Object> extra) {
        super(detail);
        this.code = code;
        this.fields = List.copyOf(fields);
        this.extra = Map.copyOf(extra);
    }

    public static ApiException field(ErrorCode code, String field, String reason) {
        return new ApiException(code, field + ": " + reason, List.of(new FieldProblem(field, reason)));
    }

    public static ApiException notFound(String what, Object id) {
        return new ApiException(ErrorCode.NOT_FOUND, what + " " + id + " does not exist");
    }

    public ErrorCode code() {
        return code;
    }

    public List<FieldProblem> fields() {
        return fields;
    }

    public Map<String, Object> extra() {
        return extra;
    }
}
