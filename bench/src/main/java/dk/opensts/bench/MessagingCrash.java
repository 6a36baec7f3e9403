package dk.opensts.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dk.opensts.access.api.ItSystems;
import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.access.pki.Enrolment;
import dk.opensts.OpenStsApplication;
import dk.opensts.app.TestDatabase;
import dk.opensts.app.LocalPorts;
import dk.opensts.classification.api.Classifications;
import dk.opensts.messaging.domain.Subscription;
import dk.opensts.messaging.domain.Subscriptions;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.Services;
import java.io.File;
import java.io.IOException;
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
 * that outlives it; publishers send 1 KB messages (each retrying its message, same id, until it is
 * confirmed) while the process is killed with SIGKILL and started again; then every receiver reads
 * its dueslag empty. Every confirmed message must have reached every receiver; duplicates are
 * counted (the message id lets a receiver drop them), and so is any message about an object that
 * arrives before an earlier one about the same object.
 * <p>Two transports: REST (publish by {@code POST /messages}, read by lease and ack), or, with
 * {@code --amqp URI}, AMQP on that broker (publish to {@code <prefix>.publish} with confirms,
 * confirmed when OpenSTS answers STORED or DUPLICATE, with the certificate user required as in
 * production and {@code user_id} the URI's user; read each receiver's dueslag queue with
 * manual ack). On AMQP the relay's lease is {@code --lease} seconds (10 by default): what the
 * killed process had leased to its relay comes back when that lease runs out.
 *
 * <pre>
 * java -cp ... dk.opensts.bench.MessagingCrash [--publishers 4] [--receivers 3] [--before-kill 4] [--after-restart 4] [--kills 1]
 *      [--amqp amqp://guest:guest@127.0.0.1:5672] [--lease 10]
 * RESULT messaging-crash transport=rest|amqp publishers=4 receivers=3 kills=1 confirmed=... delivered=... lost=0 duplicated=... order_violations=0
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
        String amqp = o.text("amqp", "");
        if (!amqp.isEmpty()) {
            URI u = URI.create(amqp);
            if (!running(u.getHost(), u.getPort() < 0 ? 5672 : u.getPort())) {
                LinkedHashMap<String, Object> out = new LinkedHashMap<>();
                out.put("transport", "amqp");
                out.put("skipped", "no-amqp-broker");
                Bench.result("messaging-crash", out);
                return;
            }
        }
        Bench.result("messaging-crash", run(publishers, receivers, beforeKill, afterRestart, kills,
                amqp.isEmpty() ? null : amqp, o.integer("lease", 10)));
    }

    static LinkedHashMap<String, Object> run(int publishers, int receivers, double beforeKill, double afterRestart,
                                             int kills, String amqp, int leaseSeconds) throws Exception {
        String db = TestDatabase.newDatabase();
        Path dataDir = Files.createTempDirectory("opensts-crash-");
        int port = LocalPorts.free();
        int tlsPort = LocalPorts.free();
        List<String> common = List.of("--opensts.demo.enabled=false", "--opensts.db.url=" + db,
                "--opensts.db.user=postgres", "--opensts.db.password=", "--opensts.data-dir=" + dataDir,
                "--opensts.issuer=http://opensts.crash", "--logging.level.root=warn", "--spring.main.banner-mode=off",
                "--opensts.db.pool-size=8");
        String prefix = "crash-" + UUID.randomUUID().toString().substring(0, 8);

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
            // over AMQP named as the broker user: its certificate's common name is the user_id it sends
            publisherCert = Enrolment.enrolGrants(ca, systems, agreements, UUID.randomUUID(),
                    amqp != null ? Bench.brokerUser(amqp) : "Crash publisher", CVR,
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
        if (amqp != null) {
            serverArgs.addAll(List.of("--opensts.messaging.amqp.uri=" + amqp, "--opensts.messaging.amqp.prefix=" + prefix,
                    "--opensts.messaging.push.lease=PT" + leaseSeconds + "S",
                    "--opensts.messaging.amqp.certificate-user=common-name"));
        }
        Child server = Child.start(serverArgs, dataDir.resolve("server-0.log"), port);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String publishToken = token(client(publisherCert), tlsPort, json);
        List<String> receiverTokens = new ArrayList<>();
        List<String> queues = new ArrayList<>();
        for (DevelopmentCa.Issued cert : receiverCerts) {
            String token = token(client(cert), tlsPort, json);
            receiverTokens.add(token);
            if (amqp != null) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                + "/api/messaging/v1/dueslag/amqp")).header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"enabled\":true}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("dueslag on AMQP: " + r.statusCode() + " " + r.body());
                }
                queues.add(json.readTree(r.body()).path("queue").asString());
            }
        }
        ConnectionFactory broker = new ConnectionFactory();
        if (amqp != null) {
            broker.setUri(amqp);
            broker.setNetworkRecoveryInterval(500);
        }

        Set<String> confirmedIds = ConcurrentHashMap.newKeySet();
        AtomicLong confirmed = new AtomicLong();
        AtomicLong failedAttempts = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        String payload = "x".repeat(1024 - 200);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < publishers; t++) {
            int thread = t;
            Publisher publisher = amqp == null ? restPublisher(http, port, publishToken)
                    : new AmqpPublisher(broker.newConnection("crash-publisher-" + t), prefix, publishToken,
                            Bench.brokerUser(amqp), json);
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
                            if (publisher.send(id, body)) {
                                confirmedIds.add(id.toString());
                                confirmed.incrementAndGet();
                                break;
                            }
                        } catch (IOException e) {
                            // the server (or the broker) is down: try again
                        } catch (InterruptedException e) {
                            return;
                        }
                        failedAttempts.incrementAndGet();
                        sleep(200);
                        if (stop.get() && !running("127.0.0.1", port)) {
                            return;
                        }
                    }
                    n++;
                }
                try {
                    publisher.close();
                } catch (Exception e) {
                    // the run's figures do not depend on it
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
        Tally tally = new Tally(confirmedIds);
        for (int i = 0; i < receiverCerts.size(); i++) {
            if (amqp == null) {
                readByLease(http, port, receiverTokens.get(i), json, tally.receiver());
            } else {
                try (Connection c = broker.newConnection("crash-receiver-" + i)) {
                    // a delivery the killed process had leased to its relay comes back after its lease
                    readQueue(c, queues.get(i), json, tally.receiver(), Duration.ofSeconds(leaseSeconds + 35));
                }
            }
        }
        server.kill();
        if (amqp != null) {
            try (Connection c = broker.newConnection("crash-admin");
                 Channel ch = c.createChannel()) {
                for (String q : queues) {
                    ch.queueDelete(q);
                }
                for (String name : List.of(prefix + ".publish", prefix + ".dead-letter")) {
                    ch.queueDelete(name);
                    ch.exchangeDelete(name);
                }
            }
        }
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        out.put("transport", amqp == null ? "rest" : "amqp");
        out.put("publishers", publishers);
        out.put("receivers", receivers);
        out.put("kills", kills);
        out.put("confirmed", confirmed.get());
        out.put("delivered", tally.delivered);
        out.put("lost", tally.lost);
        out.put("duplicated", tally.duplicated);
        out.put("order_violations", tally.orderViolations);
        out.put("publish_retries", failedAttempts.get());
        return out;
    }

    /** One attempt to publish a message: true when OpenSTS confirmed it stored (now or before). */
    interface Publisher extends AutoCloseable {
        boolean send(UUID id, String body) throws IOException, InterruptedException;
    }

    static Publisher restPublisher(HttpClient http, int port, String token) {
        return new Publisher() {
            @Override
            public boolean send(UUID id, String body) throws IOException, InterruptedException {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/api/messaging/v1/messages"))
                        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 == 4) {
                    throw new IllegalStateException("refused: " + r.statusCode() + " " + r.body());
                }
                return r.statusCode() == 201 || r.statusCode() == 200;
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * Publishes to OpenSTS's exchange with the token in a header and publisher confirms, then waits
     * for OpenSTS's answer on its own reply queue; answers to earlier attempts are passed over.
     */
    static final class AmqpPublisher implements Publisher {
        private final Connection connection;
        private final Channel channel;
        private final String exchange;
        private final String token;
        private final String user;
        private final String replies;
        private final JsonMapper json;
        private final java.util.concurrent.BlockingQueue<com.rabbitmq.client.Delivery> answers =
                new java.util.concurrent.LinkedBlockingQueue<>();

        AmqpPublisher(Connection connection, String prefix, String token, String user, JsonMapper json)
                throws IOException {
            this.connection = connection;
            this.channel = connection.createChannel();
            this.channel.confirmSelect();
            this.replies = channel.queueDeclare().getQueue();
            this.channel.basicConsume(replies, true, (tag, answer) -> answers.add(answer), tag -> { });
            this.exchange = prefix + ".publish";
            this.token = token;
            this.user = user;
            this.json = json;
        }

        @Override
        public boolean send(UUID id, String body) throws IOException, InterruptedException {
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                    .contentType("application/json").messageId(id.toString()).correlationId(id.toString())
                    .replyTo(replies).deliveryMode(2).userId(user)
                    .headers(Map.of("authorization", "Bearer " + token)).build();
            try {
                channel.basicPublish(exchange, "crash", true, props, body.getBytes(StandardCharsets.UTF_8));
                if (!channel.waitForConfirms(10_000)) {
                    return false;
                }
            } catch (java.util.concurrent.TimeoutException | ShutdownSignalException e) {
                throw new IOException(e);
            }
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            for (long left; (left = until - System.nanoTime()) > 0; ) {
                com.rabbitmq.client.Delivery answer = answers.poll(left, java.util.concurrent.TimeUnit.NANOSECONDS);
                if (answer == null || !id.toString().equals(answer.getProperties().getCorrelationId())) {
                    continue;
                }
                JsonNode outcome = json.readTree(new String(answer.getBody(), StandardCharsets.UTF_8));
                String status = outcome.path("status").asString();
                if (status.equals("REFUSED") && outcome.path("httpStatus").asInt() / 100 == 4) {
                    throw new IllegalStateException("refused: " + outcome);
                }
                return status.equals("STORED") || status.equals("DUPLICATE");
            }
            return false;
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }

    /** What the receivers got, against what the publishers were confirmed. */
    static final class Tally {
        final Set<String> confirmed;
        long delivered;
        long duplicated;
        long lost;
        long orderViolations;

        Tally(Set<String> confirmed) {
            this.confirmed = Set.copyOf(confirmed);
        }

        /** One receiver's count: call {@link Receiver#got} for each delivery, then {@link Receiver#done}. */
        Receiver receiver() {
            return new Receiver();
        }

        final class Receiver {
            final Set<String> seen = new HashSet<>();
            final Map<String, Integer> lastSeq = new HashMap<>();

            void got(JsonNode envelope) {
                String id = envelope.path("messageId").asString();
                delivered++;
                if (!seen.add(id)) {
                    duplicated++;
                    return;
                }
                String object = envelope.path("filter").path("object").path("id").asString();
                int seq = envelope.path("payload").path("data").path("seq").asInt();
                Integer last = lastSeq.put(object, seq);
                if (last != null && last >= seq) {
                    orderViolations++;
                }
            }

            boolean hasAll() {
                return seen.containsAll(confirmed);
            }

            void done() {
                for (String id : confirmed) {
                    if (!seen.contains(id)) {
                        lost++;
                    }
                }
            }
        }
    }

    /** Leases and acknowledges the receiver's dueslag over REST until three leases in a row come back empty. */
    static void readByLease(HttpClient http, int port, String token, JsonMapper json, Tally.Receiver receiver)
            throws Exception {
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
                receiver.got(item.path("envelope"));
                ack.append(i == 0 ? "" : ",").append("{\"id\":").append(item.path("id").asLong())
                        .append(",\"leaseId\":\"").append(item.path("leaseId").asString()).append("\"}");
            }
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/messaging/v1/dueslag/ack"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(ack.append("]}").toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        receiver.done();
    }

    /**
     * Consumes the receiver's dueslag queue with manual ack: once it has every confirmed message,
     * until two seconds pass without another (late duplicates are counted); before that, until
     * {@code patience} passes without one.
     */
    static void readQueue(Connection connection, String queue, JsonMapper json,
                          Tally.Receiver receiver, Duration patience) throws Exception {
        try (Channel ch = connection.createChannel()) {
            long last = System.currentTimeMillis();
            while (System.currentTimeMillis() - last < (receiver.hasAll() ? 2_000 : patience.toMillis())) {
                GetResponse r = ch.basicGet(queue, false);
                if (r == null) {
                    Thread.sleep(50);
                    continue;
                }
                last = System.currentTimeMillis();
                receiver.got(json.readTree(new String(r.getBody(), StandardCharsets.UTF_8)));
                ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
            }
        }
        receiver.done();
    }

    private static boolean running(String host, int port) {
        try (java.net.Socket s = new java.net.Socket(host, port)) {
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
