package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.platform.security.Services;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Health, OpenAPI, metrics, authentication, and problem+json for refusals. */
class PlatformTest extends ApiTest {

    @Test
    void healthIsUpAndOperationalEndpointsAreOpen() {
        Res health = get("/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().path("status").asString()).isEqualTo("UP");
        assertThat(health.text().replace(" ", "")).isEqualTo("{\"status\":\"UP\"}");
        assertThat(get("/actuator/prometheus", null).status()).isEqualTo(200);
    }

    /**
     * Health is UP only while the application takes traffic: not before it is ready (its start-up
     * work, such as the demo data, done), nor while it shuts down.
     */
    @Test
    void healthIsOutOfServiceUntilTheApplicationIsReady(
            @org.springframework.beans.factory.annotation.Autowired org.springframework.context.ApplicationContext context) {
        try {
            org.springframework.boot.availability.AvailabilityChangeEvent.publish(context,
                    org.springframework.boot.availability.ReadinessState.REFUSING_TRAFFIC);
            Res refusing = get("/actuator/health", null);
            assertThat(refusing.status()).isEqualTo(503);
            assertThat(refusing.body().path("status").asString()).isEqualTo("OUT_OF_SERVICE");
        } finally {
            org.springframework.boot.availability.AvailabilityChangeEvent.publish(context,
                    org.springframework.boot.availability.ReadinessState.ACCEPTING_TRAFFIC);
        }
        assertThat(get("/actuator/health", null).body().path("status").asString()).isEqualTo("UP");
    }

    @Test
    void openApiDescribesEveryResource() {
        Res docs = get("/v3/api-docs", null);
        assertThat(docs.status()).isEqualTo(200);
        var paths = docs.body().path("paths");
        for (String p : new String[] {"/api/organisation/v1/units", "/api/organisation/v1/units/{id}",
                "/api/organisation/v1/units/{id}/subtree", "/api/organisation/v1/persons",
                "/api/organisation/v1/organisations/{id}/import", "/api/classification/v1/classes/by-user-key/{userKey}",
                "/api/classification/v1/imports/kle", "/api/classification/v1/classifications/{id}/tree",
                "/oauth2/token", "/oauth2/jwks", "/api/admin/v1/systems/{id}/certificates", "/api/admin/v1/agreements/{id}/approve",
                "/api/admin/v1/privileges", "/api/admin/v1/security-log", "/api/admin/v1/security-log/export",
                "/api/admin/v1/security-log/verify", "/api/admin/v1/signing-keys/rotate", "/api/access/v1/agreement-requests",
                "/api/admin/v1/systems/{id}/deactivate", "/api/case-index/v1/cases", "/api/case-index/v1/cases/{localId}",
                "/api/case-index/v1/documents/{localId}", "/api/case-index/v1/batch", "/api/benefit-index/v1/grants",
                "/api/benefit-index/v1/grants/{localId}", "/api/benefit-index/v1/grants/batch",
                "/api/admin/v1/user-systems", "/api/admin/v1/municipal-idps/{cvr}", "/api/admin/v1/job-roles",
                "/api/admin/v1/job-roles/{id}", "/api/admin/v1/job-roles/{id}/end", "/api/admin/v1/role-assignments",
                "/api/admin/v1/role-assignments/{id}/end", "/api/admin/v1/users/{id}/privileges",
                "/saml/idp/metadata", "/saml/idp/sso", "/saml/idp/municipality", "/saml/sp/metadata", "/saml/sp/acs",
                "/saml/test-idp/sso", "/saml/test-idp/login", "/saml/test-sp", "/saml/test-sp/acs"}) {
            assertThat(paths.has(p)).as(p).isTrue();
        }
        // bodies and answers have schemas: the unit's attributes with their rules, writes, pages, problems
        var schemas = docs.body().path("components").path("schemas");
        assertThat(paths.path("/api/case-index/v1/cases/{localId}").path("put").path("requestBody").path("content")
                .path("application/json").path("schema").path("$ref").asString()).endsWith("/CaseRecord");
        for (String batch : new String[] {"/api/case-index/v1/batch", "/api/benefit-index/v1/grants/batch"}) {
            var post = paths.path(batch).path("post");
            assertThat(post.path("requestBody").path("content").has("application/jsonl")).as(batch).isTrue();
            assertThat(post.path("parameters").findValuesAsString("name")).contains("Content-Digest", "Item-Count");
        }
        assertThat(paths.path("/oauth2/token").path("post").path("requestBody").path("content")
                .has("application/x-www-form-urlencoded")).isTrue();
        assertThat(schemas.path("TokenRequest").path("properties").has("anvenderkontekst")).isTrue();
        assertThat(schemas.path("AgreementInput").path("properties").has("roles")).isTrue();
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
        // a malformed bearer header, or a valid token in another form than RFC 6750's header: 401
        String token = token(Services.ORGANISATION, Services.READ);
        assertThat(call("GET", "/api/organisation/v1/units", null, null, "Authorization", "Bearer " + token + " x").status())
                .isEqualTo(401);
        assertThat(call("GET", "/api/organisation/v1/units", null, null, "Authorization", "Bearer  " + token).status())
                .isEqualTo(401);
        assertThat(get("/api/organisation/v1/units?access_token=" + token, null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/organisation/v1/units", null, null, "Authorization", "bearer " + token).status())
                .isEqualTo(200);
    }

    @Test
    void requestsTheFirewallRefusesAreAnsweredAsProblems() {
        String token = token(Services.ORGANISATION, Services.READ);
        for (String path : List.of("/api/organisation/v1/units;jsessionid=1", "/api/organisation/v1/units?name=a%00b")) {
            Res r = get(path, token);
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.header("Content-Type")).as(path).startsWith("application/problem+json");
            assertThat(r.code()).as(path).isEqualTo("INVALID_PARAMETER");
            // the refused value is not echoed
            assertThat(r.text()).doesNotContain("jsessionid").doesNotContain("a\u0000b");
        }
    }

    @Test
    void correlationIdIsEchoed() {
        Res r = call("GET", "/api/organisation/v1/units", token(Services.ORGANISATION, Services.READ), null,
                "X-Correlation-Id", "abc-123");
        assertThat(r.header("X-Correlation-Id")).isEqualTo("abc-123");
    }
}
