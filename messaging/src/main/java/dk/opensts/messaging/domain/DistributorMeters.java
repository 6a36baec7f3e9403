package dk.opensts.messaging.domain;

import dk.opensts.messaging.store.DeliveryStore;
import dk.opensts.platform.error.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The message distributor's metrics, for operators (served at {@code /actuator/prometheus}).
 *
 * <p>Counters of what this node did: messages published by channel and outcome, refusals by
 * error code, deliveries made, delivered (by the way the receiver reads its dueslag), moved to the
 * error queue and requeued, and push attempts that failed and wait to be tried again. A count made in
 * a transaction is added once that transaction commits, so a rolled-back write counts nothing.
 *
 * <p>Gauges of what waits in every dueslag, read from the database by {@link BacklogSampler} every
 * so often (the same on every node): deliveries waiting, leased and in the error queue, in all and
 * per receiving system; how long the oldest waiting delivery has waited; replays running. Until the
 * first reading, and while the database cannot be read, they are NaN and the per-receiver series
 * are gone: a stale figure would say the distributor is keeping up when nobody knows.
 */
public class DistributorMeters {

    /** How a receiver reads its dueslag. */
    public enum Via { AMQP, PULL, PUSH }

    /** What an arrival came to: stored now, or stored before with the same content. */
    public enum Published { STORED, DUPLICATE }

    /** A state of deliveries not yet delivered, as the backlog gauges' tag, with its count in a reading. */
    private enum State {
        READY(DeliveryStore.Backlog::ready), LEASED(DeliveryStore.Backlog::leased), FAILED(DeliveryStore.Backlog::failed);

        final ToLongFunction<DeliveryStore.Backlog> of;
        final String tag = name().toLowerCase(Locale.ROOT);

        State(ToLongFunction<DeliveryStore.Backlog> of) {
            this.of = of;
        }
    }

    public static final String PUBLISHED = "opensts.messaging.published";
    public static final String REFUSED = "opensts.messaging.refused";
    public static final String MADE = "opensts.messaging.deliveries.made";
    public static final String DELIVERED = "opensts.messaging.deliveries.delivered";
    public static final String FAILED = "opensts.messaging.deliveries.failed";
    public static final String REQUEUED = "opensts.messaging.deliveries.requeued";
    public static final String PUSH_RETRIES = "opensts.messaging.push.retries";
    public static final String BACKLOG = "opensts.messaging.backlog";
    public static final String OLDEST = "opensts.messaging.backlog.oldest.age";
    public static final String RECEIVER_BACKLOG = "opensts.messaging.receiver.backlog";
    public static final String RECEIVER_OLDEST = "opensts.messaging.receiver.backlog.oldest.age";
    public static final String REPLAYS = "opensts.messaging.replays.running";

    /** What waits in every dueslag when it was read. */
    public record Backlog(List<DeliveryStore.Backlog> receivers, long replays) {
    }

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Counter made;
    private final Counter failed;
    private final Counter requeued;
    private final Counter pushRetries;
    private final MultiGauge receiverBacklog;
    private final MultiGauge receiverOldest;
    private volatile Backlog backlog;

    public DistributorMeters(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        made = Counter.builder(MADE).description("Deliveries made: one per stored message and receiver").register(registry);
        failed = Counter.builder(FAILED).description("Deliveries moved to the error queue").register(registry);
        requeued = Counter.builder(REQUEUED).description("Deliveries put back in line from the error queue")
                .register(registry);
        pushRetries = Counter.builder(PUSH_RETRIES)
                .description("HTTP pushes that failed and wait to be tried again after a back-off").register(registry);
        // the series known beforehand exist from the start, so that a rate sees their first counts
        for (Via via : Via.values()) {
            delivered(via);
        }
        for (String channel : List.of("REST", "AMQP", "INTERNAL")) {
            for (Published outcome : Published.values()) {
                published(channel, outcome);
            }
        }
        for (State state : State.values()) {
            Gauge.builder(BACKLOG, this, m -> m.total(state))
                    .description("Deliveries not yet delivered, of every dueslag: waiting (ready), handed out (leased), in the error queue (failed)")
                    .tag("state", state.tag).register(registry);
        }
        Gauge.builder(OLDEST, this, DistributorMeters::oldestAgeOfAll)
                .description("How long the oldest waiting delivery of any dueslag has waited (0: none waits)")
                .baseUnit("seconds").register(registry);
        Gauge.builder(REPLAYS, this, m -> m.backlog == null ? Double.NaN : m.backlog.replays())
                .description("Replays of dueslag not yet done").register(registry);
        receiverBacklog = MultiGauge.builder(RECEIVER_BACKLOG)
                .description("Deliveries not yet delivered to a receiving system (all its municipalities), by state")
                .register(registry);
        receiverOldest = MultiGauge.builder(RECEIVER_OLDEST)
                .description("How long the oldest waiting delivery of a receiving system has waited")
                .baseUnit("seconds").register(registry);
    }

    /** An arrival over {@code channel} (REST, AMQP, INTERNAL) was stored, or found stored before. */
    public void published(String channel, Published outcome, int n) {
        if (n <= 0) {
            return;
        }
        add(published(channel, outcome), n);
    }

    private Counter published(String channel, Published outcome) {
        return counter(PUBLISHED, "channel", channel, "outcome", outcome.name().toLowerCase(Locale.ROOT),
                "Messages published, by channel and outcome");
    }

    /** An arrival over {@code channel} was refused, for the reason {@code refusal} gives. */
    public void refused(String channel, ApiException refusal) {
        add(counter(REFUSED, "channel", channel, "code", refusal.code().name(), "Messages refused, by channel and error code"), 1);
    }

    /** Deliveries were made for stored messages. */
    public void made(int n) {
        add(made, n);
    }

    /** Receivers took deliveries. */
    public void delivered(Via via, int n) {
        if (n <= 0) {
            return;
        }
        add(delivered(via), n);
    }

    private Counter delivered(Via via) {
        return counter(DELIVERED, "via", via.name().toLowerCase(Locale.ROOT), null, null,
                "Deliveries receivers took, by the way they read their dueslag");
    }

    /** Deliveries went to the error queue. */
    public void failed(int n) {
        add(failed, n);
    }

    /** Deliveries came back from the error queue. */
    public void requeued(int n) {
        add(requeued, n);
    }

    /** A push failed and will be tried again. */
    public void pushRetried() {
        add(pushRetries, 1);
    }

    /** What waits now, as just read; {@code null} when it could not be read. */
    public void sampled(Backlog read) {
        backlog = read;
        List<MultiGauge.Row<?>> waiting = new ArrayList<>();
        List<MultiGauge.Row<?>> oldest = new ArrayList<>();
        if (read != null) {
            for (DeliveryStore.Backlog b : read.receivers()) {
                String receiver = b.receiver().toString();
                for (State state : State.values()) {
                    waiting.add(MultiGauge.Row.of(Tags.of("receiver", receiver, "state", state.tag), state.of.applyAsLong(b)));
                }
                oldest.add(MultiGauge.Row.of(Tags.of("receiver", receiver), this, m -> m.waitedSince(b.oldestWaiting())));
            }
        }
        receiverBacklog.register(waiting, true);
        receiverOldest.register(oldest, true);
    }

    private double total(State state) {
        Backlog b = backlog;
        return b == null ? Double.NaN : b.receivers().stream().mapToLong(state.of).sum();
    }

    /** {@link #waitedSince} the oldest waiting delivery of every dueslag. */
    private double oldestAgeOfAll() {
        Backlog b = backlog;
        return b == null ? Double.NaN : waitedSince(b.receivers().stream().map(DeliveryStore.Backlog::oldestWaiting)
                .filter(java.util.Objects::nonNull).min(Instant::compareTo).orElse(null));
    }

    /**
     * Seconds since {@code oldest} (0 when nothing waits), as of now rather than of the reading: a
     * dueslag that does not move shows its age growing between readings. NaN without a reading.
     */
    private double waitedSince(Instant oldest) {
        if (backlog == null) {
            return Double.NaN;
        }
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toNanos() / 1e9);
    }

    private Counter counter(String name, String k1, String v1, String k2, String v2, String description) {
        String key = name + '|' + v1 + '|' + v2;
        return counters.computeIfAbsent(key, x -> {
            Counter.Builder b = Counter.builder(name).description(description).tag(k1, v1);
            return (k2 == null ? b : b.tag(k2, v2)).register(registry);
        });
    }

    /** Adds {@code n} now, or once the caller's transaction commits. */
    private static void add(Counter counter, int n) {
        if (n <= 0) {
            return;
        }
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    counter.increment(n);
                }
            });
        } else {
            counter.increment(n);
        }
    }
}
