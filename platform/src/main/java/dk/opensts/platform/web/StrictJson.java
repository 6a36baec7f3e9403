package dk.opensts.platform.web;

import java.util.UUID;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

/**
 * How the API reads a body into its records: a field it does not have, a null where a number or a
 * truth value belongs, a number or true/false where a text belongs ({@code "name": true} was stored as
 * the text {@code "true"}), and an id that is not a UUID written out ({@code 8-4-4-4-12} hexadecimal
 * digits; Jackson also reads 22 or 24 characters of base64, so the number {@code 1180591620717411303424}
 * was taken as a message id) are all refused, and {@link dk.opensts.platform.error.ProblemHandler#describe}
 * names the field. Texts are still read into numbers, as the XML form of a message holds only texts.
 */
public final class StrictJson {

    private StrictJson() {
    }

    /** {@code json}, with its modules and settings, reading strictly. */
    public static JsonMapper of(JsonMapper json) {
        return json.rebuild()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .withCoercionConfig(LogicalType.Textual, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .addModule(new SimpleModule("opensts-strict-uuid").addDeserializer(UUID.class, new CanonicalUuid()))
                .build();
    }

    /** A UUID only as its canonical text. */
    static final class CanonicalUuid extends StdScalarDeserializer<UUID> {

        CanonicalUuid() {
            super(UUID.class);
        }

        @Override
        public UUID deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return (UUID) ctxt.handleUnexpectedToken(UUID.class, p);
            }
            String text = p.getString();
            if (!Uuids.isCanonical(text)) {
                return (UUID) ctxt.handleWeirdStringValue(UUID.class, text, Uuids.REASON);
            }
            return UUID.fromString(text);
        }
    }
}
