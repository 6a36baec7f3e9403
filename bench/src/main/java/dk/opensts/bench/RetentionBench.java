package dk.opensts.bench;

import dk.opensts.messaging.domain.Dueslag;
import dk.opensts.messaging.store.DeliveryStore;
import dk.opensts.messaging.store.ReplayStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The dueslag's retention purge on a full table: {@code --messages} messages of {@code --envelope}
 * bytes with {@code --fanout} deliveries each, received evenly over the 30 days of retention and
 * {@code --expired-hours} before them, written straight into a fresh embedded PostgreSQL, in order of
 * time, as the distributor writes them, then {@code VACUUM ANALYZE}d. One delivery in
 * {@code --waiting-every} still waits (a receiver that has not read it), the rest are delivered.
 * Then {@link Dueslag#purge()} runs as the server runs it once an hour, timed, while another
 * connection samples every 10 ms how long the oldest open transaction of any client has been open.
 * It checks that nothing finished and older than retention is left. Then what {@code GET /dueslag}
 * reads of a receiver with deliveries waiting ({@link Dueslag#waiting}), five times, against the count
 * of every state it read before, and what the distributor's metrics read of every dueslag
 * ({@link Dueslag#backlog}), five times. Then one receiver rewinds its
 * dueslag to the start of retention: the replay is recorded as the API records it
 * ({@link Dueslag#replay}) and stepped to its end ({@link Dueslag#replaySteps}), timed and sampled the
 * same way, and it checks that every delivery since then is due again; with those waiting, the
 * backlog is read five times more. Per run: a new server; figures are
 * medians over {@code --runs}.
 */
public final class RetentionBench {

    static final String MUNICIPALITY = "29189846";
    static final UUID[] RECEIVERS = new UUID[10];

    static {
        for (int i = 0; i < RECEIVERS.length; i++) {
            RECEIVERS[i] = UUID.nameUUIDFromBytes(("receiver " + i).getBytes());
        }
    }

    public static void main(String[] args) throws Exception {
        Bench.Options options = new Bench.Options(args);
        int messages = options.integer("messages", 2_000_000);
        int fanout = options.integer("fanout", 2);
        int envelope = options.integer("envelope", 512);
        double expiredHours = options.number("expired-hours", 1);
        int waitingEvery = options.integer("waiting-every", 1000);
        int runs = options.integer("runs", 3);
        Duration retention = Duration.ofDays(30);
        List<Double> purges = new ArrayList<>();
        List<Double> longest = new ArrayList<>();
        List<Double> replays = new ArrayList<>();
        List<Double> replayLongest = new ArrayList<>();
        List<Double> allStates = new ArrayList<>();
        List<Double> waitingMs = new ArrayList<>();
        List<Double> backlogMs = new ArrayList<>();
        List<Double> largeBacklogMs = new ArrayList<>();
        long largeBacklog = 0;
        long replayed = 0;
        long deleted = 0;
        long deliveries = 0;
        long tableMb = 0;
        for (int run = 0; run < runs; run++) {
            // the server's own purge waits a day: the benchmark runs the purge itself
            try (Bench.Server server = new Bench.Server(options.text("db-url", null),
                    "--opensts.messaging.purge.first-after=P1D", "--opensts.messaging.replay.every=P1D")) {
                DataSource ds = server.dataSource();
                JdbcClient jdbc = JdbcClient.create(ds);
                long t0 = Bench.nanos();
                fill(jdbc, messages, fanout, envelope, retention.plusMinutes(Math.round(expiredHours * 60)), waitingEvery);
                jdbc.sql("VACUUM ANALYZE messaging.delivery").update();
                jdbc.sql("VACUUM ANALYZE messaging.message").update();
                deliveries = jdbc.sql("SELECT count(*) FROM messaging.delivery").query(Long.class).single();
                tableMb = jdbc.sql("SELECT (pg_total_relation_size('messaging.delivery')"
                        + " + pg_total_relation_size('messaging.message')) / 1048576").query(Long.class).single();
                Bench.progress(String.format(java.util.Locale.ROOT, "filled %,d deliveries (%,d MB with messages) in %.0f s",
                        deliveries, tableMb, Bench.millis(t0) / 1000));

                Instant cut = Instant.now().minus(retention);
                long expired = jdbc.sql("SELECT count(*) FROM messaging.delivery WHERE created_at < ?"
                        + " AND state IN ('DELIVERED', 'FAILED')").param(Timestamp.from(cut)).query(Long.class).single();
                Sampled purge = sampled(ds, () -> server.context.getBean(Dueslag.class).purge());
                int purged = purge.result();
                long left = jdbc.sql("SELECT count(*) FROM messaging.delivery WHERE created_at < ?"
                        + " AND state IN ('DELIVERED', 'FAILED')").param(Timestamp.from(cut)).query(Long.class).single();
                long orphans = jdbc.sql("SELECT count(*) FROM messaging.message m WHERE m.received_at < ? AND NOT EXISTS"
                        + " (SELECT 1 FROM messaging.delivery d WHERE d.message_id = m.id)")
                        .param(Timestamp.from(cut)).query(Long.class).single();
                if (left != 0 || orphans != 0 || purged < expired) {
                    throw new IllegalStateException("the purge left " + left + " finished deliveries and " + orphans
                            + " messages older than retention, deleting " + purged + " of " + expired);
                }
                deleted = purged;
                purge.keep(run, "purged", purges, longest);

                // what GET /dueslag reads: the waiting rows on their indexes, against counting every state
                // (as it did before ADR 16), five calls each about a receiver with deliveries waiting
                Dueslag dueslag = server.context.getBean(Dueslag.class);
                UUID busy = jdbc.sql("SELECT receiver FROM messaging.delivery WHERE state = 'READY' LIMIT 1")
                        .query(UUID.class).single();
                for (int call = 0; call < 5; call++) {
                    long c0 = Bench.nanos();
                    jdbc.sql("SELECT state, count(*) FROM messaging.delivery WHERE receiver = ? AND municipality = ?"
                            + " GROUP BY state").params(busy, MUNICIPALITY).query().listOfRows();
                    allStates.add(Bench.millis(c0));
                    long c1 = Bench.nanos();
                    DeliveryStore.Waiting w = dueslag.waiting(busy, MUNICIPALITY);
                    waitingMs.add(Bench.millis(c1));
                    if (w.ready() + w.leased() == 0) {
                        throw new IllegalStateException("no delivery waits in the dueslag read: " + w);
                    }
                }
                // what the metrics' sampler reads: every dueslag's backlog, by receiver
                backlog(dueslag, backlogMs);

                // one receiver rewinds its dueslag to the start of retention
                Instant from = Instant.now().minus(retention).plusSeconds(60);
                long expected = jdbc.sql("SELECT count(*) FROM messaging.delivery WHERE receiver = ? AND municipality = ?"
                                + " AND state = 'DELIVERED' AND created_at >= ?")
                        .params(RECEIVERS[0], MUNICIPALITY, Timestamp.from(from)).query(Long.class).single();
                // recorded as the API records it, then stepped to its end here (the server's runner waits a day)
                Sampled replay = sampled(ds, () -> {
                    UUID id = dueslag.replay(RECEIVERS[0], MUNICIPALITY, from, RECEIVERS[0].toString(), null).replay().id();
                    dueslag.replaySteps(() -> true);
                    ReplayStore.Replay done = dueslag.replay(RECEIVERS[0], MUNICIPALITY, id).orElseThrow();
                    if (done.phase() != ReplayStore.Phase.DONE) {
                        throw new IllegalStateException("the replay stopped in phase " + done.phase());
                    }
                    return Math.toIntExact(done.replayed());
                });
                int replayedNow = replay.result();
                long due = jdbc.sql("SELECT count(*) FROM messaging.delivery WHERE receiver = ? AND state = 'READY'"
                                + " AND available_at <= now()").param(RECEIVERS[0]).query(Long.class).single();
                if (replayedNow != expected || due < expected) {
                    throw new IllegalStateException("the replay made " + replayedNow + " of " + expected
                            + " deliveries wait again, " + due + " of them due");
                }
                replayed = replayedNow;
                replay.keep(run, "replayed", replays, replayLongest);
                // the same with the replayed rows waiting: a receiver hundreds of thousands behind
                largeBacklog = backlog(dueslag, largeBacklogMs);
            }
        }
        LinkedHashMap<String, Object> figures = new LinkedHashMap<>();
        figures.put("messages", messages);
        figures.put("deliveries", deliveries);
        figures.put("table_mb", tableMb);
        figures.put("deleted", deleted);
        figures.put("runs", runs);
        figures.put("purge_median_ms", Bench.median(purges));
        figures.put("longest_transaction_median_ms", Bench.median(longest));
        figures.put("status_median_ms", Bench.median(waitingMs));
        figures.put("status_all_states_median_ms", Bench.median(allStates));
        figures.put("backlog_median_ms", Bench.median(backlogMs));
        figures.put("large_backlog_waiting", largeBacklog);
        figures.put("large_backlog_median_ms", Bench.median(largeBacklogMs));
        figures.put("replayed", replayed);
        figures.put("replay_median_ms", Bench.median(replays));
        figures.put("replay_longest_transaction_median_ms", Bench.median(replayLongest));
        Bench.result("retention", figures);
    }

    /**
     * Messages received evenly from {@code span} ago until now, each with {@code fanout} deliveries to
     * ten receivers, written in order of time in slices of 100,000 messages.
     */
    static void fill(JdbcClient jdbc, int messages, int fanout, int envelope, Duration span, int waitingEvery) {
        Instant start = Instant.now().minus(span);
        double stepMicros = span.toNanos() / 1000.0 / messages;
        int slice = 100_000;
        for (int lo = 1; lo <= messages; lo += slice) {
            int hi = Math.min(messages, lo + slice - 1);
            jdbc.sql("INSERT INTO messaging.message (id, message_type, authority, sender, channel, envelope,"
                            + " content_hash, received_at, receivers) SELECT gen_random_uuid(), 'T', :m,"
                            + " md5('sender')::uuid, 'REST', :envelope, '\\x00', CAST(:start AS timestamptz) + make_interval(secs => g * CAST(:step AS double precision) / 1e6),"
                            + " :fanout FROM generate_series(:lo, :hi) g ORDER BY g")
                    .param("m", MUNICIPALITY).param("envelope", new byte[envelope]).param("start", Timestamp.from(start))
                    .param("step", stepMicros).param("fanout", fanout).param("lo", lo).param("hi", hi).update();
            jdbc.sql("INSERT INTO messaging.delivery (receiver, municipality, message_id, order_key, state, attempts,"
                            + " available_at, created_at, delivered_at) SELECT x.receiver, :m, x.id, x.receiver::text || '/' || (x.seq % 1000),"
                            + " CASE WHEN x.waiting THEN 'READY' ELSE 'DELIVERED' END, 1, x.received_at, x.received_at,"
                            + " CASE WHEN x.waiting THEN NULL ELSE x.received_at + interval '1 second' END"
                            + " FROM (SELECT m.seq, m.id, m.received_at, r, (CAST(:rs AS uuid[]))[1 + (m.seq * 3 + r) % 10] AS receiver,"
                            + " (m.seq * 7 + r) % :every = 0 AS waiting FROM messaging.message m, generate_series(1, :fanout) r"
                            + " WHERE m.seq >= (SELECT max(seq) FROM messaging.message) - :n + 1) x ORDER BY x.seq, x.r")
                    .param("m", MUNICIPALITY).param("rs", RECEIVERS).param("fanout", fanout).param("every", waitingEvery)
                    .param("n", hi - lo + 1).update();
        }
    }

    /** Reads every dueslag's backlog five times, as the metrics' sampler does, adding the times; returns what waits. */
    static long backlog(Dueslag dueslag, List<Double> times) {
        long waiting = 0;
        for (int call = 0; call < 5; call++) {
            long c0 = Bench.nanos();
            var b = dueslag.backlog();
            times.add(Bench.millis(c0));
            waiting = b.receivers().stream().mapToLong(r -> r.ready() + r.leased()).sum();
            if (waiting == 0) {
                throw new IllegalStateException("the backlog read shows nothing waiting");
            }
        }
        return waiting;
    }

    /** How long an action took, the longest any client transaction was open meanwhile, and its result. */
    record Sampled(double ms, double longestMs, int result) {

        /** Keeps its time and longest transaction with the run's others, and says so. */
        void keep(int run, String what, List<Double> times, List<Double> longest) {
            times.add(ms);
            longest.add(longestMs);
            Bench.progress(String.format(java.util.Locale.ROOT,
                    "run %d: %s %,d deliveries in %.0f ms, longest open transaction %.0f ms",
                    run + 1, what, result, ms, longestMs));
        }
    }

    /** Runs {@code action}, timed, while another connection samples the oldest open transaction. */
    static Sampled sampled(DataSource ds, java.util.function.IntSupplier action) throws InterruptedException {
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicLong oldestMicros = new AtomicLong();
        Thread sampler = new Thread(() -> sample(ds, sampling, oldestMicros), "bench-sampler");
        sampler.start();
        long t0 = Bench.nanos();
        int result;
        try {
            result = action.getAsInt();
        } finally {
            sampling.set(false);
            sampler.join();
        }
        return new Sampled(Bench.millis(t0), oldestMicros.get() / 1000.0, result);
    }

    /** Samples the age of the oldest open transaction of any other client until told to stop. */
    static void sample(DataSource ds, AtomicBoolean sampling, AtomicLong oldestMicros) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            while (sampling.get()) {
                try (ResultSet rs = s.executeQuery("SELECT coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)),"
                        + " 0) * 1e6 FROM pg_stat_activity WHERE backend_type = 'client backend'"
                        + " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND datname = current_database()")) {
                    rs.next();
                    oldestMicros.accumulateAndGet(rs.getLong(1), Math::max);
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
