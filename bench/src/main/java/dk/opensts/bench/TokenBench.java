package dk.opensts.bench;

import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.access.pki.Enrolment;
import dk.opensts.platform.security.Pem;
import dk.opensts.platform.security.Services;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;

/**
 * Tokens issued per second over mutual TLS by 8 concurrent clients (each its own IT system,
 * certificate and approved agreement, one kept-alive connection each), with p50/p99 latency; and,
 * in the same run and on the same machine, the same load of {@code client_credentials} requests
 * against Keycloak 26 (its server distribution from Maven Central, started on loopback by
 * {@code bench/keycloak.sh}, over HTTPS with a client secret). Runs alternate between the two;
 * the result line gives the medians and the ratio.
 *
 * <p>Options: {@code --clients 8}, {@code --seconds 10}, {@code --warmup 10}, {@code --runs 3},
 * {@code --keycloak <dir of an unpacked keycloak-quarkus-dist, or "skip">} (default
 * {@code bench/target/keycloak/keycloak-26.7.3}), {@code --db-url}.
 */
public final class TokenBench {

    private TokenBench() {
    }

    /** One load against one server: throughput and latencies. */
    record Load(double perSecond, double p50Ms, double p99Ms, long errors) {
    }

    /** Something to send one token request with, per client thread. */
    interface Requester {
        HttpRequest request();

        HttpClient client();
    }

    public static void main(String[] args) throws Exception {
        Bench.Options o = new Bench.Options(args);
        int clients = (int) o.number("clients", 8);
        double seconds = o.number("seconds", 10);
        double warmup = o.number("warmup", 10);
        int runs = (int) o.number("runs", 3);
        String keycloakDir = o.text("keycloak", "bench/target/keycloak/keycloak-26.7.3");
        String cvr = "11111111";
        try (Bench.Server server = new Bench.Server(o.text("db-url", null))) {
            List<Requester> ours = new ArrayList<>();
            URI tokenUri = URI.create("https://127.0.0.1:" + server.tlsPort() + "/oauth2/token");
            for (int i = 0; i < clients; i++) {
                DevelopmentCa.Issued cert = server.enrol(cvr, Services.ORGANISATION, Services.READ);
                HttpClient client = server.mutualTls(cert);
                HttpRequest request = HttpRequest.newBuilder(tokenUri)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(Bench.Server.tokenRequest(Services.ORGANISATION, cvr)))
                        .build();
                ours.add(requester(client, request));
            }
            Keycloak keycloak = keycloakDir.equals("skip") ? null
                    : Keycloak.start(Path.of(keycloakDir), server.context.getBean(DevelopmentCa.Holder.class).ca(), clients);
            try {
                List<Load> oursRuns = new ArrayList<>();
                List<Load> theirRuns = new ArrayList<>();
                for (int run = 0; run < runs; run++) {
                    oursRuns.add(load(ours, warmup, seconds));
                    System.err.println("run " + run + " OpenSTS  " + oursRuns.get(run));
                    if (keycloak != null) {
                        theirRuns.add(load(keycloak.requesters(), warmup, seconds));
                        System.err.println("run " + run + " Keycloak " + theirRuns.get(run));
                    }
                }
                LinkedHashMap<String, Object> figures = new LinkedHashMap<>();
                figures.put("clients", clients);
                figures.put("runs", runs);
                double rate = Bench.median(oursRuns.stream().map(Load::perSecond).toList());
                figures.put("opensts_tokens_per_s", rate);
                figures.put("opensts_p50_ms", Bench.median(oursRuns.stream().map(Load::p50Ms).toList()));
                figures.put("opensts_p99_ms", Bench.median(oursRuns.stream().map(Load::p99Ms).toList()));
                figures.put("opensts_errors", oursRuns.stream().mapToLong(Load::errors).sum());
                if (keycloak != null) {
                    double theirs = Bench.median(theirRuns.stream().map(Load::perSecond).toList());
                    figures.put("keycloak_version", keycloak.version());
                    figures.put("keycloak_tokens_per_s", theirs);
                    figures.put("keycloak_p50_ms", Bench.median(theirRuns.stream().map(Load::p50Ms).toList()));
                    figures.put("keycloak_p99_ms", Bench.median(theirRuns.stream().map(Load::p99Ms).toList()));
                    figures.put("keycloak_errors", theirRuns.stream().mapToLong(Load::errors).sum());
                    figures.put("rate_vs_keycloak", rate / theirs);
                    figures.put("target", "rate_vs_keycloak>=1");
                    figures.put("met", rate >= theirs);
                }
                Bench.result("tokens", figures);
            } finally {
                if (keycloak != null) {
                    keycloak.close();
                }
            }
        }
    }

    static Requester requester(HttpClient client, HttpRequest request) {
        return new Requester() {
            public HttpRequest request() {
                return request;
            }

            public HttpClient client() {
                return client;
            }
        };
    }

    /** Every client sends requests back to back: first for {@code warmup} seconds, then measured for {@code seconds}. */
    static Load load(List<Requester> requesters, double warmup, double seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(requesters.size());
        try {
            long start = System.nanoTime();
            long measureFrom = start + (long) (warmup * 1e9);
            long end = measureFrom + (long) (seconds * 1e9);
            List<Future<long[]>> futures = new ArrayList<>();
            for (Requester r : requesters) {
                Callable<long[]> task = () -> {
                    long[] latencies = new long[1 << 16];
                    int n = 0;
                    long errors = 0;
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= end) {
                            break;
                        }
                        HttpResponse<byte[]> response = r.client().send(r.request(), HttpResponse.BodyHandlers.ofByteArray());
                        long t1 = System.nanoTime();
                        if (t0 >= measureFrom) {
                            if (response.statusCode() != 200) {
                                errors++;
                                if (errors == 1) {
                                    System.err.println("error " + response.statusCode() + ": " + new String(response.body()));
                                }
                            }
                            if (n == latencies.length) {
                                latencies = java.util.Arrays.copyOf(latencies, n * 2);
                            }
                            latencies[n++] = t1 - t0;
                        }
                    }
                    long[] out = java.util.Arrays.copyOf(latencies, n + 1);
                    out[n] = errors;
                    return out;
                };
                futures.add(pool.submit(task));
            }
            List<Double> all = new ArrayList<>();
            long errors = 0;
            for (Future<long[]> f : futures) {
                long[] values = f.get();
                for (int i = 0; i < values.length - 1; i++) {
                    all.add(values[i] / 1e6);
                }
                errors += values[values.length - 1];
            }
            return new Load(all.size() / seconds, Bench.percentile(all, 50), Bench.percentile(all, 99), errors);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Keycloak started by {@code bench/keycloak.sh} in its own process, with a realm and one client per load client. */
    static final class Keycloak implements AutoCloseable {
        private final Process process;
        private final List<Requester> requesters;
        private final String version;

        private Keycloak(Process process, List<Requester> requesters, String version) {
            this.process = process;
            this.requesters = requesters;
            this.version = version;
        }

        List<Requester> requesters() {
            return requesters;
        }

        String version() {
            return version;
        }

        static Keycloak start(Path home, DevelopmentCa ca, int clients) throws Exception {
            if (!Files.isDirectory(home)) {
                throw new IllegalStateException("no Keycloak in " + home + ": run bench/keycloak.sh fetch first, or --keycloak skip");
            }
            // its TLS certificate from the development CA, so both servers speak HTTPS with the same kind of key
            DevelopmentCa.Issued server = ca.issueServer("127.0.0.1");
            Path tls = Files.createTempDirectory("keycloak-tls");
            Files.writeString(tls.resolve("server.crt.pem"), Pem.encode(server.certificate()) + Pem.encode(ca.certificate()));
            Files.writeString(tls.resolve("server.key.pem"), Pem.encode(server.key()));
            int port = 18_543;
            ProcessBuilder pb = new ProcessBuilder("bash", "bench/keycloak.sh", "start", home.toString(),
                    Integer.toString(port), tls.resolve("server.crt.pem").toString(), tls.resolve("server.key.pem").toString())
                    .redirectErrorStream(true).redirectOutput(tls.resolve("keycloak.log").toFile());
            Process process = pb.start();
            SSLContext ssl = Enrolment.trustingContext(ca.certificate());
            HttpClient admin = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).build();
            String base = "https://127.0.0.1:" + port;
            long deadline = System.nanoTime() + 300_000_000_000L;
            String adminToken = null;
            while (adminToken == null) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Keycloak stopped; see " + tls.resolve("keycloak.log"));
                }
                if (System.nanoTime() > deadline) {
                    process.destroy();
                    throw new IllegalStateException("Keycloak did not start in 5 minutes; see " + tls.resolve("keycloak.log"));
                }
                try {
                    HttpResponse<String> r = admin.send(HttpRequest.newBuilder(URI.create(base
                                    + "/realms/master/protocol/openid-connect/token"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "grant_type=password&client_id=admin-cli&username=admin&password=bench-admin")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        adminToken = r.body().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
                    }
                } catch (IOException notYet) {
                    Thread.sleep(1000);
                }
            }
            adminCall(admin, base + "/admin/realms", adminToken, "{\"realm\":\"bench\",\"enabled\":true}");
            List<Requester> requesters = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String secret = "bench-secret-" + i + "-" + java.util.UUID.randomUUID();
                adminCall(admin, base + "/admin/realms/bench/clients", adminToken, "{\"clientId\":\"bench-" + i + "\","
                        + "\"secret\":\"" + secret + "\",\"publicClient\":false,\"serviceAccountsEnabled\":true,"
                        + "\"standardFlowEnabled\":false,\"directAccessGrantsEnabled\":false,"
                        + "\"clientAuthenticatorType\":\"client-secret\"}");
                HttpClient client = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).build();
                HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/realms/bench/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=bench-" + i
                                + "&client_secret=" + secret)).build();
                requesters.add(requester(client, request));
            }
            HttpResponse<String> info = admin.send(HttpRequest.newBuilder(URI.create(base + "/admin/serverinfo"))
                    .header("Authorization", "Bearer " + adminToken).build(), HttpResponse.BodyHandlers.ofString());
            String version = info.body().replaceAll("(?s).*\"systemInfo\":\\{\"version\":\"([^\"]+)\".*", "$1");
            return new Keycloak(process, requesters, version.length() < 40 ? version : "26");
        }

        private static void adminCall(HttpClient admin, String uri, String token, String body) throws Exception {
            HttpResponse<String> r = admin.send(HttpRequest.newBuilder(URI.create(uri))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("Keycloak " + uri + " answered " + r.statusCode() + ": " + r.body());
            }
        }


        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
    }
}
