package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.platform.security.Services;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Health, OpenAPI, metrics, authentication, and problem+json for refusals. */
@org.springframework.context.annotation.Import(PlatformTest.FilterFault.class)
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
    void openApiDescribesEveryEndpointTheServerAnswers(@org.springframework.beans.factory.annotation.Autowired
            @org.springframework.beans.factory.annotation.Qualifier("requestMappingHandlerMapping")
            org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping mappings) {
        var paths = get("/v3/api-docs", null).body().path("paths");
        List<String> missing = new java.util.ArrayList<>();
        int seen = 0;
        for (var info : mappings.getHandlerMethods().keySet()) {
            for (String path : info.getPatternValues()) {
                // Spring's own error page and the document itself
                if (path.equals("/error") || path.startsWith("/v3/api-docs")) {
                    continue;
                }
                var methods = info.getMethodsCondition().getMethods();
                for (var method : methods.isEmpty() ? java.util.EnumSet.of(
                        org.springframework.web.bind.annotation.RequestMethod.GET) : methods) {
                    seen++;
                    var operation = paths.path(path).path(method.name().toLowerCase(java.util.Locale.ROOT));
                    if (operation.isMissingNode()) {
                        missing.add(method + " " + path);
                        continue;
                    }
                    // and each kind of body it takes (the JSON and the XML envelope, say)
                    for (var type : info.getConsumesCondition().getConsumableMediaTypes()) {
                        if (!operation.path("requestBody").path("content").has(type.toString())) {
                            missing.add(method + " " + path + " taking " + type);
                        }
                    }
                }
            }
        }
        assertThat(seen).isGreaterThan(100);
        assertThat(missing).as("endpoints the OpenAPI document does not describe").isEmpty();
    }

    @Test
    void everyApiEndpointRefusesACallWithoutAValidToken(@org.springframework.beans.factory.annotation.Autowired
            @org.springframework.beans.factory.annotation.Qualifier("requestMappingHandlerMapping")
            org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping mappings) {
        List<String> open = new java.util.ArrayList<>();
        int seen = 0;
        for (var info : mappings.getHandlerMethods().keySet()) {
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/api/")) {
                    continue;
                }
                // every path variable as an id that exists nowhere
                String path = pattern.replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
                var types = info.getConsumesCondition().getConsumableMediaTypes();
                String type = types.isEmpty() ? "application/json" : types.iterator().next().toString();
                for (var method : info.getMethodsCondition().getMethods()) {
                    String body = method.name().equals("GET") || method.name().equals("DELETE") ? null : "{}";
                    for (String token : new String[] {null, "not-a-token"}) {
                        seen++;
                        Res r = body == null ? call(method.name(), path, token, null)
                                : call(method.name(), path, token, body, "Content-Type", type);
                        String answered = r.header("Content-Type");
                        if (r.status() != 401 || answered == null || !answered.startsWith("application/problem+json")) {
                            open.add(method + " " + pattern + (token == null ? " without a token" : " with a bad token")
                                    + ": " + r.status());
                        }
                    }
                }
            }
        }
        assertThat(seen).isGreaterThan(100);
        assertThat(open).as("API endpoints that did not answer 401 problem+json").isEmpty();
    }

    @Test
    void openApiDescribesJsonTreesAsTheValuesTheyCarry() {
        var docs = get("/v3/api-docs", null).body();
        // a JSON tree read as a bean comes out as an object of its getters: nodeType, bigDecimal, ...
        assertThat(docs.toString()).doesNotContain("\"bigDecimal\"").doesNotContain("\"nodeType\"");
        var schemas = docs.path("components").path("schemas");
        assertThat(schemas.has("JsonNode")).isFalse();
        assertThat(schemas.has("ObjectNode")).isFalse();
        // the envelope's payload is any JSON value, or an XML document as a string
        var data = schemas.path("Payload").path("properties").path("data");
        assertThat(data.has("$ref")).as(data.toString()).isFalse();
        assertThat(data.has("type")).as(data.toString()).isFalse();
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
        // every request body is described by what the endpoint reads, never by the JSON library's own node type
        // (its "array", "bigDecimal", ... properties), and each schema is a type of its own
        paths.properties().forEach(path -> path.getValue().properties().forEach(op -> op.getValue()
                .path("requestBody").path("content").properties().forEach(c -> assertThat(
                        c.getValue().path("schema").path("$ref").asString())
                        .as(op.getKey() + " " + path.getKey() + " " + c.getKey())
                        .doesNotEndWith("/JsonNode").doesNotEndWith("/ObjectNode"))));
        assertThat(schemas.path("SubscriptionInput").path("properties").has("messageTypes")).isTrue();
        assertThat(schemas.path("ValueListInput").path("properties").has("kind")).isTrue();
        assertThat(paths.path("/api/messaging/v1/subscriptions").path("post").path("requestBody").path("content")
                .path("application/json").path("schema").path("$ref").asString())
                .isEqualTo("#/components/schemas/SubscriptionInput");
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

    /**
     * What Tomcat refuses before any filter runs is answered as problem+json too, not with its HTML
     * page, with a correlation id of its own and without echoing the request.
     */
    @Test
    void requestsTheWebServerCannotReadAreAnsweredAsProblems() throws Exception {
        Map<String, Integer> requests = new LinkedHashMap<>();
        requests.put("GET /api/organisation/v1/units%00x HTTP/1.1\r\nHost: h\r\n", 400);
        requests.put("GET /api/organisation/v1/units HTTP/1.1\r\nHost: h\r\nX-Secret: sec\u0001ret\r\n", 400);
        requests.put("GET /api/organisation/v1/units secret HTTP/1.1\r\nHost: h\r\n", 400);
        requests.put("GET /api/organisation/v1/units?q={secret} HTTP/1.1\r\nHost: h\r\n", 400);
        requests.put("POST /api/organisation/v1/units HTTP/1.1\r\nHost: h\r\nContent-Length: secret\r\n", 400);
        requests.put("POST /api/organisation/v1/units HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: secret\r\n", 501);
        for (var r : requests.entrySet()) {
            String answer = raw(r.getKey() + "Connection: close\r\n\r\n");
            String label = r.getKey().lines().findFirst().orElseThrow();
            assertThat(answer).as(label).startsWith("HTTP/1.1 " + r.getValue() + " ");
            String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
            assertThat(head).as(label).contains("content-type: application/problem+json");
            var body = json.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(body.path("status").asInt()).as(label).isEqualTo(r.getValue());
            assertThat(body.path("code").asString()).as(label).isEqualTo("MALFORMED_REQUEST");
            String correlation = body.path("correlationId").asString();
            assertThat(correlation).as(label).matches("[0-9a-f-]{36}");
            assertThat(head).as(label).contains("x-correlation-id: " + correlation);
            assertThat(answer).as(label).doesNotContain("secret").doesNotContain("<html");
        }
    }

    /**
     * The container's error page, which answers what no controller saw (here the web server's own
     * refusal of TRACE), speaks problem+json to programs; a browser still gets a page. HTTP/1.0: one
     * body, not chunked.
     */
    @Test
    void theContainersErrorPageAnswersProgramsWithProblems() throws Exception {
        String answer = raw("TRACE /actuator/health HTTP/1.0\r\nHost: h\r\nX-Correlation-Id: trace-1\r\n"
                + "Connection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 405 ");
        String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
        assertThat(head).contains("content-type: application/problem+json").contains("x-correlation-id: trace-1");
        var body = json.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4).strip());
        assertThat(body.path("code").asString()).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(body.path("status").asInt()).isEqualTo(405);
        assertThat(body.path("correlationId").asString()).isEqualTo("trace-1");
        assertThat(body.path("type").asString()).isEqualTo("https://opensts.dk/problems/method-not-allowed");

        String page = raw("TRACE /actuator/health HTTP/1.0\r\nHost: h\r\nAccept: text/html\r\nConnection: close\r\n\r\n");
        assertThat(page).startsWith("HTTP/1.1 405 ").containsIgnoringCase("content-type: text/html");
    }

    /** An exception a filter throws is an unexpected error like any other: problem+json, nothing of it echoed. */
    @Test
    void anExceptionThrownByAFilterIsAnsweredAsAProblem() {
        Res r = get(FilterFault.PATH, null);
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.code()).isEqualTo("INTERNAL");
        assertThat(r.text()).doesNotContain("secret").doesNotContain("Exception");
        // the id the request was logged under before it failed, not one made for its error page
        assertThat(FilterFault.LOGGED_AS.get()).isNotNull();
        assertThat(r.body().path("correlationId").asString()).isEqualTo(FilterFault.LOGGED_AS.get());
        assertThat(r.header("X-Correlation-Id")).isEqualTo(FilterFault.LOGGED_AS.get());
    }

    /** A filter that fails on one path of its own, right after the correlation filter. */
    @org.springframework.boot.test.context.TestConfiguration
    static class FilterFault {
        // under a path the security filters let through, whichever of them runs first
        static final String PATH = "/actuator/health/filter-fault";
        static final java.util.concurrent.atomic.AtomicReference<String> LOGGED_AS =
                new java.util.concurrent.atomic.AtomicReference<>();

        @org.springframework.context.annotation.Bean
        org.springframework.boot.web.servlet.FilterRegistrationBean<jakarta.servlet.Filter> filterFault() {
            var bean = new org.springframework.boot.web.servlet.FilterRegistrationBean<jakarta.servlet.Filter>(
                    (request, response, chain) -> {
                        LOGGED_AS.set(org.slf4j.MDC.get(dk.opensts.platform.web.Correlation.MDC_KEY));
                        throw new IllegalStateException("a fault with a secret in it");
                    });
            bean.addUrlPatterns(PATH);
            bean.setOrder(org.springframework.core.Ordered.HIGHEST_PRECEDENCE + 1);
            return bean;
        }
    }

    /** Sends {@code request} as it is, bytes the HTTP client would not send, and reads the whole answer. */
    private String raw(String request) throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void correlationIdIsEchoed() {
        Res r = call("GET", "/api/organisation/v1/units", token(Services.ORGANISATION, Services.READ), null,
                "X-Correlation-Id", "abc-123");
        assertThat(r.header("X-Correlation-Id")).isEqualTo("abc-123");
    }
}
