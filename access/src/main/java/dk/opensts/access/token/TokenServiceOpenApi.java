package dk.opensts.access.token;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * The token service's endpoints in the OpenAPI document (they are served by the authorization
 * server's filters, which springdoc does not see).
 */
public class TokenServiceOpenApi implements OpenApiCustomizer {

    private static final String TAG = "Token service";

    @Override
    public void customise(OpenAPI api) {
        api.addTagsItem(new Tag().name(TAG).description("Tokens over mutual TLS: for IT systems (client credentials) and for "
                + "users of a user-facing system (its back end exchanges the context handler's assertion, RFC 7522)"));
        var components = api.getComponents();
        components.addSchemas("TokenRequest", new ObjectSchema()
                .addProperty("grant_type", new StringSchema()._enum(List.of("client_credentials",
                        "urn:ietf:params:oauth:grant-type:saml2-bearer")))
                .addProperty("assertion", new StringSchema().description("saml2-bearer: the assertion the context handler "
                        + "issued to the user-facing system whose back end the client is, base64url"))
                .addProperty("scope", new StringSchema().description(
                        "KOMBIT's form: entityid:<service entity id>,anvenderkontekst:<CVR>"))
                .addProperty("resource", new StringSchema().description("the service entity id (RFC 8707)"))
                .addProperty("audience", new StringSchema().description("the service entity id"))
                .addProperty("anvenderkontekst", new StringSchema().pattern("[0-9]{8}")
                        .description("the municipality's CVR, with resource or audience (saml2-bearer: optional, the "
                                + "assertion names it)"))
                .addProperty("client_id", new StringSchema().description("optional: the IT system's id; the certificate names it"))
                .required(List.of("grant_type")));
        components.addSchemas("TokenResponse", new ObjectSchema()
                .addProperty("access_token", new StringSchema().description("RS256 JWT with iss, sub, aud, cvr, priv, iat, "
                        + "nbf, exp, jti, cnf.x5t#S256; for a user also act.sub (the IT system), name and loa"))
                .addProperty("token_type", new StringSchema()._enum(List.of("Bearer")))
                .addProperty("expires_in", new Schema<Integer>().type("integer")));
        components.addSchemas("OAuth2Error", new ObjectSchema()
                .addProperty("error", new StringSchema()._enum(List.of("invalid_client", "invalid_request", "invalid_scope",
                        "invalid_grant", "unsupported_grant_type")))
                .addProperty("error_description", new StringSchema().description("why, without secrets")));
        Operation token = new Operation().addTagsItem(TAG).operationId("token")
                .summary("Get a token for one service in one municipality")
                .description("Over mutual TLS with the IT system's registered certificate. Issued only under an approved "
                        + "service agreement for that service and municipality; refusals are logged in the security log. "
                        + "With the saml2-bearer grant the token acts for the user the assertion names: her privilege "
                        + "groups' system roles carry service roles, kept where the system's agreement grants them too.")
                .requestBody(new RequestBody().required(true).content(new Content().addMediaType(
                        "application/x-www-form-urlencoded", new MediaType().schema(ref("TokenRequest")))))
                .responses(new ApiResponses()
                        .addApiResponse("200", json("The token", "TokenResponse"))
                        .addApiResponse("400", json("Malformed request, unknown service, no approved agreement, or a refused "
                                + "assertion (invalid_grant)", "OAuth2Error"))
                        .addApiResponse("401", json("No, an untrusted, expired, unregistered or revoked certificate",
                                "OAuth2Error")));
        api.path("/oauth2/token", new PathItem().post(token));
        api.path("/oauth2/jwks", new PathItem().get(new Operation().addTagsItem(TAG).operationId("jwks")
                .summary("The published token signing keys (JWK Set)")
                .responses(new ApiResponses().addApiResponse("200", new ApiResponse().description("JWK Set")
                        .content(new Content().addMediaType("application/json", new MediaType().schema(new ObjectSchema())))))));
        api.path("/.well-known/oauth-authorization-server", new PathItem().get(new Operation().addTagsItem(TAG)
                .operationId("authorizationServerMetadata").summary("Authorization server metadata (RFC 8414)")
                .responses(new ApiResponses().addApiResponse("200", new ApiResponse().description("Metadata")
                        .content(new Content().addMediaType("application/json", new MediaType().schema(new ObjectSchema())))))));
    }

    private static Schema<?> ref(String name) {
        return new Schema<>().$ref("#/components/schemas/" + name);
    }

    private static ApiResponse json(String description, String schema) {
        return new ApiResponse().description(description)
                .content(new Content().addMediaType("application/json", new MediaType().schema(ref(schema))));
    }
}
