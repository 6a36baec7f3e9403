package dk.opensts.platform.web;

import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import java.util.Iterator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Describes JSON trees in the OpenAPI document as what they carry: a {@code JsonNode} (a payload)
 * as any JSON value, an {@code ObjectNode} as a JSON object, an {@code ArrayNode} as a JSON array.
 * Read as beans, a tree came out as an object of the tree's own getters ({@code nodeType},
 * {@code bigDecimal}, ...), and reading {@code ObjectNode} so logged a stack trace for every
 * document served. Resolved here, before the document's other model converters see them.
 */
public class JsonTreeSchemas implements ModelConverter {

    @Override
    public Schema<?> resolve(AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
        Class<?> raw = Json.mapper().constructType(type.getType()).getRawClass();
        if (ObjectNode.class.isAssignableFrom(raw)) {
            return new ObjectSchema().description("a JSON object");
        }
        if (ArrayNode.class.isAssignableFrom(raw)) {
            return new ArraySchema().items(new Schema<>()).description("a JSON array");
        }
        if (JsonNode.class.isAssignableFrom(raw)) {
            return new Schema<>().description("any JSON value");
        }
        return chain.hasNext() ? chain.next().resolve(type, context, chain) : null;
    }
}
