package dk.demofagsystem;

import dk.opensts.platform.security.KeyStores;
import dk.opensts.platform.security.Pem;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * OpenSTS as this system sees it: the token service (client credentials over mutual TLS with its
 * certificate, {@code demo-fagsystem.p12}, trusting OpenSTS's CA) and the index APIs with those
 * tokens; a token is reused until shortly before it runs out.
 */
@Component
public class OpenStsClient {

    public static final String CASE_INDEX = "https://opensts.dk/service/case-index/1";
    public static final String BENEFIT_INDEX = "https://opensts.dk/service/benefit-index/1";
    public static final String ORGANISATION = "https://opensts.dk/service/organisation/1";

    /** An answer: its status and JSON body (a problem+json when refused). */
    public record Answer(int status, JsonNode body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        /** A refusal as a caseworker reads it: the detail and each field's reason. */
        public List<String> problems() {
            List<String> out = new ArrayList<>();
            if (body == null) {
                out.add("HTTP " + status);
                return out;
            }
            out.add(body.path("detail").asString(body.path("title").asString("HTTP " + status)));
            body.path("errors").forEach(e -> out.add(e.path("field").asString("") + ": " + e.path("reason").asString("")));
            return out;
        }
    }

    private record Token(String value, Instant until) {
    }

    private final DemoSettings settings;
    private final JsonMapper json;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private volatile HttpClient tls;
    private final HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    OpenStsClient(DemoSettings settings, JsonMapper json) {
        this.settings = settings;
        this.json = json;
    }

    /** The context handler's IdP metadata (plain HTTP: the metadata carries the keys that matter). */
    public byte[] idpMetadata() {
        try {
            HttpResponse<byte[]> r = plain.send(HttpRequest.newBuilder(URI.create(settings.openstsUrl
                    + "/saml/idp/metadata")).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("the context handler's metadata answered " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException("OpenSTS cannot be reached at " + settings.openstsUrl + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Answer put(String service, String path, Object body) {
        return send(service, HttpRequest.newBuilder(URI.create(settings.openstsTlsUrl + path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
    }

    public Answer get(String service, String path) {
        return send(service, HttpRequest.newBuilder(URI.create(settings.openstsTlsUrl + path)).GET());
    }

    private Answer send(String service, HttpRequest.Builder request) {
        HttpResponse<String> r = call(request.header("Authorization", "Bearer " + token(service))
                .header("Accept", "application/json, application/problem+json").timeout(Duration.ofSeconds(30)).build());
        if (r.statusCode() == 401) {
            // the token may have been refused as expired between our check and the call: once more
            tokens.remove(service);
            r = call(request.setHeader("Authorization", "Bearer " + token(service)).build());
        }
        return new Answer(r.statusCode(), r.body() == null || r.body().isBlank() ? null : json.readTree(r.body()));
    }

    private String token(String service) {
        Token t = tokens.get(service);
        if (t != null && Instant.now().isBefore(t.until())) {
            return t.value();
        }
        String form = "grant_type=client_credentials&scope=" + URLEncoder.encode("entityid:" + service
                + ",anvenderkontekst:" + settings.municipality, StandardCharsets.UTF_8);
        HttpResponse<String> r = call(HttpRequest.newBuilder(URI.create(settings.openstsTlsUrl + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        JsonNode body = json.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the token service refused " + service + ": "
                    + body.path("error").asString() + " " + body.path("error_description").asString());
        }
        long seconds = body.path("expires_in").asLong(60);
        Token fresh = new Token(body.path("access_token").asString(), Instant.now().plusSeconds(Math.max(0, seconds - 30)));
        tokens.put(service, fresh);
        return fresh.value();
    }

    private HttpResponse<String> call(HttpRequest request) {
        try {
            return tls().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("OpenSTS cannot be reached at " + settings.openstsTlsUrl + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The mutual-TLS client, made at first use (the certificate may be issued after this system starts). */
    private HttpClient tls() {
        HttpClient c = tls;
        if (c == null) {
            try {
                KeyStore keys = KeyStores.read(settings.pkiDir.resolve("demo-fagsystem.p12"), settings.keystorePassword);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, settings.keystorePassword);
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (var cert : Pem.certificates(Files.readString(settings.pkiDir.resolve("ca.crt.pem")))) {
                    trust.setCertificateEntry("ca" + i++, cert);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                SSLContext ssl = SSLContext.getInstance("TLS");
                ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
                c = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
                tls = c;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot read this system's certificate in " + settings.pkiDir + ": "
                        + e.getMessage(), e);
            }
        }
        return c;
    }
}
