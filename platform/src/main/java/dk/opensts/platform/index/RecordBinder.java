package dk.opensts.platform.index;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.FieldProblem;
import dk.opensts.platform.error.ProblemHandler;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Binds a published record strictly (unknown fields, wrong types and nulls for required values are
 * refused naming the field), checks its bean-validation rules, and writes its canonical JSON (field
 * order of the record type), which {@link Publication#hash} compares.
 */
public class RecordBinder {

    private final JsonMapper strict;
    private final JsonMapper json;
    private final Validator validator;

    public RecordBinder(JsonMapper json, Validator validator) {
        this.json = json;
        this.strict = dk.opensts.platform.web.StrictJson.of(json);
        this.validator = validator;
    }

    public <T> T bind(JsonNode node, Class<T> type) {
        T value;
        try {
            value = strict.treeToValue(node, type);
        } catch (RuntimeException e) {
            throw ProblemHandler.describe(e);
        }
        if (value == null) {
            // the JSON literal null (or nothing) where a record belongs
            throw new ApiException(ErrorCode.MALFORMED_BODY, ProblemHandler.NOT_AN_OBJECT);
        }
        List<FieldProblem> problems = new ArrayList<>();
        for (ConstraintViolation<T> v : validator.validate(value)) {
            problems.add(new FieldProblem("/" + v.getPropertyPath().toString().replace('.', '/')
                    .replaceAll("\\[(\\d+)]", "/$1"), v.getMessage()));
        }
        if (!problems.isEmpty()) {
            problems.sort(Comparator.comparing(FieldProblem::field));
            throw new ApiException(ErrorCode.VALIDATION_FAILED, problems.get(0).field() + " " + problems.get(0).reason(),
                    problems);
        }
        return value;
    }

    public String canonical(Object value) {
        return json.writeValueAsString(value);
    }

    public JsonMapper json() {
        return json;
    }
}
