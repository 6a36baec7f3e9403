package dk.opensts.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.classification.api.Classifications;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.Services;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The message distributor end to end over AMQP against plain RabbitMQ, in the same run, on the same
 * broker: 4 publishers send 1 KB messages with publisher confirms; 10 subscribers with different
 * filters (KLE, object type, sensitivity, or none) consume their queues with manual ack.
 * <ul>
 * <li>OpenSTS: publish to {@code <prefix>.publish} with the token and {@code user_id}, the broker user
 * (OpenSTS runs with the certificate user required, as in production, the publisher's certificate
 * named as that user); OpenSTS stores each message with its deliveries in PostgreSQL, answers the
 * publisher and relays to the subscribers' dueslag queues.</li>
 * <li>Plain: publish the same messages to a topic exchange whose bindings express the same filters,
 * into 10 quorum queues (the dueslag queues are quorum queues too).</li>
 * </ul>
 * Throughput: publishers send as fast as the deliveries keep up (at most {@code --window} deliveries
 * outstanding), measured over {@code --seconds} after {@code --warmup}. Latency: at half of that
 * system's own throughput, from the publisher's send to the consumer's receipt, over every delivery.
 * Each run measures both; figures are medians over the runs.
 * <p>Before the runs, OpenSTS (in this process) is driven at full throughput until the JIT settles, as in
 * {@link LoginBench}: at least {@code --warmup} seconds, then until the JIT compiled for less than
 * {@code --jit-settled} of the last ten seconds, at most {@code --max-warmup} seconds in all.
 *
 * <pre>
 * java -cp ... dk.opensts.bench.MessagingBench [--seconds 10] [--warmup 5] [--max-warmup 480] [--jit-settled 0.05]
 *      [--runs 3] [--amqp amqp://guest:guest@127.0.0.1:5672]
 *      [--db-url jdbc:postgresql://...] (an empty external database instead of the embedded one)
 * RESULT messaging subscribers=10 publishers=4 size=1024 runs=3 fanout=... warmup_s=... jit_settled=...
 *        jit_share_during_runs=... opensts_msgs_per_s=... plain_msgs_per_s=...
 *        ratio=... opensts_p50_ms=... opensts_p99_ms=... plain_p50_ms=... plain_p99_ms=... half_load_opensts_msgs_per_s=...
 * </pre>
 */
public final class MessagingBench {

    static final String CVR = "29189846";
    static final String TYPE = "BenchBesked";
    static final int SUBSCRIBERS = 10;
    static final int PUBLISHERS = 4;
    static final String[] SENSITIVITY = {"IKKE_FORTROLIGE_DATA", "FORTROLIGE_PERSONOPLYSNINGER", "FOELSOMME_PERSONOPLYSNINGER"};

    private MessagingBench() {
    }

    public static void main(String[] args) throws Exception {
        Bench.Options o = new Bench.Options(args);
        double seconds = o.number("seconds", 10);
        double warmup = o.number("warmup", 5);
        double maxWarmup = o.number("max-warmup", 480);
        double jitSettled = o.number("jit-settled", 0.05);
        int runs = o.integer("runs", 3);
        int window = o.integer("window", 4000);
        // for profiling one side: --only opensts or --only plain
        String only = o.text("only", "");
        String uri = o.text("amqp", "amqp://guest:guest@127.0.0.1:5672");
        URI u = URI.create(uri);
        if (!reachable(u.getHost(), u.getPort() < 0 ? 5672 : u.getPort())) {
            Bench.result("messaging", new LinkedHashMap<>(Map.of("skipped", "no-amqp-broker")));
            return;
        }
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri);
        String brokerUser = Bench.brokerUser(uri);
        try (Bench.Server server = new Bench.Server(o.text("db-url", null), "--opensts.messaging.amqp.uri=" + uri,
                "--opensts.messaging.amqp.prefix=" + prefix, "--opensts.messaging.amqp.certificate-user=common-name");
             Connection admin = factory.newConnection("bench-admin")) {
            server.context.getBean(Classifications.class).ensureNationalClasses("BESKEDTYPE", "Beskedtyper",
                    Map.of(TYPE, "Benchmarkbesked"), "bench");
            // a publisher renews its token, as a real one does: the run outlasts a token (5 minutes)
            // named as the broker user: its certificate's common name is the user_id the publishers send
            DevelopmentCa.Issued publisher = server.enrolNamed(brokerUser, CVR, Services.MESSAGING,
                    List.of(new ServiceAgreements.Grant(Services.PUBLISH, Map.of())));
            java.util.function.Supplier<String> publishToken = renewing(() -> server.token(server.mutualTls(publisher),
                    CVR, Services.MESSAGING));
            List<String> openstsQueues = new ArrayList<>();
            for (int i = 0; i < SUBSCRIBERS; i++) {
                var cert = server.enrolGrants(CVR, Services.MESSAGING, List.of(new ServiceAgreements.Grant(
                        Services.SUBSCRIBE, Map.of(Constraints.SENSITIVITY, "FOELSOMME_PERSONOPLYSNINGER"))));
                String token = server.token(server.mutualTls(cert), CVR, Services.MESSAGING);
                server.ok(server.call("POST", "/api/messaging/v1/subscriptions", token, "application/json",
                        subscription(i).getBytes(StandardCharsets.UTF_8)));
                openstsQueues.add(server.ok(server.call("PUT", "/api/messaging/v1/dueslag/amqp", token,
                        "application/json", "{\"enabled\":true}".getBytes(StandardCharsets.UTF_8))).path("queue").asString());
            }
            // the plain broker: the same filters as topic bindings, into quorum queues
            String plainExchange = prefix + ".plain";
            List<String> plainQueues = new ArrayList<>();
            try (Channel ch = admin.createChannel()) {
                ch.exchangeDeclare(plainExchange, "topic", true);
                for (int i = 0; i < SUBSCRIBERS; i++) {
                    String q = plainExchange + ".q" + i;
                    ch.queueDeclare(q, true, false, false, Map.of("x-queue-type", "quorum"));
                    for (String key : bindings(i)) {
                        ch.queueBind(q, plainExchange, key);
                    }
                    plainQueues.add(q);
                }
            }
            double fanout = 0;
            for (int k = 0; k < 3000; k++) {
                fanout += receivers(k);
            }
            fanout /= 3000;
            System.err.printf("[bench] fan-out %.2f deliveries per message%n", fanout);

            // both send user_id, which the broker checks against the connection's user
            Target opensts = new Target("opensts", factory, prefix + ".publish", openstsQueues, publishToken, brokerUser);
            Target plain = new Target("plain", factory, plainExchange, plainQueues, null, brokerUser);
            List<Double> oTput = new ArrayList<>();
            List<Double> pTput = new ArrayList<>();
            List<Double> oP50 = new ArrayList<>();
            List<Double> oP99 = new ArrayList<>();
            List<Double> pP50 = new ArrayList<>();
            List<Double> pP99 = new ArrayList<>();
            List<Double> half = new ArrayList<>();
            // OpenSTS runs in this process: its steady state comes after the JIT settles (Bench.warmUp)
            Bench.Warmup warm = only.equals("plain") ? new Bench.Warmup(0, true)
                    : Bench.warmUp(warmup, maxWarmup, jitSettled, t -> opensts.throughput(0, t, window));
            Bench.JitClock runsClock = Bench.JitClock.start();
            for (int run = 0; run < runs; run++) {
                double p = only.equals("opensts") ? Double.NaN : plain.throughput(warmup, seconds, window);
                double s = only.equals("plain") ? Double.NaN : opensts.throughput(warmup, seconds, window);
                pTput.add(p);
                oTput.add(s);
                double[] pl = only.equals("opensts") ? new double[] {Double.NaN, Double.NaN}
                        : plain.latency(p / 2, Math.max(1, warmup / 2), seconds);
                double[] ol = only.equals("plain") ? new double[] {Double.NaN, Double.NaN}
                        : opensts.latency(s / 2, Math.max(1, warmup / 2), seconds);
                pP50.add(pl[0]);
                pP99.add(pl[1]);
                oP50.add(ol[0]);
                oP99.add(ol[1]);
                half.add(s / 2);
                Bench.progress(String.format("run %d: plain %.0f msg/s, opensts %.0f msg/s; at half load p99 plain %.1f ms,"
                        + " opensts %.1f ms", run + 1, p, s, pl[1], ol[1]));
            }
            double jitShare = runsClock.share();
            opensts.close();
            plain.close();
            try (Channel ch = admin.createChannel()) {
                for (String q : plainQueues) {
                    ch.queueDelete(q);
                }
                for (String q : openstsQueues) {
                    ch.queueDelete(q);
                }
                ch.exchangeDelete(plainExchange);
            }
            LinkedHashMap<String, Object> out = new LinkedHashMap<>();
            out.put("subscribers", SUBSCRIBERS);
            out.put("publishers", PUBLISHERS);
            out.put("size", 1024);
            out.put("runs", runs);
            out.put("fanout", fanout);
            out.put("warmup_s", warm.seconds());
            out.put("jit_settled", warm.settled());
            out.put("jit_share_during_runs", jitShare);
            out.put("opensts_msgs_per_s", Bench.median(oTput));
            out.put("plain_msgs_per_s", Bench.median(pTput));
            out.put("ratio", Bench.median(oTput) / Bench.median(pTput));
            out.put("half_load_opensts_msgs_per_s", Bench.median(half));
            out.put("opensts_p50_ms", Bench.median(oP50));
            out.put("opensts_p99_ms", Bench.median(oP99));
            out.put("plain_p50_ms", Bench.median(pP50));
            out.put("plain_p99_ms", Bench.median(pP99));
            out.put("errors", opensts.errors.get() + plain.errors.get());
            Bench.result("messaging", out);
        }
        // the server's own queues, once it has stopped: a running server declares them again when
        // they are deleted under it
        try (Connection admin = factory.newConnection("bench-admin"); Channel ch = admin.createChannel()) {
            ch.queueDelete(prefix + ".publish");
            ch.exchangeDelete(prefix + ".publish");
            ch.queueDelete(prefix + ".dead-letter");
            ch.exchangeDelete(prefix + ".dead-letter");
        }
    }

    /** A token from {@code issue}, issued again once it is a minute old. */
    static java.util.function.Supplier<String> renewing(java.util.function.Supplier<String> issue) {
        return new java.util.function.Supplier<>() {
            private String token;
            private long issuedAt;

            @Override
            public synchronized String get() {
                if (token == null || System.nanoTime() - issuedAt > 60_000_000_000L) {
                    token = issue.get();
                    issuedAt = System.nanoTime();
                }
                return token;
            }
        };
    }

    /** Subscriber i's filters: 0 takes everything; the others two KLE groups, some only cases, some not the most sensitive. */
    static String subscription(int i) {
        if (i == 0) {
            return "{\"name\":\"alt\",\"messageTypes\":[\"" + TYPE + "\"]}";
        }
        StringBuilder b = new StringBuilder("{\"name\":\"s" + i + "\",\"messageTypes\":[\"" + TYPE + "\"],\"kle\":[\"27.0"
                + i + ".*\",\"27.0" + (i + 1) % 10 + ".*\"]");
        if (i % 2 == 1) {
            b.append(",\"objectTypes\":[\"Sag\"]");
        }
        if (i % 3 == 0) {
            b.append(",\"maxSensitivity\":\"FORTROLIGE_PERSONOPLYSNINGER\"");
        }
        return b.append('}').toString();
    }

    /** The same filters as topic bindings over routing keys {@code 27.0g.00.<type>.S<level>}. */
    static List<String> bindings(int i) {
        if (i == 0) {
            return List.of("#");
        }
        List<String> out = new ArrayList<>();
        for (int g : new int[] {i, (i + 1) % 10}) {
            for (String type : i % 2 == 1 ? new String[] {"Sag"} : new String[] {"*"}) {
                for (String s : i % 3 == 0 ? new String[] {"S0", "S1"} : new String[] {"*"}) {
                    out.add("27.0" + g + ".*." + type + "." + s);
                }
            }
        }
        return out;
    }

    static int group(long k) {
        return (int) (k % 10);
    }

    static String type(long k) {
        return (k / 10) % 2 == 0 ? "Sag" : "Dokument";
    }

    static int level(long k) {
        return (int) ((k / 20) % 3);
    }

    /** How many subscribers message k reaches (the filters above). */
    static int receivers(long k) {
        int n = 1;
        for (int i = 1; i < SUBSCRIBERS; i++) {
            int g = group(k);
            boolean kle = g == i || g == (i + 1) % 10;
            boolean type = i % 2 == 0 || type(k).equals("Sag");
            boolean sens = i % 3 != 0 || level(k) <= 1;
            if (kle && type && sens) {
                n++;
            }
        }
        return n;
    }

    static final String PAD = "p".repeat(560);

    /** Message k, about 1 KB, with the send time for the latency. */
    static byte[] message(long k, UUID id, long sentNanos) {
        return ("{\"messageId\":\"" + id + "\",\"messageType\":\"" + TYPE + "\",\"filter\":{\"authority\":\"" + CVR
                + "\",\"object\":{\"id\":\"obj-" + (k % 1000) + "\",\"type\":\"" + type(k) + "\",\"action\":\"Opdateret\","
                + "\"kle\":\"27.0" + group(k) + ".00\",\"sensitivity\":\"" + SENSITIVITY[level(k)] + "\"}},"
                + "\"payload\":{\"contentType\":\"application/json\",\"data\":{\"t\":" + sentNanos + ",\"k\":" + k
                + ",\"pad\":\"" + PAD + "\"}}}").getBytes(StandardCharsets.UTF_8);
    }

    static long sentNanos(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        int i = s.indexOf("\"t\":");
        int j = s.indexOf(',', i);
        return Long.parseLong(s.substring(i + 4, j));
    }

    private static boolean reachable(String host, int port) {
        try (Socket s = new Socket(host, port)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** One system under test: its publishers' exchange and its subscribers' queues, consumed all the time. */
    static final class Target implements AutoCloseable {
        final String name;
        final String exchange;
        final java.util.function.Supplier<String> token;
        final String user;
        final Connection consumers;
        final Connection publishers;
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong expected = new AtomicLong();
        final AtomicLong sequence = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong answers = new AtomicLong();
        volatile ConcurrentLinkedQueue<Double> latencies;

        Target(String name, ConnectionFactory factory, String exchange, List<String> queues,
               java.util.function.Supplier<String> token, String user)
                throws Exception {
            this.name = name;
            this.exchange = exchange;
            this.token = token;
            this.user = user;
            this.consumers = factory.newConnection(name + "-consumers");
            this.publishers = factory.newConnection(name + "-publishers");
            for (String q : queues) {
                Channel ch = consumers.createChannel();
                ch.basicQos(500);
                ch.basicConsume(q, false, new DefaultConsumer(ch) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                                               byte[] body) throws java.io.IOException {
                        ConcurrentLinkedQueue<Double> l = latencies;
                        if (l != null) {
                            l.add((System.nanoTime() - sentNanos(body)) / 1e6);
                        }
                        delivered.incrementAndGet();
                        getChannel().basicAck(envelope.getDeliveryTag(), false);
                    }
                });
            }
        }

        /** Publishes as fast as deliveries keep up; returns messages per second over the measured seconds. */
        double throughput(double warmup, double seconds, int window) throws Exception {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong published = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                threads.add(publisher(stop, published, () -> expected.get() - delivered.get() > window, 0));
            }
            threads.forEach(Thread::start);
            Thread.sleep((long) (warmup * 1000));
            long p0 = published.get();
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long p1 = published.get();
            long t1 = System.nanoTime();
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            drain();
            return (p1 - p0) / ((t1 - t0) / 1e9);
        }

        /** Publishes at {@code rate} messages per second in all; returns p50 and p99 latency in ms. */
        double[] latency(double rate, double warmup, double seconds) throws Exception {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong published = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                threads.add(publisher(stop, published, () -> false, rate / PUBLISHERS));
            }
            threads.forEach(Thread::start);
            Thread.sleep((long) (warmup * 1000));
            ConcurrentLinkedQueue<Double> measured = new ConcurrentLinkedQueue<>();
            latencies = measured;
            Thread.sleep((long) (seconds * 1000));
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            drain();
            latencies = null;
            List<Double> values = new ArrayList<>(measured);
            return values.isEmpty() ? new double[] {Double.NaN, Double.NaN}
                    : new double[] {Bench.percentile(values, 50), Bench.percentile(values, 99)};
        }

        private void drain() throws InterruptedException {
            long until = System.currentTimeMillis() + 300_000;
            while (delivered.get() < expected.get() && System.currentTimeMillis() < until) {
                Thread.sleep(20);
            }
            if (delivered.get() < expected.get()) {
                errors.addAndGet(expected.get() - delivered.get());
                Bench.progress(name + ": " + (expected.get() - delivered.get()) + " deliveries missing after 5 min");
            }
        }

        /** A publisher thread: confirms every 50 messages; paced at {@code rate} per second when positive. */
        private Thread publisher(AtomicBoolean stop, AtomicLong published, java.util.function.BooleanSupplier full,
                                 double rate) throws Exception {
            Channel ch = publishers.createChannel();
            ch.confirmSelect();
            // OpenSTS answers each publish on reply_to, as the real distributor does; the answers are counted
            String replyTo = null;
            if (token != null) {
                replyTo = ch.queueDeclare().getQueue();
                ch.basicConsume(replyTo, true, new DefaultConsumer(ch) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                                               byte[] body) {
                        if (!new String(body, StandardCharsets.UTF_8).contains("\"STORED\"")) {
                            errors.incrementAndGet();
                        }
                        answers.incrementAndGet();
                    }
                });
            }
            String reply = replyTo;
            // a phase is a minute or less: one token from the renewing supplier lasts it
            String bearer = token == null ? null : token.get();
            return new Thread(() -> {
                try {
                    long start = System.nanoTime();
                    long sent = 0;
                    while (!stop.get()) {
                        if (full.getAsBoolean()) {
                            Thread.sleep(1);
                            continue;
                        }
                        int batch = rate > 0 ? 1 : 50;
                        for (int i = 0; i < batch; i++) {
                            long k = sequence.getAndIncrement();
                            UUID id = UUID.randomUUID();
                            Map<String, Object> headers = bearer == null ? Map.of()
                                    : Map.of("authorization", "Bearer " + bearer);
                            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                                    .messageId(id.toString()).deliveryMode(2).headers(headers).replyTo(reply)
                                    .userId(user).build();
                            expected.addAndGet(receivers(k));
                            ch.basicPublish(exchange, "27.0" + group(k) + ".00." + type(k) + ".S" + level(k), props,
                                    message(k, id, System.nanoTime()));
                        }
                        if (rate > 0) {
                            sent++;
                            if (sent % 10 == 0) {
                                ch.waitForConfirmsOrDie(30_000);
                            }
                            long due = start + (long) (sent * 1e9 / rate);
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            }
                        } else {
                            ch.waitForConfirmsOrDie(30_000);
                        }
                        published.addAndGet(batch);
                    }
                    ch.waitForConfirmsOrDie(30_000);
                    ch.close();
                } catch (Exception e) {
                    errors.incrementAndGet();
                    Bench.progress(name + " publisher: " + e);
                }
            }, name + "-publisher");
        }

        @Override
        public void close() throws Exception {
            consumers.close();
            publishers.close();
        }
    }
}
