package dk.opensts.platform.registry;

import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.converter.ResolvedSchema;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.ComposedSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.List;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * Completes the OpenAPI document for the generic registry resources, whose handlers take and give
 * JSON trees: per object type, the schemas of its attributes (from the attribute record and its
 * validation annotations), of the object as read, of a write and of a search page, set on each
 * operation; and the problem+json schema of every error answer.
 */
public class RegistryOpenApi implements OpenApiCustomizer {

    private static final String REF = "#/components/schemas/";
    private static final String PROBLEM_JSON = "application/problem+json";

    private final List<RegistryController<?>> controllers;

    public RegistryOpenApi(List<RegistryController<?>> controllers) {
        this.controllers = controllers;
    }

    @Override
    public void customise(OpenAPI api) {
        var components = api.getComponents();
        components.addSchemas("Validity", new ObjectSchema().description("The valid period (virkning); from inclusive, "
                        + "to exclusive, null = unbounded; ISO-8601 date or date-time")
                .addProperty("from", new StringSchema().nullable(true))
                .addProperty("to", new StringSchema().nullable(true))
                .addProperty("actor", new StringSchema().readOnly(true))
                .addProperty("note", new StringSchema()));
        components.addSchemas("Registration", new ObjectSchema().description("The write (registrering) that recorded "
                        + "this version").readOnly(true)
                .addProperty("version", new IntegerSchema())
                .addProperty("at", new StringSchema().format("date-time"))
                .addProperty("actor", new StringSchema())
                .addProperty("note", new StringSchema())
                .addProperty("lifecycle", lifecycle()));
        components.addSchemas("Problem", new ObjectSchema().description("RFC 9457 problem details")
                .addProperty("type", new StringSchema().format("uri"))
                .addProperty("title", new StringSchema())
                .addProperty("status", new IntegerSchema())
                .addProperty("detail", new StringSchema())
                .addProperty("instance", new StringSchema())
                .addProperty("code", new StringSchema().description("stable error code, see docs/api.md"))
                .addProperty("correlationId", new StringSchema())
                .addProperty("errors", new ArraySchema().items(new ObjectSchema()
                        .addProperty("field", new StringSchema()).addProperty("reason", new StringSchema()))));
        components.addSchemas("TreeItem", new ObjectSchema().description("A tree node: id, depth, type, the object's "
                        + "attributes and its valid period")
                .addProperty("id", new StringSchema().format("uuid"))
                .addProperty("depth", new IntegerSchema())
                .addProperty("type", new StringSchema())
                .addProperty("validity", ref("Validity"))
                .additionalProperties(true));
        components.addSchemas("Tree", new ObjectSchema().addProperty("items", new ArraySchema().items(ref("TreeItem"))));

        for (RegistryController<?> c : controllers) {
            String name = typeName(c.spec.name());
            ResolvedSchema resolved = ModelConverters.getInstance()
                    .resolveAsResolvedSchema(new AnnotatedType(c.spec.attributes()).resolveAsRef(false));
            if (resolved.referencedSchemas != null) {
                resolved.referencedSchemas.forEach(components::addSchemas);
            }
            Schema<?> attributes = resolved.schema;
            attributes.setName(name + "Attributes");
            components.addSchemas(name + "Attributes", attributes);
            components.addSchemas(name, new ComposedSchema().description("A " + c.spec.name() + " as read")
                    .addAllOfItem(ref(name + "Attributes"))
                    .addAllOfItem(new ObjectSchema()
                            .addProperty("id", new StringSchema().format("uuid"))
                            .addProperty("type", new StringSchema()._default(c.spec.name()))
                            .addProperty("version", new IntegerSchema())
                            .addProperty("lifecycle", lifecycle())
                            .addProperty("validity", ref("Validity"))
                            .addProperty("registration", ref("Registration"))));
            components.addSchemas(name + "Write", new ComposedSchema().description("The attributes of a " + c.spec.name()
                            + " with the valid period they hold over and a note for the registration")
                    .addAllOfItem(ref(name + "Attributes"))
                    .addAllOfItem(new ObjectSchema()
                            .addProperty("id", new StringSchema().format("uuid").description("on create: the UUID to use"))
                            .addProperty("validity", ref("Validity"))
                            .addProperty("note", new StringSchema())));
            components.addSchemas(name + "Patch", new ObjectSchema().description("JSON merge patch (RFC 7396) of the "
                            + "attributes of " + ref(name + "Attributes").get$ref().substring(REF.length())
                            + ", with validity and note").additionalProperties(true));
            components.addSchemas(name + "Page", new ObjectSchema()
                    .addProperty("items", new ArraySchema().items(ref(name)))
                    .addProperty("next", new StringSchema().nullable(true).description("the after= of the next page")));

            PathItem collection = api.getPaths() == null ? null : api.getPaths().get(c.basePath());
            PathItem item = api.getPaths() == null ? null : api.getPaths().get(c.basePath() + "/{id}");
            if (collection != null) {
                body(collection.getPost(), name + "Write", "application/json");
                answer(collection.getPost(), "201", name);
                answer(collection.getGet(), "200", name + "Page");
            }
            if (item != null) {
                body(item.getPut(), name + "Write", "application/json");
                answer(item.getPut(), "200", name);
                body(item.getPatch(), name + "Patch", "application/merge-patch+json", "application/json");
                answer(item.getPatch(), "200", name);
                answer(item.getGet(), "200", name);
            }
        }
        if (api.getPaths() != null) {
            api.getPaths().forEach((path, p) -> p.readOperations().forEach(op -> {
                if (path.endsWith("/tree") || path.endsWith("/subtree")) {
                    answer(op, "200", "Tree");
                }
                problems(op);
            }));
        }
    }

    private static void body(Operation op, String schema, String... mediaTypes) {
        if (op == null) {
            return;
        }
        Content content = new Content();
        for (String m : mediaTypes) {
            content.addMediaType(m, new MediaType().schema(ref(schema)));
        }
        op.setRequestBody(new RequestBody().required(true).content(content));
    }

    private static void answer(Operation op, String status, String schema) {
        if (op == null) {
            return;
        }
        ApiResponses responses = op.getResponses() == null ? new ApiResponses() : op.getResponses();
        ApiResponse ok = responses.get(status);
        if (ok == null) {
            ok = new ApiResponse().description("OK");
            responses.remove("200");
            responses.addApiResponse(status, ok);
        }
        ok.setContent(new Content().addMediaType("application/json", new MediaType().schema(ref(schema))));
        op.setResponses(responses);
    }

    /** The error answers every API operation can give, all application/problem+json. */
    private static void problems(Operation op) {
        ApiResponses responses = op.getResponses() == null ? new ApiResponses() : op.getResponses();
        Map<String, String> errors = Map.of("400", "Malformed request or parameter", "401", "No valid bearer token",
                "403", "The token lacks the role, or the object would belong to another municipality", "404", "Not found (or passivated)", "409",
                "Stale If-Match version or duplicate", "422", "Invalid input; nothing was written");
        errors.forEach((status, description) -> {
            if (!responses.containsKey(status)) {
                responses.addApiResponse(status, new ApiResponse().description(description)
                        .content(new Content().addMediaType(PROBLEM_JSON, new MediaType().schema(ref("Problem")))));
            }
        });
        op.setResponses(responses);
    }

    private static Schema<?> ref(String name) {
        return new Schema<>().$ref(REF + name);
    }

    private static Schema<?> lifecycle() {
        return new StringSchema()._enum(List.of("CREATED", "IMPORTED", "CORRECTED", "PASSIVATED", "DELETED"));
    }

    private static String typeName(String type) {
        StringBuilder sb = new StringBuilder();
        for (String part : type.split("[_-]")) {
            if (!part.isEmpty()) {
                sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return sb.toString();
    }
}
