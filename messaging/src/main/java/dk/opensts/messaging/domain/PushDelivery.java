package dk.opensts.messaging.domain;

import dk.opensts.messaging.store.DeliveryStore;
import dk.opensts.platform.index.RecordBinder;
import dk.opensts.platform.work.OwnThread;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers to receivers that registered a push endpoint, and sweeps every dueslag: a loop leases
 * due deliveries of push receivers (keeping the order per object), POSTs each envelope as JSON,
 * acknowledges on a 2xx answer and otherwise retries with exponential back-off, until the
 * receiver's last attempt sends it to the error queue and its sender is told. The request carries
 * {@code X-OpenSTS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">} with the
 * receiver's secret, or is sent over mutual TLS with OpenSTS's client certificate.
 */
public class PushDelivery extends OwnThread {

    private static final Logger log = LoggerFactory.getLogger(PushDelivery.class);
    public static final String SIGNATURE = "X-OpenSTS-Signature";

    /** How the worker runs. */
    public record Settings(Duration tick, int batch, int senders, Duration leaseTime, Duration backoffBase,
                           Duration backoffMax, Duration timeout) {
    }

    private record Endpoint(String url, String auth, String secret, int maxAttempts) {
    }

    private final DeliveryStore store;
    private final Dueslag dueslag;
    private final Distributor distributor;
    private final RecordBinder binder;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final DistributorMeters meters;
    private final Settings settings;
    private final HttpClient plain;
    private final HttpClient mutual;
    private ExecutorService senders;

    public PushDelivery(DeliveryStore store, Dueslag dueslag, Distributor distributor, RecordBinder binder,
                        JdbcClient jdbc, TransactionTemplate tx, Clock clock, DistributorMeters meters, Settings settings,
                        SSLContext serverTrust, SSLContext clientTls) {
        super("opensts-dueslag", settings.tick(), settings.tick());
        this.store = store;
        this.dueslag = dueslag;
        this.distributor = distributor;
        this.binder = binder;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.meters = meters;
        this.settings = settings;
        HttpClient.Builder plainBuilder = HttpClient.newBuilder().connectTimeout(settings.timeout());
        if (serverTrust != null) {
            plainBuilder.sslContext(serverTrust);
        }
        this.plain = plainBuilder.build();
        this.mutual = clientTls == null ? null
                : HttpClient.newBuilder().connectTimeout(settings.timeout()).sslContext(clientTls).build();
    }

    @Override
    protected void starting() {
        senders = Executors.newFixedThreadPool(settings.senders(), r -> {
            Thread t = new Thread(r, "opensts-push");
            t.setDaemon(true);
            return t;
        });
        distributor.onStored(this::wake);
    }

    @Override
    protected void stopped() {
        senders.shutdown();
        awaitEnd(senders);
    }

    /** New messages were stored: push at once instead of at the next tick (wake-ups coalesce). */
    @Override
    protected void awoken() {
        pushDue();
    }

    @Override
    protected void turn() {
        tick();
    }

    /**
     * One round: sweep, and push one batch (a full batch is followed at once by the next). The
     * retention purge runs on a thread of its own ({@link RetentionPurge}), so that it holds up
     * neither.
     */
    void tick() {
        try {
            dueslag.sweep(1000);
        } catch (RuntimeException e) {
            log.warn("dueslag sweep failed; the next round tries again: {}", e.toString());
        }
        pushDue();
    }

    /** Pushes batches while there are any (the receivers lease their shares). */
    void pushDue() {
        try {
            while (running() && pushBatch() > 0) {
                // there may be more due now
            }
        } catch (RuntimeException e) {
            log.warn("push round failed; the next round tries again: {}", e.toString());
        }
    }

    /** Leases and sends one batch; returns how many were leased. */
    int pushBatch() {
        List<DeliveryStore.Leased> batch = new java.util.ArrayList<>();
        List<Dueslag.Lease> leases = tx.execute(s -> {
            batch.addAll(store.lease(null, null, DeliveryStore.Reader.PUSH, settings.batch(), settings.leaseTime(),
                    clock.instant()));
            List<Dueslag.Lease> out = batch.stream().map(dueslag::lease).toList();
            dueslag.audit(out, "PUSH");
            return out;
        });
        if (batch.isEmpty()) {
            return 0;
        }
        Map<UUID, Endpoint> endpoints = endpoints(batch.stream().map(DeliveryStore.Leased::receiver).distinct().toList());
        List<CompletableFuture<Void>> sends = new java.util.ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            DeliveryStore.Leased l = batch.get(i);
            Dueslag.Lease lease = leases.get(i);
            sends.add(CompletableFuture.runAsync(() -> deliver(l, lease, endpoints.get(l.receiver())), senders));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        return batch.size();
    }

    private Map<UUID, Endpoint> endpoints(List<UUID> receivers) {
        Map<UUID, Endpoint> out = new java.util.HashMap<>();
        jdbc.sql("SELECT receiver, push_url, push_auth, push_secret, max_attempts FROM messaging.dueslag"
                        + " WHERE receiver = ANY(CAST(? AS uuid[]))")
                .param(receivers.toArray(UUID[]::new))
                .query((rs, n) -> out.put(rs.getObject(1, UUID.class),
                        new Endpoint(rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5))))
                .list();
        return out;
    }

    private void deliver(DeliveryStore.Leased l, Dueslag.Lease lease, Endpoint endpoint) {
        String error;
        try {
            if (endpoint == null || endpoint.url() == null) {
                error = "no push endpoint";
            } else {
                error = send(l, lease, endpoint);
            }
        } catch (RuntimeException e) {
            error = e.toString();
        }
        if (error == null) {
            tx.execute(s -> {
                List<Long> acked = store.ack(l.receiver(), Map.of(l.id(), l.leaseId()), clock.instant());
                meters.delivered(DistributorMeters.Via.PUSH, acked.size());
                return acked;
            });
            return;
        }
        String reason = error.length() > 500 ? error.substring(0, 500) : error;
        int max = endpoint == null ? DeliveryStore.DEFAULT_MAX_ATTEMPTS : endpoint.maxAttempts();
        if (l.attempts() >= max) {
            tx.executeWithoutResult(s -> distributor.notifySenders(
                    store.fail(l.receiver(), l.municipality(), List.of(l.id()), reason, clock.instant())));
        } else {
            tx.executeWithoutResult(s -> {
                if (store.retry(l.id(), l.leaseId(), clock.instant().plus(backoff(l.attempts())), reason)) {
                    meters.pushRetried();
                }
            });
        }
    }

    /** Sends one delivery; returns null when the receiver took it, otherwise why not. */
    private String send(DeliveryStore.Leased l, Dueslag.Lease lease, Endpoint endpoint) {
        byte[] body = binder.canonical(lease.envelope()).getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.url()))
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("X-OpenSTS-Message-Id", l.messageId().toString())
                .header("X-OpenSTS-Delivery-Id", Long.toString(l.id()))
                .header("X-OpenSTS-Attempt", Integer.toString(l.attempts()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        HttpClient client = plain;
        if ("MTLS".equals(endpoint.auth())) {
            if (mutual == null) {
                return "mutual TLS push needs OpenSTS's client certificate (opensts.messaging.push.client-keystore)";
            }
            client = mutual;
        } else {
            request.header(SIGNATURE, signature(dueslag.secret(l.receiver(), endpoint.secret()),
                    clock.instant().getEpochSecond(), body));
        }
        try {
            HttpResponse<Void> r = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() / 100 == 2 ? null : "the endpoint answered HTTP " + r.statusCode();
        } catch (java.io.IOException e) {
            return "the endpoint could not be reached: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The signature header value: {@code t=<seconds>,v1=<hex HMAC-SHA256(secret, "<seconds>." + body)>}. */
    public static String signature(String secret, long seconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((seconds + ".").getBytes(StandardCharsets.UTF_8));
            return "t=" + seconds + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The wait before the next attempt: the base doubled per attempt made, at most the maximum. */
    Duration backoff(int attempts) {
        long factor = 1L << Math.min(attempts - 1, 20);
        Duration d = settings.backoffBase().multipliedBy(factor);
        return d.compareTo(settings.backoffMax()) > 0 ? settings.backoffMax() : d;
    }
}
