package dk.opensts.platform.error;

import java.sql.SQLException;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Text PostgreSQL cannot store: the NUL character (U+0000), which neither {@code text} nor
 * {@code jsonb} holds, though JSON (the escape backslash-u0000), CSV and URLs ({@code %00}) can carry it.
 * Input holding one is refused as invalid input, never met as a server error: by the parsers that
 * can name the place (a feed's row, a query parameter), and by {@link ProblemHandler} when the
 * database refuses it (SQLSTATE 22P05 from {@code jsonb}, 22021 from {@code text}).
 */
public final class UnstorableText {

    /** Why such a value is refused, after the name of its field or row. */
    public static final String REASON = "contains the NUL character (U+0000), which cannot be stored";

    private UnstorableText() {
    }

    /** Whether {@code s} holds a NUL character. */
    public static boolean contains(String s) {
        return s != null && s.indexOf('\0') >= 0;
    }

    /**
     * The JSON pointer of the first string value or field name in {@code node} that holds a NUL
     * character, or {@code null} when none does.
     */
    public static String pointer(JsonNode node) {
        return pointer(node, "");
    }

    /** The same within {@code node}, which lies at JSON pointer {@code at} of its document. */
    public static String pointer(JsonNode node, String at) {
        if (node.isString()) {
            return contains(node.asString()) ? (at.isEmpty() ? "/" : at) : null;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String here = at + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
                if (contains(e.getKey())) {
                    return here;
                }
                String inside = pointer(e.getValue(), here);
                if (inside != null) {
                    return inside;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String inside = pointer(node.get(i), at + "/" + i);
                if (inside != null) {
                    return inside;
                }
            }
        }
        return null;
    }

    /** Refuses a request body that holds such text, naming the field (422 {@code VALIDATION_FAILED}). */
    public static void check(JsonNode body) {
        String at = pointer(body);
        if (at != null) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, at, REASON);
        }
    }

    /** Whether the database refused a write or query because of such text (anywhere in the causes). */
    public static boolean isCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && isNulState(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isNulState(String state) {
        // 22P05 untranslatable_character: jsonb's "unsupported Unicode escape sequence";
        // 22021 character_not_in_repertoire: "invalid byte sequence for encoding UTF8: 0x00"
        return "22P05".equals(state) || "22021".equals(state);
    }

    /** The refusal for a request or message whose text the database refused. */
    public static ApiException refusal() {
        return new ApiException(ErrorCode.VALIDATION_FAILED, "A text value " + REASON);
    }
}
