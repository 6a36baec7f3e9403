package dk.opensts.platform.events;

import dk.opensts.platform.work.OwnThread;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.FailedEventPublications;
import org.springframework.modulith.events.ResubmissionOptions;

/**
 * Keeps the outbox (Spring Modulith's event publication registry, {@code platform.event_publication})
 * moving while the server runs, on a thread of its own, at start and then {@code every} after each
 * turn:
 * <ol>
 * <li><b>Stale publications are marked failed.</b> A publication whose listener has not finished
 * {@code staleAfter} after it was published or last handed out again: the node stopped between the
 * commit and the listener, or while the listener ran. It is measured from the last hand-out, not from
 * the publication, so a retry that is at work is not taken for a stopped one.</li>
 * <li><b>Failed publications are handed to their listeners again</b>, the oldest first, in batches
 * of {@value #BATCH} (Spring Modulith's re-submission), one after the other for as long as each
 * leaves fewer failed ({@link #resubmitFailed}). One that fails again is failed for the next turn:
 * nothing is given up, and the gauges show it.</li>
 * <li><b>What the outbox holds is read for the gauges</b> {@value #PUBLICATIONS} (by status) and
 * {@value #OLDEST} (seconds since the oldest was published); NaN until the first reading and while
 * the outbox cannot be read.</li>
 * </ol>
 * Without it a publication whose listener failed (the database away for a moment, a deadlock) waited
 * for the next restart. The listeners are idempotent (the change feed skips a change it has, the
 * distributor stores a message id once), so a publication handed out twice, by two nodes or to a
 * listener taken for stopped that was only slow, does no harm. Completed publications are deleted
 * (completion mode {@code delete}), so every row here is one that has not yet completed.
 */
public class OutboxKeeper extends OwnThread {

    /** Publications not yet completed, by status: {@code published}, {@code processing}, {@code failed}, {@code resubmitted}. */
    public static final String PUBLICATIONS = "opensts.outbox.publications";
    /** Seconds since the oldest publication not yet completed was published (0: none). */
    public static final String OLDEST = "opensts.outbox.oldest.age";
    /** Publications this node marked failed because their listener had not finished in time. */
    public static final String STALE = "opensts.outbox.stale";
    /** Failed publications handed out again in one turn, and at work at once. */
    static final int BATCH = 100;
    /** How long a turn waits for a batch handed out again to finish before it leaves the rest to the next turn. */
    static final Duration ROUND_LIMIT = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(OutboxKeeper.class);

    /** The statuses of a publication not yet completed (Spring Modulith's, less {@code COMPLETED}). */
    enum Status {
        PUBLISHED, PROCESSING, FAILED, RESUBMITTED;

        /** The status of that name; {@code null} for one that is not waiting. */
        static Status of(String name) {
            for (Status status : values()) {
                if (status.name().equals(name)) {
                    return status;
                }
            }
            return null;
        }
    }

    /** A reading of the outbox: publications not yet completed by status, and when the oldest was published. */
    record Reading(Map<Status, Long> counts, Instant oldest) {
    }

    private final JdbcClient jdbc;
    private final FailedEventPublications failed;
    private final Clock clock;
    private final Duration staleAfter;
    private final Counter stale;
    private volatile Reading reading;
    private boolean failing;

    public OutboxKeeper(JdbcClient jdbc, FailedEventPublications failed, MeterRegistry registry, Clock clock,
                        Duration every, Duration staleAfter) {
        super("opensts-outbox", Duration.ZERO, every);
        if (staleAfter.isNegative() || staleAfter.isZero()) {
            throw new IllegalArgumentException("opensts.outbox.stale-after must be more than zero");
        }
        this.jdbc = jdbc;
        this.failed = failed;
        this.clock = clock;
        this.staleAfter = staleAfter;
        for (Status status : Status.values()) {
            Gauge.builder(PUBLICATIONS, this, k -> k.count(status))
                    .tag("status", status.name().toLowerCase(Locale.ROOT))
                    .description("Outbox publications whose listener has not completed, by status")
                    .register(registry);
        }
        Gauge.builder(OLDEST, this, OutboxKeeper::oldestAge).baseUnit("seconds")
                .description("How long ago the oldest outbox publication not yet completed was published (0: none)")
                .register(registry);
        stale = Counter.builder(STALE)
                .description("Outbox publications marked failed because their listener had not finished in time")
                .register(registry);
    }

    @Override
    protected void turn() {
        try {
            markStaleFailed();
            resubmitFailed();
            if (failing) {
                log.info("outbox: read and resubmitted again");
                failing = false;
            }
        } catch (RuntimeException e) {
            reading = null;
            if (!failing) {
                log.warn("outbox: could not be kept (stale publications, failed ones resubmitted, gauges); "
                        + "the gauges show NaN until it can: {}", e.toString());
                failing = true;
            }
        }
    }

    /** Marks failed what has not finished {@code staleAfter} after it was published or last handed out. */
    void markStaleFailed() {
        List<String> listeners = jdbc.sql("UPDATE platform.event_publication SET status = 'FAILED'"
                        + " WHERE completion_date IS NULL AND status IN ('PUBLISHED', 'PROCESSING', 'RESUBMITTED')"
                        + " AND coalesce(last_resubmission_date, publication_date) < :before RETURNING listener_id")
                .param("before", Timestamp.from(clock.instant().minus(staleAfter)))
                .query(String.class).list();
        if (!listeners.isEmpty()) {
            stale.increment(listeners.size());
            log.warn("outbox: {} publication(s) not finished within {} marked failed, to be handed out again: {}",
                    listeners.size(), staleAfter, listeners.stream().distinct().toList());
        }
    }

    /**
     * Hands failed publications to their listeners again, {@value #BATCH} at a time, for as long as a
     * batch leaves fewer failed than before: a backlog left by an outage drains in this turn rather
     * than {@value #BATCH} a turn, and while the cause is still there one batch a turn tries it.
     * Each batch is waited for (at most {@link #ROUND_LIMIT}) before the next is handed out. The
     * outbox is read for the gauges first and after each batch, so they follow a long drain.
     */
    void resubmitFailed() {
        ResubmissionOptions options = ResubmissionOptions.defaults().withBatchSize(BATCH).withMaxInFlight(BATCH);
        reading = read();
        long waiting = reading.counts().get(Status.FAILED);
        while (waiting > 0 && running()) {
            Instant round = clock.instant().minusMillis(1);
            failed.resubmit(options);
            boolean finished = awaitRound(round);
            reading = read();
            long left = reading.counts().get(Status.FAILED);
            if (!finished || left >= waiting) {
                break;
            }
            waiting = left;
        }
    }

    /** Whether the publications handed out since {@code round} have all finished (completed or failed again). */
    private boolean awaitRound(Instant round) {
        long end = System.nanoTime() + ROUND_LIMIT.toNanos();
        while (running() && System.nanoTime() < end) {
            long busy = jdbc.sql("SELECT count(*) FROM platform.event_publication WHERE completion_date IS NULL"
                            + " AND status IN ('RESUBMITTED', 'PROCESSING') AND last_resubmission_date >= :round")
                    .param("round", Timestamp.from(round)).query(Long.class).single();
            if (busy == 0) {
                return true;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** What the outbox holds that has not completed. */
    Reading read() {
        Map<Status, Long> counts = new EnumMap<>(Status.class);
        for (Status status : Status.values()) {
            counts.put(status, 0L);
        }
        Instant[] oldest = {null};
        jdbc.sql("SELECT coalesce(status, 'FAILED') AS status, count(*) AS n, min(publication_date) AS oldest"
                        + " FROM platform.event_publication WHERE completion_date IS NULL GROUP BY 1")
                .query(rs -> {
                    Status status = Status.of(rs.getString("status"));
                    if (status == null) {
                        return; // COMPLETED without a completion date: nothing waits on it
                    }
                    counts.merge(status, rs.getLong("n"), Long::sum);
                    Instant first = rs.getTimestamp("oldest").toInstant();
                    if (oldest[0] == null || first.isBefore(oldest[0])) {
                        oldest[0] = first;
                    }
                });
        return new Reading(counts, oldest[0]);
    }

    private double count(Status status) {
        Reading r = reading;
        return r == null ? Double.NaN : r.counts().get(status);
    }

    /** As of now rather than of the reading, so an outbox that does not move shows its age growing. */
    private double oldestAge() {
        Reading r = reading;
        if (r == null) {
            return Double.NaN;
        }
        return r.oldest() == null ? 0 : Math.max(0, Duration.between(r.oldest(), clock.instant()).toNanos() / 1e9);
    }
}
