package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.platform.security.Scopes;
import org.junit.jupiter.api.Test;

/** Health, OpenAPI, metrics, authentication and scopes, and problem+json for refusals. */
class PlatformTest extends ApiTest {

    @Test
    void healthIsUpAndOperationalEndpointsAreOpen() {
        Res health = get("/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().path("status").asString()).isEqualTo("UP");
        assertThat(health.text().replace(" ", "")).isEqualTo("{\"status\":\"UP\"}");
        assertThat(get("/actuator/prometheus", null).status()).isEqualTo(200);
    }

    @Test
    void openApiDescribesEveryResource() {
        Res docs = get("/v3/api-docs", null);
        assertThat(docs.status()).isEqualTo(200);
        var paths = docs.body().path("paths");
        for (String p : new String[] {"/api/organisation/v1/units", "/api/organisation/v1/units/{id}",
                "/api/organisation/v1/units/{id}/subtree", "/api/organisation/v1/persons",
                "/api/organisation/v1/organisations/{id}/import", "/api/classification/v1/classes/by-user-key/{userKey}",
                "/api/classification/v1/imports/kle", "/api/classification/v1/classifications/{id}/tree"}) {
            assertThat(paths.has(p)).as(p).isTrue();
        }
        // bodies and answers have schemas: the unit's attributes with their rules, writes, pages, problems
        var schemas = docs.body().path("components").path("schemas");
        assertThat(schemas.path("UnitAttributes").path("properties").has("userKey")).isTrue();
        assertThat(schemas.path("UnitAttributes").path("required").toString()).contains("organisation", "userKey", "name");
        assertThat(schemas.path("PersonAttributes").path("properties").path("cpr").path("pattern").asString())
                .isEqualTo("[0-9]{10}");
        assertThat(schemas.path("ClassAttributes").path("properties").has("title")).isTrue();
        var create = paths.path("/api/organisation/v1/units").path("post");
        assertThat(create.path("requestBody").path("content").path("application/json").path("schema").path("$ref")
                .asString()).isEqualTo("#/components/schemas/UnitWrite");
        assertThat(create.path("responses").path("201").path("content").path("application/json").path("schema")
                .path("$ref").asString()).isEqualTo("#/components/schemas/Unit");
        assertThat(create.path("responses").path("422").path("content").has("application/problem+json")).isTrue();
        assertThat(paths.path("/api/organisation/v1/units/{id}").path("patch").path("requestBody").path("content")
                .has("application/merge-patch+json")).isTrue();
        assertThat(paths.path("/api/organisation/v1/units").path("get").path("responses").path("200").path("content")
                .path("application/json").path("schema").path("$ref").asString())
                .isEqualTo("#/components/schemas/UnitPage");
        assertThat(paths.path("/api/organisation/v1/units/{id}/subtree").path("get").path("responses").path("200")
                .path("content").path("application/json").path("schema").path("$ref").asString())
                .isEqualTo("#/components/schemas/Tree");
    }

    @Test
    void apiNeedsAToken() {
        Res r = get("/api/organisation/v1/units", null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.code()).isEqualTo("UNAUTHENTICATED");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
    }

    @Test
    void aTamperedOrForeignTokenIsRefused() {
        String token = token(Scopes.ORGANISATION_READ);
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + parts[1] + "x." + parts[2];
        assertThat(get("/api/organisation/v1/units", tampered).status()).isEqualTo(401);
        String badSignature = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        assertThat(get("/api/organisation/v1/units", badSignature).status()).isEqualTo(401);
    }

    @Test
    void wrongClientSecretGetsNoToken() {
        Res r = tokenRequest("5e1f0000-0000-4000-8000-000000000009:nope", "grant_type=client_credentials");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body().path("error").asString()).isEqualTo("invalid_client");
    }

    @Test
    void tokenCarriesSystemAndMunicipalityAndScopes() {
        String token = token(Scopes.ORGANISATION_READ, Scopes.CLASSIFICATION_READ);
        String payload = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        var claims = json.readTree(payload);
        assertThat(claims.path("cvr").asString()).isEqualTo(CVR);
        assertThat(claims.path("iss").asString()).startsWith("http://127.0.0.1:");
        assertThat(claims.path("scope").toString()).contains(Scopes.ORGANISATION_READ);
        assertThat(claims.has("exp")).isTrue();
    }

    @Test
    void scopesDecideReadAndWrite() {
        String readOnly = token(Scopes.ORGANISATION_READ);
        assertThat(get("/api/organisation/v1/units", readOnly).status()).isEqualTo(200);
        Res write = call("POST", "/api/organisation/v1/organisations", readOnly, "{\"cvr\":\"22222222\",\"name\":\"X\"}");
        assertThat(write.status()).isEqualTo(403);
        assertThat(write.code()).isEqualTo("FORBIDDEN");
        String classificationOnly = token(Scopes.CLASSIFICATION_READ);
        assertThat(get("/api/organisation/v1/units", classificationOnly).status()).isEqualTo(403);
    }

    @Test
    void correlationIdIsEchoed() {
        Res r = call("GET", "/api/organisation/v1/units", token(Scopes.ORGANISATION_READ), null,
                "X-Correlation-Id", "abc-123");
        assertThat(r.header("X-Correlation-Id")).isEqualTo("abc-123");
    }
}
