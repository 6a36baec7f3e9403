package dk.opensts.platform.web;

import dk.opensts.platform.security.Constraints;
import java.beans.PropertyEditorSupport;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.InitBinder;

/**
 * A UUID read from outside only as its canonical text: 8-4-4-4-12 hexadecimal digits (either case).
 *
 * <p>{@link UUID#fromString} also takes shorter groups and reads {@code 1-1-1-1-1} as
 * {@code 00000001-0001-0001-0001-000000000001}, so one object answered to many ids and a text that
 * is not an id was taken for one. Ids in paths and query parameters ({@link Binding}), bodies
 * ({@link StrictJson}), feed rows, import files, page tokens and client ids are read here.
 */
public final class Uuids {

    /** Why a text is not taken as a UUID. */
    public static final String REASON = "not a UUID written out as 8-4-4-4-12 hexadecimal digits";

    private static final Pattern CANONICAL = Pattern.compile(Constraints.UUID_PATTERN);

    private Uuids() {
    }

    /** Whether {@code text} is a UUID written out. */
    public static boolean isCanonical(String text) {
        return text != null && CANONICAL.matcher(text).matches();
    }

    /** {@code text} as a UUID; {@link NotWrittenOut} if it is not one written out. */
    public static UUID parse(String text) {
        if (!isCanonical(text)) {
            throw new NotWrittenOut();
        }
        return UUID.fromString(text);
    }

    /** A JSON value as a UUID: a string written out; {@link NotWrittenOut} for anything else, or none. */
    public static UUID parse(tools.jackson.databind.JsonNode value) {
        return parse(value != null && value.isString() ? value.asString() : null);
    }

    /** A text refused as a UUID; its message is {@link #REASON}. */
    public static final class NotWrittenOut extends IllegalArgumentException {

        NotWrittenOut() {
            super(REASON);
        }
    }

    /**
     * Path variables and query parameters typed {@code UUID}, for every controller. A converter is
     * not enough: when a conversion fails, Spring's binder falls back to its default editor for the
     * type, which is {@link UUID#fromString} again. A blank value is no value, as with Spring's own.
     */
    @ControllerAdvice
    public static class Binding {

        @InitBinder
        public void canonicalUuids(WebDataBinder binder) {
            binder.registerCustomEditor(UUID.class, new PropertyEditorSupport() {
                @Override
                public void setAsText(String text) {
                    setValue(text == null || text.isBlank() ? null : parse(text));
                }

                @Override
                public String getAsText() {
                    return getValue() == null ? "" : getValue().toString();
                }
            });
        }
    }
}
