package dk.opensts.bench;

import dk.opensts.OpenStsApplication;
import dk.opensts.access.api.ItSystems;
import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.access.pki.Enrolment;
import dk.opensts.access.pki.TlsConnector;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the benchmark programs share: options, a running OpenSTS on a fresh embedded PostgreSQL
 * (the product's own default database set-up, in a temporary data folder), HTTP calls with real
 * tokens, and the one result line each program prints.
 */
final class Bench {

    private Bench() {
    }

    /** {@code --name value} options with defaults. */
    static final class Options {
        private final Map<String, String> values = new HashMap<>();

        Options(String[] args) {
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("options are --name value; got " + Arrays.toString(args));
                }
                values.put(args[i].substring(2), args[++i]);
            }
        }

        double number(String name, double fallback) {
            return values.containsKey(name) ? Double.parseDouble(values.get(name)) : fallback;
        }

        String text(String name, String fallback) {
            return values.getOrDefault(name, fallback);
        }

        int integer(String name, int fallback) {
            return values.containsKey(name) ? Integer.parseInt(values.get(name)) : fallback;
        }
    }

    /** OpenSTS running on a random port with its own embedded PostgreSQL in a temporary folder. */
    static final class Server implements AutoCloseable {
        final ConfigurableApplicationContext context;
        final int port;
        final Path dataDir;
        final JsonMapper json;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        /**
         * @param dbUrl an empty external PostgreSQL database to use instead of the embedded one
         *              (user and password from OPENSTS_DB_USER / OPENSTS_DB_PASSWORD), or null
         */
        Server(String dbUrl, String... extra) throws IOException {
            dataDir = Files.createTempDirectory("opensts-bench-");
            // command-line arguments: they win over application.yml and the environment
            List<String> args = new java.util.ArrayList<>(List.of("--server.port=0", "--opensts.tls.port=0",
                    "--opensts.demo.enabled=false", "--opensts.data-dir=" + dataDir,
                    "--opensts.db.url=" + (dbUrl == null ? "" : dbUrl),
                    "--opensts.db.statement-timeout=10min", "--logging.level.root=warn",
                    "--spring.main.banner-mode=off"));
            args.addAll(List.of(extra));
            context = new SpringApplicationBuilder(OpenStsApplication.class).run(args.toArray(String[]::new));
            port = ((WebServerApplicationContext) context).getWebServer().getPort();
            json = context.getBean(JsonMapper.class);
        }

        DataSource dataSource() {
            return context.getBean(DataSource.class);
        }

        /**
         * A newly registered IT system with a certificate from the development CA and an approved
         * agreement for {@code service} with {@code roles} in the municipality with {@code cvr}.
         */
        DevelopmentCa.Issued enrol(String cvr, String service, String... roles) {
            DevelopmentCa ca = context.getBean(DevelopmentCa.Holder.class).ca();
            return Enrolment.enrol(ca, context.getBean(ItSystems.class), context.getBean(ServiceAgreements.class),
                    UUID.randomUUID(), "Benchmark system", cvr, Map.of(service, List.of(roles)), "bench");
        }

        /** As {@link #enrol}, with roles and their constraint values. */
        DevelopmentCa.Issued enrolGrants(String cvr, String service, List<ServiceAgreements.Grant> grants) {
            return enrolNamed("Benchmark system", cvr, service, grants);
        }

        /** As {@link #enrolGrants}, the system and its certificate's common name {@code name}. */
        DevelopmentCa.Issued enrolNamed(String name, String cvr, String service, List<ServiceAgreements.Grant> grants) {
            DevelopmentCa ca = context.getBean(DevelopmentCa.Holder.class).ca();
            return Enrolment.enrolGrants(ca, context.getBean(ItSystems.class), context.getBean(ServiceAgreements.class),
                    UUID.randomUUID(), name, cvr, Map.of(service, grants), "bench");
        }

        /** A token for {@code service} of the system presenting {@code client}'s certificate. */
        String token(HttpClient client, String cvr, String service) {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                                URI.create("https://127.0.0.1:" + tlsPort() + "/oauth2/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(tokenRequest(service, cvr))).build(),
                        HttpResponse.BodyHandlers.ofString());
                return ok(r).get("access_token").asString();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** An HTTP/1.1 client presenting the certificate over mutual TLS. */
        HttpClient mutualTls(DevelopmentCa.Issued certificate) {
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .sslContext(Enrolment.clientContext(certificate,
                            context.getBean(DevelopmentCa.Holder.class).ca().certificate()))
                    .build();
        }

        int tlsPort() {
            return context.getBean(TlsConnector.class).port();
        }

        /** A token request body in KOMBIT's form. */
        static String tokenRequest(String service, String cvr) {
            return "grant_type=client_credentials&scope=entityid:" + service + ",anvenderkontekst:" + cvr;
        }

        /** A token for {@code service} of a new IT system acting for the municipality with {@code cvr}. */
        String token(String cvr, String service, String... roles) {
            return token(mutualTls(enrol(cvr, service, roles)), cvr, service);
        }

        /** A call whose answer body is received whole but not decoded (for timing reads). */
        int status(String path, String token) {
            return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token),
                    HttpResponse.BodyHandlers.ofByteArray()).statusCode();
        }

        HttpResponse<String> call(String method, String path, String token, String contentType, byte[] body,
                                  String... headers) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token);
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
            for (int i = 0; i < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            return send(b);
        }

        /** The parsed JSON body of a 2xx answer; anything else stops the benchmark. */
        JsonNode ok(HttpResponse<String> r) {
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(r.request().method() + " " + r.uri() + " answered " + r.statusCode()
                        + ": " + r.body());
            }
            return json.readTree(r.body());
        }

        private HttpResponse<String> send(HttpRequest.Builder b) {
            return send(b, HttpResponse.BodyHandlers.ofString());
        }

        private <T> HttpResponse<T> send(HttpRequest.Builder b, HttpResponse.BodyHandler<T> body) {
            try {
                return http.send(b.build(), body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        @Override
        public void close() throws IOException {
            context.close();
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The user an AMQP URI connects as ({@code guest} when it names none). The benchmarks name their
     * publishing system so, and run OpenSTS with {@code opensts.messaging.amqp.certificate-user}
     * {@code common-name}, as production checks the broker user: it stands for the certificate's name.
     */
    static String brokerUser(String amqpUri) {
        String info = java.net.URI.create(amqpUri).getUserInfo();
        return info == null || info.isEmpty() ? "guest" : java.net.URLDecoder.decode(info.split(":", 2)[0],
                java.nio.charset.StandardCharsets.UTF_8);
    }

    static long nanos() {
        return System.nanoTime();
    }

    static double millis(long fromNanos) {
        return (System.nanoTime() - fromNanos) / 1e6;
    }

    /** The p-th percentile (0 to 100) by the nearest-rank method. */
    static double percentile(List<Double> values, double p) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Prints the program's one result line: {@code RESULT name key=value ...}. */
    static void result(String name, LinkedHashMap<String, Object> figures) {
        StringBuilder line = new StringBuilder("RESULT ").append(name);
        figures.forEach((k, v) -> line.append(' ').append(k).append('=').append(v instanceof Double d
                ? String.format(Locale.ROOT, "%.2f", d) : v));
        System.out.println(line);
    }

    /** A stretch of a benchmark's own load, {@code seconds} long. */
    interface Slice {
        void run(double seconds) throws Exception;
    }

    /** How a warm-up went: its length, and whether the JIT settled in it. */
    record Warmup(double seconds, boolean settled) {
    }

    /**
     * The just-in-time compilers' time so far, in seconds, summed over the compiler threads (the server
     * runs in this process). On two cores the compilers of this application keep a core busy for minutes
     * after the start; a figure measured meanwhile is the compilers' and not the product's.
     */
    static double jitSeconds() {
        var bean = java.lang.management.ManagementFactory.getCompilationMXBean();
        return bean != null && bean.isCompilationTimeMonitoringSupported() ? bean.getTotalCompilationTime() / 1000.0 : 0;
    }

    /** The wall-clock time since it started and the JIT's compile time in it. */
    record JitClock(double jitAt, long nanosAt) {
        static JitClock start() {
            return new JitClock(jitSeconds(), nanos());
        }

        double seconds() {
            return (nanos() - nanosAt) / 1e9;
        }

        /** The JIT's compile time since the start as a share of the wall-clock time. */
        double share() {
            return (jitSeconds() - jitAt) / seconds();
        }
    }

    /**
     * Warms up with the benchmark's own load: {@code slice} at least {@code minSeconds}, then in further
     * 10-second slices until the JIT compiled for less than {@code settledShare} of the last slice's
     * length, or until {@code maxSeconds} in all. Measured figures are then of the steady state.
     */
    static Warmup warmUp(double minSeconds, double maxSeconds, double settledShare, Slice slice) throws Exception {
        double done = 0;
        double length = minSeconds > 0 ? minSeconds : Math.min(10, maxSeconds);
        while (length > 0) {
            JitClock clock = JitClock.start();
            slice.run(length);
            double share = clock.share();
            done += clock.seconds();
            progress(String.format(Locale.ROOT, "warm-up: %.0f s so far, JIT compiled %.0f %% of the last %.0f s",
                    done, share * 100, clock.seconds()));
            if (share < settledShare) {
                return new Warmup(done, true);
            }
            length = Math.min(10, maxSeconds - done);
        }
        progress("warm-up: the JIT has not settled after " + Math.round(done) + " s; measuring anyway");
        return new Warmup(done, false);
    }

    static void progress(String message) {
        System.err.println("[bench] " + message);
    }
}
