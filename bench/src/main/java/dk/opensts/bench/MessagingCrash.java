package dk.opensts.bench;

import dk.opensts.access.api.ItSystems;
import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.access.pki.Enrolment;
import dk.opensts.OpenStsApplication;
import dk.opensts.app.TestDatabase;
import dk.opensts.classification.api.Classifications;
import dk.opensts.messaging.domain.Subscription;
import dk.opensts.messaging.domain.Subscriptions;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.Services;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * No confirmed message is lost when the server dies: OpenSTS runs as its own process on a database
 * that outlives it; publishers send 1 KB messages over REST (each retrying its message, same id,
 * until it is confirmed) while the process is killed with SIGKILL and started again; then every
 * receiver reads its dueslag empty. Every confirmed message must have reached every receiver;
 * duplicates are counted (the message id lets a receiver drop them), and so is any message about
 * an object that arrives before an earlier one about the same object.
 *
 * <pre>
 * java -cp ... dk.opensts.bench.MessagingCrash [--publishers 4] [--receivers 3] [--before-kill 4] [--after-restart 4] [--kills 1]
 * RESULT messaging-crash publishers=4 receivers=3 kills=1 confirmed=... delivered=... lost=0 duplicated=... order_violations=0
 * </pre>
 */
public final class MessagingCrash {

    static final String CVR = "29189846";
    static final String TYPE = "BenchBesked";

    private MessagingCrash() {
    }

    public static void main(String[] args) throws Exception {
        Bench.Options o = new Bench.Options(args);
        int publishers = o.integer("publishers", 4);
        int receivers = o.integer("receivers", 3);
        double beforeKill = o.number("before-kill", 4);
        double afterRestart = o.number("after-restart", 4);
        int kills = o.integer("kills", 1);
        Bench.result("messaging-crash", run(publishers, receivers, beforeKill, afterRestart, kills));
    }

    static LinkedHashMap<String, Object> run(int publishers, int receivers, double beforeKill, double afterRestart,
                                             int kills) throws Exception {
        String db = TestDatabase.newDatabase();
        Path dataDir = Files.createTempDirectory("opensts-crash-");
        int port = freePort();
        int tlsPort = freePort();
        List<String> common = List.of("--opensts.demo.enabled=false", "--opensts.db.url=" + db,
                "--opensts.db.user=postgres", "--opensts.db.password=", "--opensts.data-dir=" + dataDir,
                "--opensts.issuer=http://opensts.crash", "--logging.level.root=warn", "--spring.main.banner-mode=off",
                "--opensts.db.pool-size=8");

        // set-up in this process: systems, agreements, certificates, the message type and subscriptions
        DevelopmentCa.Issued publisherCert;
        List<DevelopmentCa.Issued> receiverCerts = new ArrayList<>();
        List<String> setUpArgs = new ArrayList<>(common);
        setUpArgs.addAll(List.of("--server.port=0", "--opensts.tls.port=0"));
        try (ConfigurableApplicationContext setUp = new SpringApplicationBuilder(OpenStsApplication.class)
                .run(setUpArgs.toArray(String[]::new))) {
            setUp.getBean(Classifications.class).ensureNationalClasses("BESKEDTYPE", "Beskedtyper",
                    Map.of(TYPE, "Benchmarkbesked"), "bench");
            DevelopmentCa ca = setUp.getBean(DevelopmentCa.Holder.class).ca();
            ItSystems systems = setUp.getBean(ItSystems.class);
            ServiceAgreements agreements = setUp.getBean(ServiceAgreements.class);
            publisherCert = Enrolment.enrolGrants(ca, systems, agreements, UUID.randomUUID(), "Crash publisher", CVR,
                    Map.of(Services.MESSAGING, List.of(new ServiceAgreements.Grant(Services.PUBLISH, Map.of()))), "bench");
            Subscriptions subscriptions = setUp.getBean(Subscriptions.class);
            for (int i = 0; i < receivers; i++) {
                UUID id = UUID.randomUUID();
                receiverCerts.add(Enrolment.enrolGrants(ca, systems, agreements, id, "Crash receiver " + i, CVR,
                        Map.of(Services.MESSAGING, List.of(new ServiceAgreements.Grant(Services.SUBSCRIBE,
                                Map.of(Constraints.SENSITIVITY, "FOELSOMME_PERSONOPLYSNINGER")))), "bench"));
                subscriptions.create(id, CVR, new Subscription.Input("alt", List.of(TYPE), null, null, null, null, null),
                        "bench");
            }
        }

        JsonMapper json = JsonMapper.builder().build();
        List<String> serverArgs = new ArrayList<>(common);
        serverArgs.addAll(List.of("--server.port=" + port, "--opensts.tls.port=" + tlsPort));
        Child server = Child.start(serverArgs, dataDir.resolve("server-0.log"), port);
        HttpClient publisherClient = client(publisherCert);
        String publishToken = token(publisherClient, tlsPort, json);

        Map<String, Integer> confirmedSeq = new ConcurrentHashMap<>();
        Map<String, String> objectOf = new ConcurrentHashMap<>();
        AtomicLong confirmed = new AtomicLong();
        AtomicLong failedAttempts = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String payload = "x".repeat(1024 - 200);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < publishers; t++) {
            int thread = t;
            Thread th = new Thread(() -> {
                int n = 0;
                while (!stop.get()) {
                    String object = "obj-" + thread + "-" + (n % 20);
                    UUID id = UUID.randomUUID();
                    String body = "{\"messageId\":\"" + id + "\",\"messageType\":\"" + TYPE + "\",\"filter\":{\"authority\":\""
                            + CVR + "\",\"object\":{\"id\":\"" + object + "\",\"type\":\"Sag\",\"action\":\"Opdateret\"}},"
                            + "\"payload\":{\"contentType\":\"application/json\",\"data\":{\"seq\":" + n + ",\"pad\":\""
                            + payload + "\"}}}";
                    // the same message again until it is confirmed: a publisher's duty, safe by the message id
                    while (true) {
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + port + "/api/messaging/v1/messages"))
                                    .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + publishToken)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 201 || r.statusCode() == 200) {
                                confirmedSeq.put(id.toString(), n);
                                objectOf.put(id.toString(), object);
                                confirmed.incrementAndGet();
                                break;
                            }
                            if (r.statusCode() / 100 == 4) {
                                throw new IllegalStateException("refused: " + r.statusCode() + " " + r.body());
                            }
                        } catch (IOException e) {
                            // the server is down: try again
                        } catch (InterruptedException e) {
                            return;
                        }
                        failedAttempts.incrementAndGet();
                        sleep(200);
                        if (stop.get() && !running(port)) {
                            return;
                        }
                    }
                    n++;
                }
            }, "crash-publisher-" + t);
            th.start();
            threads.add(th);
        }
        for (int k = 0; k < kills; k++) {
            Thread.sleep((long) (beforeKill * 1000));
            long before = confirmed.get();
            server.kill();
            Bench.progress("SIGKILL after " + before + " confirmed messages");
            server = Child.start(serverArgs, dataDir.resolve("server-" + (k + 1) + ".log"), port);
            Bench.progress("restarted");
        }
        Thread.sleep((long) (afterRestart * 1000));
        stop.set(true);
        for (Thread th : threads) {
            th.join(30_000);
        }

        // every receiver reads its dueslag empty
        long delivered = 0;
        long duplicated = 0;
        long lost = 0;
        long orderViolations = 0;
        for (DevelopmentCa.Issued cert : receiverCerts) {
            HttpClient c = client(cert);
            String token = token(c, tlsPort, json);
            Set<String> seen = new HashSet<>();
            Map<String, Integer> lastSeq = new HashMap<>();
            int empty = 0;
            while (empty < 3) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                + "/api/messaging/v1/dueslag/lease?max=200&leaseSeconds=60"))
                        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode items = json.readTree(r.body()).path("items");
                if (items.isEmpty()) {
                    empty++;
                    Thread.sleep(300);
                    continue;
                }
                empty = 0;
                StringBuilder ack = new StringBuilder("{\"deliveries\":[");
                for (int i = 0; i < items.size(); i++) {
                    JsonNode item = items.get(i);
                    JsonNode env = item.path("envelope");
                    String id = env.path("messageId").asString();
                    delivered++;
                    if (!seen.add(id)) {
                        duplicated++;
                    } else {
                        String object = env.path("filter").path("object").path("id").asString();
                        int seq = env.path("payload").path("data").path("seq").asInt();
                        Integer last = lastSeq.put(object, seq);
                        if (last != null && last >= seq) {
                            orderViolations++;
                        }
                    }
                    ack.append(i == 0 ? "" : ",").append("{\"id\":").append(item.path("id").asLong())
                            .append(",\"leaseId\":\"").append(item.path("leaseId").asString()).append("\"}");
                }
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/messaging/v1/dueslag/ack"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(ack.append("]}").toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
            }
            for (String id : confirmedSeq.keySet()) {
                if (!seen.contains(id)) {
                    lost++;
                }
            }
        }
        server.kill();
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        out.put("publishers", publishers);
        out.put("receivers", receivers);
        out.put("kills", kills);
        out.put("confirmed", confirmed.get());
        out.put("delivered", delivered);
        out.put("lost", lost);
        out.put("duplicated", duplicated);
        out.put("order_violations", orderViolations);
        out.put("publish_retries", failedAttempts.get());
        return out;
    }

    private static boolean running(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static HttpClient client(DevelopmentCa.Issued cert) {
        return HttpClient.newBuilder().sslContext(Enrolment.clientContext(cert, cert.ca())).build();
    }

    private static String token(HttpClient client, int tlsPort, JsonMapper json) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + tlsPort
                        + "/oauth2/token")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(Bench.Server.tokenRequest(Services.MESSAGING, CVR))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("token: " + r.statusCode() + " " + r.body());
        }
        return json.readTree(r.body()).path("access_token").asString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** OpenSTS in a process of its own, killed with SIGKILL. */
    static final class Child {
        private final Process process;

        private Child(Process process) {
            this.process = process;
        }

        static Child start(List<String> args, Path log, int port) throws Exception {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx1g");
            cmd.add("-cp");
            cmd.add(classpath());
            cmd.add(OpenStsApplication.class.getName());
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long until = System.currentTimeMillis() + 120_000;
            HttpClient http = HttpClient.newHttpClient();
            while (System.currentTimeMillis() < until) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("OpenSTS exited at start; see " + log + ":\n" + tail(log));
                }
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/actuator/health")).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        return new Child(p);
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
            p.destroyForcibly();
            throw new IllegalStateException("OpenSTS did not start in 120 s; see " + log);
        }

        /**
         * This program's class path: the class loader's when it has its own (Maven's exec:java runs
         * programs in a class loader of their own), else the JVM's.
         */
        static String classpath() {
            if (MessagingCrash.class.getClassLoader() instanceof java.net.URLClassLoader u) {
                List<String> paths = new ArrayList<>();
                for (java.net.URL url : u.getURLs()) {
                    try {
                        paths.add(Path.of(url.toURI()).toString());
                    } catch (java.net.URISyntaxException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return String.join(File.pathSeparator, paths);
            }
            return System.getProperty("java.class.path");
        }

        /** SIGKILL: no shutdown hook, no graceful stop. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        private static String tail(Path log) throws IOException {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        }
    }
}
