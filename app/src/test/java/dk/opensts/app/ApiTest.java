package dk.opensts.app;

import dk.opensts.access.api.ItSystems;
import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.access.pki.Enrolment;
import dk.opensts.access.pki.TlsConnector;
import java.util.Arrays;
import java.util.List;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
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
    protected ServiceAgreements agreements;
    @Autowired
    protected DevelopmentCa.Holder ca;
    @Autowired
    protected TlsConnector tls;
    @Autowired
    protected JdbcClient jdbc;
    @Autowired
    protected JsonMapper json;
    @Autowired
    protected org.springframework.transaction.support.TransactionTemplate tx;
    @Autowired
    protected io.micrometer.core.instrument.MeterRegistry registry;

    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, String> tokens = new HashMap<>();

    /** Every counter of this server as it stands now, to tell later how far one has moved since. */
    protected Tally tally() {
        return new Tally();
    }

    protected final class Tally {
        private final Map<io.micrometer.core.instrument.Meter.Id, Double> at = new HashMap<>();

        private Tally() {
            registry.getMeters().forEach(m -> {
                if (m instanceof io.micrometer.core.instrument.Counter c) {
                    at.put(c.getId(), c.count());
                }
            });
        }

        /** How far the counter {@code name} with these tags (name, value, ...) has moved since the tally; 0 if it is not there. */
        public double moved(String name, String... tags) {
            var c = registry.find(name).tags(tags).counter();
            return c == null ? 0 : c.count() - at.getOrDefault(c.getId(), 0.0);
        }
    }

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

    /** An IT system set up for tests: its id and a client that presents its certificate over mutual TLS. */
    public record TestSystem(UUID id, DevelopmentCa.Issued certificate, HttpClient client) {
    }

    /**
     * A new IT system with a certificate from the development CA and an approved agreement per
     * service for {@code cvr}; {@code rolesByService} alternates service entity id and comma-separated roles.
     */
    protected TestSystem system(String cvr, String... rolesByService) {
        UUID id = UUID.randomUUID();
        Map<String, List<String>> roles = new java.util.LinkedHashMap<>();
        for (int i = 0; i < rolesByService.length; i += 2) {
            roles.put(rolesByService[i], Arrays.asList(rolesByService[i + 1].split(",")));
        }
        DevelopmentCa.Issued cert = Enrolment.enrol(ca.ca(), systems, agreements, id, "Test system " + id, cvr, roles,
                "test");
        return new TestSystem(id, cert, mutualTls(cert));
    }

    /** A new IT system with one approved agreement for {@code service} granting roles with constraint values. */
    protected TestSystem systemWith(String cvr, String service, List<ServiceAgreements.Grant> grants) {
        return systemNamed(null, cvr, service, grants);
    }

    /** As {@link #systemWith}, named {@code name} (its certificate's common name); null: "Test system" and its id. */
    protected TestSystem systemNamed(String name, String cvr, String service, List<ServiceAgreements.Grant> grants) {
        UUID id = UUID.randomUUID();
        DevelopmentCa.Issued cert = Enrolment.enrolGrants(ca.ca(), systems, agreements, id,
                name == null ? "Test system " + id : name, cvr, Map.of(service, grants), "test");
        return new TestSystem(id, cert, mutualTls(cert));
    }

    /** A token of {@code system} for {@code service}, acting for {@code cvr}. */
    protected String tokenOf(TestSystem system, String cvr, String service) {
        Res r = tokenRequest(system.client(), "grant_type=client_credentials&scope=entityid:" + service
                + ",anvenderkontekst:" + cvr);
        if (r.status() != 200) {
            throw new IllegalStateException("token: " + r.status() + " " + r.text());
        }
        return r.body().get("access_token").asString();
    }

    protected HttpClient mutualTls(DevelopmentCa.Issued cert) {
        return HttpClient.newBuilder().sslContext(Enrolment.clientContext(cert, ca.ca().certificate())).build();
    }

    /** A token for {@code service} of a new IT system with the given roles there, acting for {@link #CVR}. */
    protected String token(String service, String... roles) {
        return tokenFor(CVR, service, roles);
    }

    protected String tokenFor(String cvr, String service, String... roles) {
        return tokens.computeIfAbsent(cvr + " " + service + " " + String.join(",", roles), k -> {
            return tokenOf(system(cvr, service, String.join(",", roles)), cvr, service);
        });
    }

    /** A token request over mutual TLS with the client's certificate. */
    protected Res tokenRequest(HttpClient client, String form) {
        return send(client, HttpRequest.newBuilder(tlsUri("/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    protected URI tlsUri(String path) {
        return URI.create("https://127.0.0.1:" + tls.port() + path);
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
        return send(http, b);
    }

    protected Res send(HttpClient client, HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = null;
            String type = r.headers().firstValue("Content-Type").orElse("");
            if (type.contains("json") && !type.contains("ndjson") && !r.body().isEmpty()) {
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

    /**
     * After every test class: the stores' tables are consistent (the write path keeps them so
     * without foreign keys) and the security log verifies.
     */
    @org.junit.jupiter.api.AfterAll
    static void storesAreConsistent(@Autowired java.util.List<dk.opensts.platform.registry.RegistryService> registries,
                                    @Autowired dk.opensts.platform.securitylog.SecurityLog securityLog) {
        for (var registry : registries) {
            org.assertj.core.api.Assertions.assertThat(registry.store().verify()).isEmpty();
        }
        // and the security log's chain is whole after everything the class did
        var log = securityLog.verify();
        org.assertj.core.api.Assertions.assertThat(log.problems()).isEmpty();
        org.assertj.core.api.Assertions.assertThat(log.intact()).isTrue();
    }

    protected long count(String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }
}
