package dk.opensts.platform.index;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.FieldProblem;
import dk.opensts.platform.error.ProblemHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One line of an index batch: {@code {"op":"import","type":"case","localId":"S-1","data":{...}}},
 * or for a removal {@code {"op":"remove","type":"case","localId":"S-1","version":4}}.
 *
 * @param line    1-based position in the batch
 * @param version the publisher's version (removals; imports and updates carry it in {@code data})
 */
public record BatchItem(int line, Publication.Op op, String type, String localId, Integer version, ObjectNode data) {

    private static final java.util.Set<String> FIELDS = java.util.Set.of("op", "type", "localId", "version", "data");

    /** Parses one line; a malformed line is answered for that item alone. */
    public static BatchItem parse(int line, String text, JsonMapper json, java.util.Set<String> types) {
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (RuntimeException e) {
            throw ProblemHandler.describe(e);
        }
        if (!(node instanceof ObjectNode o)) {
            throw new ApiException(ErrorCode.MALFORMED_BODY, "Each line must be a JSON object");
        }
        for (String name : o.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw ApiException.field(ErrorCode.UNKNOWN_FIELD, "/" + name, "unknown field");
            }
        }
        Publication.Op op;
        try {
            op = Publication.Op.valueOf(text(o, "op").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/op", "must be import, update or remove");
        }
        String type = text(o, "type");
        if (!types.contains(type)) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/type", "must be one of " + types);
        }
        String localId = text(o, "localId");
        Integer version = null;
        JsonNode v = o.get("version");
        if (v != null && !v.isNull()) {
            if (!v.isInt()) {
                throw ApiException.field(ErrorCode.WRONG_TYPE, "/version", "must be an integer");
            }
            version = v.intValue();
        }
        JsonNode data = o.get("data");
        if (op == Publication.Op.REMOVE) {
            if (version == null) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/version", "a removal names the version it removes");
            }
            if (data != null && !data.isNull()) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/data", "a removal carries no data");
            }
            return new BatchItem(line, op, type, localId, version, null);
        }
        if (!(data instanceof ObjectNode d)) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/data", "must be the record as a JSON object");
        }
        if (version != null) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/version", "an import or update carries its version in data");
        }
        return new BatchItem(line, op, type, localId, null, d);
    }

    private static String text(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull() || !n.isString() || n.asString().isBlank()) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/" + field, "required text");
        }
        return n.asString();
    }

    /** Checks a publisher's local id: 1 to 200 visible characters. */
    public static String localId(String field, String localId) {
        if (localId == null || localId.isBlank() || localId.length() > 200 || !localId.matches("[\\x21-\\x7E]+")) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, field, "1 to 200 visible ASCII characters");
        }
        return localId;
    }

    /**
     * The answer for one item: its outcome, or the problem it was refused with (the same
     * problem+json members a single request would get).
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record Result(int line, String type, String localId, int status, String outcome, UUID id, Integer version,
                         Map<String, Object> problem) {

        public static Result done(BatchItem item, Publication.Outcome outcome, UUID id, int version) {
            return new Result(item.line(), item.type(), item.localId(),
                    outcome == Publication.Outcome.CREATED ? 201 : 200, outcome.name(), id, version, null);
        }

        public static Result failed(int line, String type, String localId, ApiException e) {
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("type", e.code().typeUri());
            problem.put("status", e.code().status().value());
            problem.put("code", e.code().name());
            problem.put("detail", e.getMessage());
            List<FieldProblem> fields = e.fields();
            if (!fields.isEmpty()) {
                problem.put("errors", fields.stream().map(f -> Map.of("field", f.field(), "reason", f.reason())).toList());
            }
            problem.putAll(e.extra());
            return new Result(line, type, localId, e.code().status().value(), "FAILED", null, null, problem);
        }
    }

    /** The answer to a batch: one result per item, in order, and the counts. */
    public record Answer(int items, Map<String, Integer> outcomes, List<Result> results) {

        public static Answer of(List<Result> results) {
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (Result r : results) {
                counts.merge(r.outcome(), 1, Integer::sum);
            }
            return new Answer(results.size(), counts, results);
        }
    }
}
