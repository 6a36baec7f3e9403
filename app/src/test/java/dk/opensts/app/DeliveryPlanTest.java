package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.messaging.store.DeliveryStore;
import dk.opensts.platform.db.ModuleMigrations;
import dk.opensts.platform.db.ModuleSchema;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The plans of the dueslag's statements on the statistics they meet: 28,000 deliveries to ten AMQP
 * receivers, analysed. <em>Quiet</em>: all delivered since they were leased, so the planner takes the
 * indexes of waiting rows for empty. <em>Busy</em>: 4,000 still waiting, so it expects hundreds a
 * receiver. Under load thousands of rows wait, and the index of waiting rows holds entries of
 * thousands more that have moved on since the last vacuum: a plan that reads such an index whole
 * reads all of them, for every row it checks or every lease (seen on PostgreSQL 17: leases of 20-90
 * ms, and the distributor at half its rate after two minutes).
 */
class DeliveryPlanTest {

    static final UUID[] RECEIVERS = new UUID[10];
    static final String MUNICIPALITY = "29189846";
    static String quiet;
    static String busy;

    @BeforeAll
    static void databases() throws Exception {
        for (int i = 0; i < RECEIVERS.length; i++) {
            RECEIVERS[i] = UUID.nameUUIDFromBytes(("receiver " + i).getBytes());
        }
        quiet = database(0);
        busy = database(4000);
    }

    /**
     * A database of 28,000 deliveries, the last {@code waiting} of them still waiting, analysed; its URL.
     * Fewer than ANALYZE's sample of 30,000 rows, so the statistics, and the plans, are the same every time.
     */
    static String database(int waiting) throws Exception {
        String url = TestDatabase.newDatabase();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url);
        ds.setUser("postgres");
        ModuleMigrations.migrate(ds, List.of(new ModuleSchema("platform", false), new ModuleSchema("messaging", false)));
        JdbcClient jdbc = JdbcClient.create(ds);
        for (UUID r : RECEIVERS) {
            jdbc.sql("INSERT INTO messaging.dueslag (receiver, amqp, updated_at, updated_by) VALUES (?, true, now(), 'test')")
                    .param(r).update();
        }
        jdbc.sql("INSERT INTO messaging.message (id, message_type, authority, sender, channel, envelope, content_hash,"
                + " received_at, receivers) SELECT md5(g::text)::uuid, 'T', :m, md5('sender')::uuid, 'AMQP',"
                + " '\\x00', '\\x00', now(), 4 FROM generate_series(1, 7000) g").param("m", MUNICIPALITY).update();
        // handed to the relay as written (leased), four receivers a message, 2,100 objects
        jdbc.sql("INSERT INTO messaging.delivery (receiver, municipality, message_id, order_key, state, attempts,"
                + " available_at, created_at, lease_id) SELECT (CAST(:rs AS uuid[]))[1 + (g * 7 + r) % 10], :m,"
                + " md5(g::text)::uuid, (CAST(:rs AS uuid[]))[1 + (g * 7 + r) % 10]::text || '/' || (g % 2100),"
                + " 'LEASED', 1, now(), now(), md5(g::text || r)::uuid FROM generate_series(1, 7000) g,"
                + " generate_series(1, 4) r").param("rs", RECEIVERS).param("m", MUNICIPALITY).update();
        jdbc.sql("UPDATE messaging.delivery SET state = 'DELIVERED', delivered_at = now(), lease_id = NULL"
                + " WHERE seq <= (SELECT max(seq) FROM messaging.delivery) - :waiting").param("waiting", waiting).update();
        jdbc.sql("VACUUM ANALYZE messaging.delivery").update();
        jdbc.sql("ANALYZE messaging.message").update();
        jdbc.sql("ANALYZE messaging.dueslag").update();
        return url;
    }

    @Test
    void leasesLookLinesUpOnTheirIndex() throws Exception {
        for (boolean byMunicipality : new boolean[] {false, true}) {
            assertOrderCheckOnItsIndex(explainLease(quiet, byMunicipality));
            assertOrderCheckOnItsIndex(explainLease(busy, byMunicipality));
        }
    }

    @Test
    void newDeliveriesLookLinesUpOnTheirIndex() {
        // a prepared statement soon runs a generic plan, made without the values
        for (String url : List.of(quiet, busy)) {
            String plan = String.join("\n", SearchPlanTest.simpleProtocol(url)
                    .sql("EXPLAIN (GENERIC_PLAN) " + SearchPlanTest.positional(DeliveryStore.ADD_DELIVERIES))
                    .query(String.class).list());
            assertOrderCheckOnItsIndex(plan);
        }
    }

    @Test
    void leasesReadEachReceiversRowsInOrderAndStop() throws Exception {
        for (String url : List.of(quiet, busy)) {
            for (boolean byMunicipality : new boolean[] {false, true}) {
                String plan = explainLease(url, byMunicipality);
                assertThat(plan).doesNotContain("Bitmap");
                // the relay's and the pusher's index leaves out the rows they hold leased
                assertThat(plan).contains(byMunicipality ? "Index Scan using delivery_pending on delivery d "
                        : "Index Scan using delivery_ready_receiver on delivery d ");
            }
        }
    }

    @Test
    void theSweepFindsLeasesThatRanOutOnTheirIndexAndMarksWhatIsGone() throws Exception {
        // a bitmap scan would fetch every row handed to the relay since the last vacuum, at every sweep
        for (String url : List.of(quiet, busy)) {
            for (String statement : List.of(DeliveryStore.RETURN_EXPIRED, DeliveryStore.FAIL_EXHAUSTED)) {
                String plan = explain(url, DeliveryStore.LEASE_SETTINGS, statement,
                        Map.of("now", Timestamp.from(Instant.now().plusSeconds(3600)), "limit", 1000));
                assertThat(plan).doesNotContain("Bitmap");
                assertThat(plan).contains("Index Scan using delivery_leased on delivery d");
            }
        }
    }

    @Test
    void theRetentionPurgeReadsItsStepsOnTheKeysAndNeverTheWholeTable() throws Exception {
        // at national scale the tables hold hundreds of millions of rows: a purge that reads them
        // whole each hour runs into the statement timeout, and never deletes anything again
        Map<String, ?> step = Map.of("from", 1000L, "limit", 5000,
                "before", Timestamp.from(Instant.now().minus(java.time.Duration.ofDays(30))));
        for (String url : List.of(quiet, busy)) {
            String deliveries = explain(url, "SELECT 1", DeliveryStore.PURGE_DELIVERIES, step);
            assertThat(deliveries).doesNotContain("Seq Scan");
            // the step's rows on the primary key, and the delete on their range of it
            assertThat(deliveries).contains("Index Scan using delivery_pkey on delivery ",
                    "Index Cond: ((seq >= '1000'::bigint) AND (seq <= (InitPlan");
            String messages = explain(url, "SELECT 1", DeliveryStore.PURGE_MESSAGES, step);
            assertThat(messages).doesNotContain("Seq Scan");
            // whether a message is still waited for is looked up per message
            assertThat(messages).contains("Index Scan using message_seq_key on message ",
                    "Index Scan using delivery_message_receiver on delivery d");
        }
    }

    @Test
    void aReplayReadsTheDueslagsRowsOnItsIndexesFromWhereItsLastStepEnded() throws Exception {
        Timestamp now = Timestamp.from(Instant.now());
        Timestamp from = Timestamp.from(Instant.now().minusSeconds(3600));
        for (String url : List.of(quiet, busy)) {
            // a bitmap scan would read every row from the step's start to the replay's end, at every step;
            // a step reads a small share of a busy dueslag's rows, here of 2,800
            String hold = explain(url, DeliveryStore.LEASE_SETTINGS, DeliveryStore.REPLAY_HOLD, Map.of("receiver",
                    RECEIVERS[0], "m", MUNICIPALITY, "until", now, "at", from, "after", 0L, "hold", now,
                    "limit", 100));
            assertThat(hold).doesNotContain("Seq Scan").doesNotContain("Bitmap");
            assertThat(hold).contains("Index Scan using delivery_created_seq on delivery d").doesNotContain("Sort Key: d.created_at");
            String release = explain(url, DeliveryStore.LEASE_SETTINGS, DeliveryStore.REPLAY_RELEASE, Map.of("receiver",
                    RECEIVERS[0], "m", MUNICIPALITY, "hold", now, "after", 0L, "now", now, "limit", 100));
            assertThat(release).doesNotContain("Seq Scan").doesNotContain("Bitmap");
        }
    }

    @Test
    void whatWaitsInADueslagIsCountedOnTheIndexesOfWaitingRowsAlone() throws Exception {
        // a busy dueslag keeps millions of delivered rows for replay: counting them read them all
        for (String url : List.of(quiet, busy)) {
            String plan = explain(url, "SELECT 1", DeliveryStore.WAITING, Map.of("receiver", RECEIVERS[0],
                    "m", MUNICIPALITY));
            assertThat(plan).doesNotContain("Seq Scan").doesNotContain("delivery_created_seq")
                    .doesNotContain("delivery_pkey")
                    // nor the order check's index of every receiver's waiting rows, read whole
                    .doesNotContain("delivery_pending_order");
            assertThat(plan).containsPattern("(Index Scan using delivery_pending on delivery d |Bitmap Index Scan on "
                    + "delivery_pending )").contains("using delivery_failed on delivery f",
                    "using delivery_pending on delivery o");
        }
    }

    @Test
    void theBacklogOfEveryDueslagIsReadOnTheIndexesOfWaitingAndFailedRowsAlone() throws Exception {
        // read for the metrics every few seconds: where few rows wait, as in a dueslag that keeps
        // up, it must not read the delivered rows kept for replay. (Where a seventh of the table
        // waits, as in the busy database, reading the table whole is cheaper, and the planner may.)
        String plan = explain(quiet, "SELECT 1", DeliveryStore.BACKLOG, Map.of());
        assertThat(plan).doesNotContain("Seq Scan").doesNotContain("delivery_created")
                .doesNotContain("delivery_pkey").doesNotContain("delivery_pending_order");
        assertThat(plan).containsPattern("(Index Scan using delivery_pending(_receiver)? on delivery w |Bitmap Index Scan on "
                + "delivery_pending(_receiver)? )").containsPattern("Index (Only )?Scan using delivery_failed on delivery f");
        assertThat(explain(busy, "SELECT 1", DeliveryStore.BACKLOG, Map.of())).doesNotContain("delivery_pending_order");
    }

    /** The lease's plan for these values, in a transaction with the lease's own settings. */
    private static String explainLease(String url, boolean byMunicipality) throws Exception {
        Timestamp now = Timestamp.from(Instant.now());
        return explain(url, DeliveryStore.LEASE_SETTINGS, DeliveryStore.leaseStatement(byMunicipality),
                Map.of("receivers", RECEIVERS, "m", MUNICIPALITY, "now", now, "max", 50, "lease", UUID.randomUUID(),
                        "until", now));
    }

    /** A statement's plan for these values, in a transaction with {@code settings}. */
    private static String explain(String url, String settings, String statement, Map<String, ?> params)
            throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(url, "postgres", "")) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(settings);
            }
            try {
                JdbcClient jdbc = JdbcClient.create(new SingleConnectionDataSource(c, true));
                return String.join("\n", jdbc.sql("EXPLAIN " + statement).params(params).query(String.class).list());
            } finally {
                c.rollback();
            }
        }
    }

    private static void assertOrderCheckOnItsIndex(String plan) {
        assertThat(plan).contains("delivery_pending_order");
        // an index read whole with the line as a filter, rather than looked up by it
        assertThat(plan).doesNotContainPattern("Filter: \\(+order_key = ");
    }
}
