package dk.opensts.app;

import dk.opensts.access.api.ItSystems;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Base of tests that talk to the running server over HTTP with real tokens from its token
 * endpoint, against a real PostgreSQL database of their own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = TestDatabase.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
public abstract class ApiTest {

    public static final String CVR = "11111111";

    @LocalServerPort
    protected int port;
    @Autowired
    protected ItSystems systems;
    @Autowired
    protected JdbcClient jdbc;
    @Autowired
    protected JsonMapper json;

    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, String> tokens = new HashMap<>();

    /** A response with its body parsed when it is JSON. */
    public record Res(int status, Map<String, java.util.List<String>> headers, String text, JsonNode body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        public String code() {
            return body == null ? null : body.path("code").asString(null);
        }
    }

    /** A token of a new IT system with the given scopes, acting for {@link #CVR}. */
    protected String token(String... scopes) {
        return tokens.computeIfAbsent(String.join(" ", scopes), k -> {
            UUID id = UUID.randomUUID();
            String secret = "secret-" + UUID.randomUUID();
            systems.register(id, "Test system", "12345678", CVR, Set.of(scopes), secret);
            Res r = tokenRequest(id + ":" + secret, "grant_type=client_credentials");
            if (r.status() != 200) {
                throw new IllegalStateException("token: " + r.status() + " " + r.text());
            }
            return r.body().get("access_token").asString();
        });
    }

    protected Res tokenRequest(String basic, String form) {
        return send(HttpRequest.newBuilder(uri("/oauth2/token"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    protected Res call(String method, String path, String token, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        boolean contentType = false;
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
            contentType |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (body != null && !contentType) {
            b.header("Content-Type", method.equals("PATCH") ? "application/merge-patch+json" : "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return send(b);
    }

    protected Res get(String path, String token) {
        return call("GET", path, token, null);
    }

    private Res send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = null;
            String type = r.headers().firstValue("Content-Type").orElse("");
            if (type.contains("json") && !r.body().isEmpty()) {
                body = json.readTree(r.body());
            }
            return new Res(r.statusCode(), r.headers().map(), r.body(), body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** After every test class: the stores' tables are consistent (the write path keeps them so without foreign keys). */
    @org.junit.jupiter.api.AfterAll
    static void storesAreConsistent(@Autowired java.util.List<dk.opensts.platform.registry.RegistryService> registries) {
        for (var registry : registries) {
            org.assertj.core.api.Assertions.assertThat(registry.store().verify()).isEmpty();
        }
    }

    protected long count(String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }
}
