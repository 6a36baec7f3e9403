package dk.opensts.bench;

import dk.opensts.platform.events.OutboxKeeper;
import dk.opensts.platform.events.RegistryChanged;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;

/**
 * How fast a backlog of failed outbox publications drains once its cause is gone (ADR 18): the
 * registries' changes whose delivery to the change feed and the message distributor failed while,
 * say, the database was away. Per run, for each shape (single changes: one object an event; a bulk
 * import's: {@code --bulk-objects} an event), {@code --publications} events are written as failed
 * publications of both listeners, with events in the form the outbox stores them (JSON by the server's own mapper), and
 * one turn of the {@link OutboxKeeper} is asked for; timed until the outbox is empty and every
 * change is in the change feed. Before ADR 18 such a backlog waited for a restart; handing out one
 * batch of 100 a turn, as the keeper's first version did, drains 100 publications every 30 s.
 */
public final class OutboxBench {

    private static final String CHANGE_FEED = "dk.opensts.platform.events.ChangeFeed.on(dk.opensts.platform.events.RegistryChanged)";
    private static final String RELAY = "dk.opensts.messaging.domain.RegistryRelay.on(dk.opensts.platform.events.RegistryChanged)";

    public static void main(String[] args) throws Exception {
        Bench.Options options = new Bench.Options(args);
        int single = options.integer("publications", 5000);
        int bulk = options.integer("bulk-publications", 100);
        int bulkObjects = options.integer("bulk-objects", 1000);
        int runs = options.integer("runs", 3);
        List<Double> singleMs = new ArrayList<>();
        List<Double> bulkMs = new ArrayList<>();
        // a turn at the start and then one an hour: what is timed is the turn asked for
        try (Bench.Server server = new Bench.Server(options.text("db-url", null), "--opensts.outbox.every=PT1H")) {
            OutboxKeeper keeper = server.context.getBean(OutboxKeeper.class);
            awaitEmpty(server, 60_000);
            for (int run = 0; run < runs; run++) {
                singleMs.add(drain(server, keeper, single, 1));
                bulkMs.add(drain(server, keeper, bulk, bulkObjects));
                Bench.progress("run " + (run + 1) + "/" + runs + ": " + single + " single changes drained in "
                        + Math.round(singleMs.get(run)) + " ms, " + bulk + " events of " + bulkObjects + " in "
                        + Math.round(bulkMs.get(run)) + " ms");
            }
        }
        double s = Bench.median(singleMs);
        double b = Bench.median(bulkMs);
        LinkedHashMap<String, Object> figures = new LinkedHashMap<>();
        figures.put("runs", runs);
        figures.put("single_events", single);
        figures.put("single_publications", single * 2);
        figures.put("single_drain_median_ms", s);
        figures.put("single_publications_per_s", single * 2 / (s / 1000));
        figures.put("bulk_events", bulk);
        figures.put("bulk_objects", bulkObjects);
        figures.put("bulk_publications", bulk * 2);
        figures.put("bulk_drain_median_ms", b);
        figures.put("bulk_changes_per_s", (double) bulk * bulkObjects / (b / 1000));
        figures.put("one_batch_a_turn_publications_per_s", 100 / 30.0);
        Bench.result("outbox-drain", figures);
    }

    /** Writes {@code events} failed publications of each listener, asks for a turn, and times it until all are delivered. */
    private static double drain(Bench.Server server, OutboxKeeper keeper, int events,
                                int objects) throws Exception {
        List<UUID> first = new ArrayList<>();
        try (Connection c = server.dataSource().getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO platform.event_publication (id, listener_id, event_type, serialized_event,"
                        + " publication_date, status, completion_attempts, last_resubmission_date)"
                        + " VALUES (?, ?, ?, ?, ?, 'FAILED', 2, ?)")) {
            c.setAutoCommit(false);
            Timestamp failedAt = Timestamp.from(Instant.now().minusSeconds(60));
            for (int e = 0; e < events; e++) {
                List<RegistryChanged.ChangedObject> changed = new ArrayList<>(objects);
                for (int o = 0; o < objects; o++) {
                    changed.add(new RegistryChanged.ChangedObject(UUID.randomUUID(), "unit", 1, "IMPORTED", null));
                }
                first.add(changed.get(0).id());
                String event = server.json.writeValueAsString(
                        new RegistryChanged("organisation", Instant.now(), changed, null));
                for (String listener : new String[] {CHANGE_FEED, RELAY}) {
                    insert.setObject(1, UUID.randomUUID());
                    insert.setString(2, listener);
                    insert.setString(3, RegistryChanged.class.getName());
                    insert.setString(4, event);
                    insert.setTimestamp(5, failedAt);
                    insert.setTimestamp(6, failedAt);
                    insert.addBatch();
                }
                if (e % 100 == 99) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
            c.commit();
        }
        try (Connection c = server.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("VACUUM ANALYZE platform.event_publication, platform.change_feed");
        }
        long t0 = Bench.nanos();
        keeper.wake();
        awaitEmpty(server, 600_000);
        double ms = Bench.millis(t0);
        try (Connection c = server.dataSource().getConnection(); PreparedStatement count = c.prepareStatement(
                "SELECT count(*) FROM platform.change_feed WHERE object_id = ANY(?)")) {
            count.setArray(1, c.createArrayOf("uuid", first.toArray()));
            try (ResultSet r = count.executeQuery()) {
                r.next();
                if (r.getLong(1) != events) {
                    throw new IllegalStateException("the change feed has " + r.getLong(1) + " of " + events + " events");
                }
            }
        }
        return ms;
    }

    private static void awaitEmpty(Bench.Server server, long limitMs) throws Exception {
        long end = System.nanoTime() + limitMs * 1_000_000L;
        try (Connection c = server.dataSource().getConnection(); Statement s = c.createStatement()) {
            while (true) {
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM platform.event_publication")) {
                    r.next();
                    if (r.getLong(1) == 0) {
                        return;
                    }
                    if (System.nanoTime() > end) {
                        throw new IllegalStateException(r.getLong(1) + " publications left after " + limitMs + " ms");
                    }
                }
                Thread.sleep(20);
            }
        }
    }
}
