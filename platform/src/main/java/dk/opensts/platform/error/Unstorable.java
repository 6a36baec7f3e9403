package dk.opensts.platform.error;

import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * Input PostgreSQL cannot store though it parses: text with the NUL character (U+0000), which neither
 * {@code text} nor {@code jsonb} holds, though JSON (the escape backslash-u0000), CSV and URLs
 * ({@code %00}) can carry it; and times outside the years 1 to 9999 (ISO 8601's four-digit years;
 * {@code timestamptz} ends in 294276, Java's {@code Instant} goes much further). Such input is refused
 * as invalid, never met as a server error: by the parsers that can name the place (a field, a feed's
 * row, a query parameter), and by {@link ProblemHandler} when the database is the first to refuse it
 * (SQLSTATE 22P05 from {@code jsonb}, 22021 from {@code text}, 22008 for a time out of range).
 */
public final class Unstorable {

    /** The first instant accepted: 0001-01-01T00:00:00Z. */
    public static final Instant FIRST = Instant.parse("0001-01-01T00:00:00Z");
    /** The first instant no longer accepted: 10000-01-01T00:00:00Z. */
    public static final Instant END = Instant.parse("+10000-01-01T00:00:00Z");
    /** Why a time is refused, after the name of its field. */
    public static final String TIME_REASON = "lies outside the years 1 to 9999";

    /** Why a text is refused, after the name of its field or row. */
    public static final String NUL_REASON = "contains the NUL character (U+0000), which cannot be stored";

    private Unstorable() {
    }

    /** Whether {@code s} holds a NUL character. */
    public static boolean hasNul(String s) {
        return s != null && s.indexOf('\0') >= 0;
    }

    /**
     * The JSON pointer of the first string value or field name in {@code node} that holds a NUL
     * character, or {@code null} when none does.
     */
    public static String nulAt(JsonNode node) {
        return nulAt(node, "");
    }

    /** The same within {@code node}, which lies at JSON pointer {@code at} of its document. */
    public static String nulAt(JsonNode node, String at) {
        if (node.isString()) {
            return hasNul(node.asString()) ? (at.isEmpty() ? "/" : at) : null;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String here = at + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
                if (hasNul(e.getKey())) {
                    return here;
                }
                String inside = nulAt(e.getValue(), here);
                if (inside != null) {
                    return inside;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String inside = nulAt(node.get(i), at + "/" + i);
                if (inside != null) {
                    return inside;
                }
            }
        }
        return null;
    }

    /** Refuses a request body that holds such text, naming the field (422 {@code VALIDATION_FAILED}). */
    public static void refuseNul(JsonNode body) {
        String at = nulAt(body);
        if (at != null) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, at, NUL_REASON);
        }
    }

    /** Whether {@code t} lies within the years 1 to 9999. */
    public static boolean inRange(Instant t) {
        return !t.isBefore(FIRST) && t.isBefore(END);
    }

    /** Whether {@code value}, a time of one of the {@code java.time} types bodies carry, lies within the years 1 to 9999. */
    static boolean inRange(Object value) {
        if (value instanceof Instant t) {
            return inRange(t);
        }
        if (value instanceof OffsetDateTime t) {
            return inRange(t.toInstant());
        }
        if (value instanceof ZonedDateTime t) {
            return inRange(t.toInstant());
        }
        if (value instanceof LocalDate d) {
            return d.getYear() >= 1 && d.getYear() <= 9999;
        }
        if (value instanceof LocalDateTime d) {
            return d.getYear() >= 1 && d.getYear() <= 9999;
        }
        return true;
    }

    /**
     * Jackson's reading of every JSON body: times of {@code java.time} beyond the years 1 to 9999 are
     * refused naming their field (422 {@code VALIDATION_FAILED}, through {@link ProblemHandler#describe}).
     */
    public static JacksonModule timesInRange() {
        SimpleModule module = new SimpleModule("opensts-times-in-range");
        module.setDeserializerModifier(new ValueDeserializerModifier() {
            @Override
            public ValueDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription.Supplier beanDesc,
                                                           ValueDeserializer<?> deserializer) {
                Class<?> type = beanDesc.getBeanClass();
                return type == Instant.class || type == OffsetDateTime.class || type == ZonedDateTime.class
                        || type == LocalDate.class || type == LocalDateTime.class ? new InRange(deserializer) : deserializer;
            }
        });
        return module;
    }

    /** A {@code java.time} deserializer whose values must lie within the years 1 to 9999. */
    private static final class InRange extends DelegatingDeserializer {

        InRange(ValueDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
            return new InRange(delegate);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) {
            Object value = super.deserialize(p, ctxt);
            if (!inRange(value)) {
                throw new ApiException(ErrorCode.VALIDATION_FAILED, TIME_REASON);
            }
            return value;
        }
    }

    /** Whether the database refused a write or query because of such input (anywhere in the causes). */
    public static boolean isCause(Throwable e) {
        return state(e) != null;
    }

    private static String state(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // 22P05 untranslatable_character: jsonb's "unsupported Unicode escape sequence";
            // 22021 character_not_in_repertoire: "invalid byte sequence for encoding UTF8: 0x00";
            // 22008 datetime_field_overflow: "timestamp out of range"
            if (t instanceof SQLException s && s.getSQLState() != null
                    && List.of("22P05", "22021", "22008").contains(s.getSQLState())) {
                return s.getSQLState();
            }
        }
        return null;
    }

    /** The refusal for a request or message with input the database refused ({@link #isCause}). */
    public static ApiException refusal(Throwable e) {
        return new ApiException(ErrorCode.VALIDATION_FAILED, "22008".equals(state(e))
                ? "A date or time " + TIME_REASON : "A text value " + NUL_REASON);
    }
}
