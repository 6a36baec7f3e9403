package dk.opensts.platform.error;

/** One offending field (a JSON pointer like {@code /parent} or a row/column of an import). */
public record FieldProblem(String field, String reason) {
}
