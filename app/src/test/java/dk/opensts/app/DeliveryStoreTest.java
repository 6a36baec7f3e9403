package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dk.opensts.messaging.domain.DistributorMeters;
import dk.opensts.messaging.domain.Dueslag;
import dk.opensts.messaging.store.DeliveryStore;
import dk.opensts.messaging.store.ReplayStore;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.idempotency.Idempotency;
import dk.opensts.platform.db.ModuleMigrations;
import dk.opensts.platform.db.ModuleSchema;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The dueslag's store on its own database: what the relay to AMQP queues leases, and gives back. */
class DeliveryStoreTest {

    static final String MUNICIPALITY = "29189846";
    static final Duration LEASE = Duration.ofMinutes(1);

    DataSource dataSource;
    JdbcClient jdbc;
    DeliveryStore store;
    UUID receiver = UUID.randomUUID();

    @BeforeEach
    void database() throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(TestDatabase.newDatabase());
        ds.setUser("postgres");
        ModuleMigrations.migrate(ds, List.of(new ModuleSchema("platform", false), new ModuleSchema("messaging", false)));
        dataSource = ds;
        jdbc = JdbcClient.create(ds);
        store = new DeliveryStore(jdbc, new JdbcTemplate(ds));
        jdbc.sql("INSERT INTO messaging.dueslag (receiver, amqp, updated_at, updated_by) VALUES (?, true, now(), 'test')")
                .param(receiver).update();
    }

    /**
     * {@code n} messages with ids {@code md5(prefix || g)}, received at {@code at} plus {@code g}
     * times {@code apart} seconds, each for {@code receivers} receivers.
     */
    void messages(String prefix, int n, Instant at, int apart, int receivers) {
        jdbc.sql("INSERT INTO messaging.message (id, message_type, authority, sender, channel, envelope, content_hash,"
                + " received_at, receivers) SELECT md5(:p || g)::uuid, 'T', :m, md5('sender')::uuid, 'AMQP',"
                + " '\\x00', '\\x00', CAST(:at AS timestamptz) + make_interval(secs => g * :apart), :receivers"
                + " FROM generate_series(1, :n) g")
                .param("p", prefix).param("m", MUNICIPALITY).param("at", java.sql.Timestamp.from(at))
                .param("apart", apart).param("receivers", receivers).param("n", n).update();
    }

    /** Deliveries of {@code n} messages about one object to the receiver, waiting since {@code at}. */
    void waiting(int n, Instant at) {
        messages("", n, at, 0, 1);
        jdbc.sql("INSERT INTO messaging.delivery (receiver, municipality, message_id, order_key, state, attempts,"
                + " available_at, created_at) SELECT :r, :m, md5(g::text)::uuid, :r || '/object', 'READY', 0, :at, :at"
                + " FROM generate_series(1, :n) g ORDER BY g")
                .param("r", receiver).param("m", MUNICIPALITY).param("at", java.sql.Timestamp.from(at)).param("n", n)
                .update();
    }

    List<DeliveryStore.Leased> lease(Instant now) {
        return store.lease(null, null, DeliveryStore.Reader.AMQP, 100, LEASE, now);
    }

    static Map<Long, UUID> leases(List<DeliveryStore.Leased> leased) {
        return leased.stream().collect(Collectors.toMap(DeliveryStore.Leased::id, DeliveryStore.Leased::leaseId,
                (a, b) -> a, java.util.LinkedHashMap::new));
    }

    @Test
    void whatTheRelayGivesBackIsLeasedAgainAtOnceWithoutCountingTheAttempt() {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        waiting(3, start);
        // one object's line: the first is leased, the others wait behind it
        List<DeliveryStore.Leased> first = lease(start);
        assertThat(first).hasSize(1);
        assertThat(first.get(0).attempts()).isEqualTo(1);
        assertThat(lease(start.plusSeconds(1))).isEmpty();

        // the broker refused the round, or its channel closed: given back, the line goes on at once,
        // not when the lease would have run out
        Instant back = start.plusSeconds(2);
        assertThat(store.release(leases(first), back)).isEqualTo(1);
        List<DeliveryStore.Leased> again = lease(back);
        assertThat(again).extracting(DeliveryStore.Leased::id).containsExactly(first.get(0).id());
        assertThat(again.get(0).attempts()).isEqualTo(1);

        // a lease given back that has run out and was taken again is not the relay's to give back
        assertThat(store.release(leases(first), back)).isZero();
        assertThat(store.ack(null, leases(again), back)).containsExactly(first.get(0).id());
        assertThat(lease(back)).hasSize(1);
    }

    /** {@code n} messages received at {@code at}, each with a delivery to the receiver and to {@code other}. */
    void finished(String prefix, int n, Instant at, UUID other) {
        messages(prefix, n, at, 0, 2);
        jdbc.sql("INSERT INTO messaging.delivery (receiver, municipality, message_id, order_key, state, attempts,"
                + " available_at, created_at, delivered_at) SELECT r, :m, md5(:p || g)::uuid, r::text || '/' || g,"
                + " 'DELIVERED', 1, :at, :at, :at FROM generate_series(1, :n) g, unnest(CAST(:rs AS uuid[])) r ORDER BY g")
                .param("p", prefix).param("m", MUNICIPALITY).param("at", java.sql.Timestamp.from(at)).param("n", n)
                .param("rs", new UUID[] {receiver, other}).update();
    }

    long count(String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }

    @Test
    void retentionPurgesFinishedDeliveriesAndTheMessagesNobodyWaitsForInSteps() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        UUID other = UUID.randomUUID();
        // 6,000 messages from before retention, 12,000 deliveries: more than two steps of the purge
        finished("old", 6000, now.minus(Duration.ofDays(31)), other);
        // of them: ten still wait for the other receiver, ten went to its error queue
        jdbc.sql("UPDATE messaging.delivery SET state = 'READY', delivered_at = NULL WHERE receiver = ?"
                + " AND message_id IN (SELECT md5('old' || g)::uuid FROM generate_series(1, 10) g)").param(other).update();
        jdbc.sql("UPDATE messaging.delivery SET state = 'FAILED', delivered_at = NULL, failed_at = created_at WHERE receiver = ?"
                + " AND message_id IN (SELECT md5('old' || g)::uuid FROM generate_series(11, 20) g)").param(other).update();
        // 50 that no subscription matched
        jdbc.sql("INSERT INTO messaging.message (id, message_type, authority, sender, channel, envelope, content_hash,"
                + " received_at, receivers) SELECT gen_random_uuid(), 'T', :m, md5('sender')::uuid, 'AMQP',"
                + " '\\x00', '\\x00', :at, 0 FROM generate_series(1, 50) g")
                .param("m", MUNICIPALITY).param("at", java.sql.Timestamp.from(now.minus(Duration.ofDays(31)))).update();
        // and 1,000 within retention
        finished("new", 1000, now.minus(Duration.ofDays(29)), other);

        Dueslag dueslag = dueslag(now);

        // a server that stops before the purge begins deletes nothing
        assertThat(dueslag.purge(() -> false)).isZero();
        assertThat(count("SELECT count(*) FROM messaging.delivery")).isEqualTo(14_000);

        assertThat(dueslag.purge()).isEqualTo(11_990);
        // what waits stays, and so does its message; everything within retention stays
        assertThat(count("SELECT count(*) FROM messaging.delivery WHERE created_at < now() - interval '30 days'"))
                .isEqualTo(10);
        assertThat(count("SELECT count(*) FROM messaging.delivery WHERE state = 'READY'")).isEqualTo(10);
        assertThat(count("SELECT count(*) FROM messaging.delivery")).isEqualTo(2_010);
        assertThat(count("SELECT count(*) FROM messaging.message WHERE received_at < now() - interval '30 days'"))
                .isEqualTo(10);
        assertThat(count("SELECT count(*) FROM messaging.message")).isEqualTo(1_010);
        // nothing more to do
        assertThat(dueslag.purge()).isZero();
        assertThat(count("SELECT count(*) FROM messaging.message")).isEqualTo(1_010);
    }

    /** {@code n} delivered messages about three objects, created a second apart from {@code at}. */
    void delivered(int n, Instant at) {
        messages("d", n, at, 1, 1);
        jdbc.sql("INSERT INTO messaging.delivery (receiver, municipality, message_id, order_key, state, attempts,"
                + " available_at, created_at, delivered_at) SELECT :r, :m, md5('d' || g)::uuid, :r || '/object-' || (g % 3),"
                + " 'DELIVERED', 1, CAST(:at AS timestamptz) + make_interval(secs => g), CAST(:at AS timestamptz) + make_interval(secs => g),"
                + " CAST(:at AS timestamptz) + make_interval(secs => g) FROM generate_series(1, :n) g ORDER BY g")
                .param("r", receiver).param("m", MUNICIPALITY).param("at", java.sql.Timestamp.from(at)).param("n", n)
                .update();
    }

    Dueslag dueslag(Instant now) {
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        return new Dueslag(store, null, null, jdbc, new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                clock, Duration.ofDays(30), null, null, new Idempotency(jdbc, clock),
                new DistributorMeters(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), clock));
    }

    /** The time of the replay tests: their deliveries were made in the day before. */
    final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    final Instant start = now.minus(Duration.ofDays(1));

    /** {@code n} delivered messages about three objects, a second apart from {@link #start}; the first one's id. */
    long delivered(int n) {
        delivered(n, start);
        return count("SELECT min(seq) FROM messaging.delivery");
    }

    /** Records a replay of the whole dueslag from {@link #start} as at {@link #now}; its id. */
    UUID recorded() {
        return dueslag(now).replay(receiver, MUNICIPALITY, start, receiver.toString(), null).replay().id();
    }

    /** Records a replay of the dueslag to {@code from} as at {@code now}, and runs it to its end. */
    ReplayStore.Replay replayed(Instant now, Instant from) {
        Dueslag node = dueslag(now);
        ReplayStore.Replay r = node.replay(receiver, MUNICIPALITY, from, receiver.toString(), null).replay();
        node.replaySteps(() -> true);
        return node.replay(receiver, MUNICIPALITY, r.id()).orElseThrow();
    }

    @Test
    void aReplayOfMoreThanTwoStepsComesAgainInItsFirstOrder() {
        long first = delivered(12_000);
        // from the 1,001st on
        ReplayStore.Replay done = replayed(now, start.plusSeconds(1001));
        assertThat(done.phase()).isEqualTo(ReplayStore.Phase.DONE);
        assertThat(done.replayed()).isEqualTo(11_000);
        assertThat(done.released()).isEqualTo(11_000);
        assertThat(done.finishedAt()).isEqualTo(now);
        assertThat(count("SELECT count(*) FROM messaging.delivery WHERE state = 'READY' AND available_at = '"
                + java.sql.Timestamp.from(now) + "'")).isEqualTo(11_000);
        // each object's line from its first replayed message on, and nothing else
        assertThat(lease(now)).extracting(DeliveryStore.Leased::id)
                .containsExactly(first + 1000, first + 1001, first + 1002);
        // once more, nothing is left to replay twice
        assertThat(replayed(now, start.plusSeconds(1001)).replayed()).isZero();
    }

    @Test
    void aReplayGoesOnFromWhereItsLastStepEndedOnANodeStartedAfresh() {
        long first = delivered(12_000);
        UUID id = recorded();
        // the first node takes one step and stops
        assertThat(dueslag(now).replayStep()).isTrue();
        ReplayStore.Replay mid = dueslag(now).replay(receiver, MUNICIPALITY, id).orElseThrow();
        assertThat(mid.phase()).isEqualTo(ReplayStore.Phase.HOLDING);
        assertThat(mid.replayed()).isEqualTo(Dueslag.STEP);
        assertThat(lease(now)).isEmpty();
        // a node started afresh finds it and goes on: every row once, nothing counted twice
        Dueslag other = dueslag(now.plusSeconds(5));
        // two steps more to hold (5,000 and 2,000 rows), three to release
        assertThat(other.replaySteps(() -> true)).isEqualTo(2 + 3);
        ReplayStore.Replay done = other.replay(receiver, MUNICIPALITY, id).orElseThrow();
        assertThat(done.phase()).isEqualTo(ReplayStore.Phase.DONE);
        assertThat(done.replayed()).isEqualTo(12_000);
        assertThat(done.released()).isEqualTo(12_000);
        assertThat(count("SELECT count(*) FROM messaging.delivery WHERE state = 'READY'")).isEqualTo(12_000);
        assertThat(lease(now.plusSeconds(5))).extracting(DeliveryStore.Leased::id)
                .containsExactly(first, first + 1, first + 2);
        assertThat(other.replayStep()).isFalse();
    }

    @Test
    void aNodeKilledMidStepLeavesNothingOfThatStepAndTheReplayGoesOnFromTheStepBefore() throws Exception {
        long first = delivered(12_000);
        UUID id = recorded();
        assertThat(dueslag(now).replayStep()).isTrue();
        var node = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (java.sql.Connection blocker = dataSource.getConnection()) {
            // another transaction holds a row of the second step, so the node's step waits on it mid-way
            blocker.setAutoCommit(false);
            try (java.sql.Statement st = blocker.createStatement()) {
                st.execute("SELECT 1 FROM messaging.delivery WHERE seq = " + (first + 7000) + " FOR UPDATE");
            }
            var step = node.submit(() -> dueslag(now).replayStep());
            String waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND datname = current_database()";
            long until = System.currentTimeMillis() + 10_000;
            while (count(waiting) == 0 && System.currentTimeMillis() < until) {
                Thread.sleep(20);
            }
            assertThat(count(waiting)).isEqualTo(1);
            // the node dies mid-step
            jdbc.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND datname = current_database()").query().listOfRows();
            assertThatThrownBy(step::get).isInstanceOf(java.util.concurrent.ExecutionException.class);
            blocker.rollback();
        } finally {
            node.shutdown();
        }
        // nothing of the step it died in: the replay stands where its first step left it
        ReplayStore.Replay mid = dueslag(now).replay(receiver, MUNICIPALITY, id).orElseThrow();
        assertThat(mid.phase()).isEqualTo(ReplayStore.Phase.HOLDING);
        assertThat(mid.replayed()).isEqualTo(Dueslag.STEP);
        assertThat(count("SELECT count(*) FROM messaging.delivery WHERE state = 'READY'")).isEqualTo(Dueslag.STEP);
        // another node goes on from there: every row once, in its first order
        Dueslag other = dueslag(now);
        other.replaySteps(() -> true);
        ReplayStore.Replay done = other.replay(receiver, MUNICIPALITY, id).orElseThrow();
        assertThat(done.phase()).isEqualTo(ReplayStore.Phase.DONE);
        assertThat(done.replayed()).isEqualTo(12_000);
        assertThat(done.released()).isEqualTo(12_000);
        assertThat(lease(now)).extracting(DeliveryStore.Leased::id).containsExactly(first, first + 1, first + 2);
    }

    @Test
    void twoNodesSteppingOneReplayAtOnceTakeTurns() throws Exception {
        long first = delivered(23_000);
        UUID id = recorded();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> dueslag(now).replaySteps(() -> true));
            var b = pool.submit(() -> dueslag(now).replaySteps(() -> true));
            // five steps to hold, five to release, shared between them
            assertThat(a.get() + b.get()).isEqualTo(10);
        } finally {
            pool.shutdown();
        }
        ReplayStore.Replay done = dueslag(now).replay(receiver, MUNICIPALITY, id).orElseThrow();
        assertThat(done.replayed()).isEqualTo(23_000);
        assertThat(done.released()).isEqualTo(23_000);
        assertThat(count("SELECT count(*) FROM messaging.delivery WHERE state = 'READY' AND available_at = '"
                + java.sql.Timestamp.from(now) + "'")).isEqualTo(23_000);
        assertThat(lease(now)).extracting(DeliveryStore.Leased::id).containsExactly(first, first + 1, first + 2);
    }

    @Test
    void aDueslagRunsOneReplayAtATimeAndARetryWithItsKeyFindsIt() {
        delivered(100);
        Dueslag node = dueslag(now);
        String actor = receiver.toString();
        Dueslag.Recorded first = node.replay(receiver, MUNICIPALITY, start, actor, "key-1");
        assertThat(first.again()).isFalse();
        // a retry with the key finds the replay it recorded, and records none
        Dueslag.Recorded retry = node.replay(receiver, MUNICIPALITY, start, actor, "key-1");
        assertThat(retry.again()).isTrue();
        assertThat(retry.replay().id()).isEqualTo(first.replay().id());
        // the key with another request
        assertThatThrownBy(() -> node.replay(receiver, MUNICIPALITY, start.plusSeconds(1), actor, "key-1"))
                .isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED));
        // another replay while it runs, and nothing recorded
        assertThatThrownBy(() -> node.replay(receiver, MUNICIPALITY, start, actor, null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_RUNNING);
                    assertThat(e.extra()).containsEntry("replayId", first.replay().id().toString());
                });
        assertThat(count("SELECT count(*) FROM messaging.replay")).isEqualTo(1);
        // another dueslag's replay is not this one's to read
        assertThat(node.replay(UUID.randomUUID(), MUNICIPALITY, first.replay().id())).isEmpty();
        assertThat(node.replay(receiver, "12345678", first.replay().id())).isEmpty();
        node.replaySteps(() -> true);
        // once it is done, the dueslag may replay again
        Dueslag.Recorded second = node.replay(receiver, MUNICIPALITY, start, actor, null);
        node.replaySteps(() -> true);
        assertThat(node.replays(receiver, MUNICIPALITY, null, 10)).extracting(ReplayStore.Replay::id)
                .containsExactlyInAnyOrder(second.replay().id(), first.replay().id());
        // the purge past retention deletes finished replays with the rest
        dueslag(now.plus(Duration.ofDays(31))).purge();
        assertThat(count("SELECT count(*) FROM messaging.replay")).isZero();
    }

    @Test
    void whatAReplayHeldWhenItsNodeStoppedComesAfterTheHoldInItsFirstOrder() {
        long first = delivered(7_000);
        Instant hold = now.plus(Dueslag.REPLAY_HOLD);
        // the first phase in two steps, and the second never ran
        DeliveryStore.Step step = store.replayHold(receiver, MUNICIPALITY, now, start, 0, hold, 5000);
        assertThat(step.changed()).isEqualTo(5000);
        assertThat(step.done()).isFalse();
        // a step that ended mid-way holds rows that block their lines: the rest is not due either
        assertThat(lease(now)).isEmpty();
        step = store.replayHold(receiver, MUNICIPALITY, now, step.lastAt(), step.lastSeq(), hold, 5000);
        assertThat(step.changed()).isEqualTo(2000);
        assertThat(step.done()).isTrue();
        assertThat(lease(now.plus(Dueslag.REPLAY_HOLD).minusSeconds(1))).isEmpty();
        assertThat(lease(hold)).extracting(DeliveryStore.Leased::id).containsExactly(first, first + 1, first + 2);
    }

    @Test
    void theBacklogCountsWhatWaitsInEveryDueslagByReceiverAndTheGaugesShowIt() {
        Instant t0 = now.minus(Duration.ofHours(1));
        UUID other = UUID.randomUUID();
        // 20 delivered rows, 10 each: not counted
        finished("b", 10, t0, other);
        // the receiver: 3 waiting, 2 leased, 1 in the error queue; one more waiting in another
        // municipality, made 10 minutes earlier (its oldest); the other receiver: 4 in the error queue
        String of = " AND message_id IN (SELECT md5('b' || g)::uuid FROM generate_series(:from, :to) g)";
        jdbc.sql("UPDATE messaging.delivery SET state = 'READY', delivered_at = NULL WHERE receiver = :r" + of)
                .param("r", receiver).param("from", 1).param("to", 3).update();
        jdbc.sql("UPDATE messaging.delivery SET state = 'LEASED', lease_id = gen_random_uuid(), delivered_at = NULL"
                + " WHERE receiver = :r" + of).param("r", receiver).param("from", 4).param("to", 5).update();
        jdbc.sql("UPDATE messaging.delivery SET state = 'FAILED', failed_at = now() WHERE receiver = :r" + of)
                .param("r", receiver).param("from", 6).param("to", 6).update();
        jdbc.sql("UPDATE messaging.delivery SET state = 'READY', delivered_at = NULL, municipality = '12345678',"
                + " created_at = :at WHERE receiver = :r" + of).param("at", java.sql.Timestamp.from(t0.minusSeconds(600)))
                .param("r", receiver).param("from", 7).param("to", 7).update();
        jdbc.sql("UPDATE messaging.delivery SET state = 'FAILED', failed_at = now() WHERE receiver = :r" + of)
                .param("r", other).param("from", 1).param("to", 4).update();

        assertThat(store.backlog()).containsExactlyInAnyOrder(
                new DeliveryStore.Backlog(receiver, 4, 2, 1, t0.minusSeconds(600)),
                new DeliveryStore.Backlog(other, 0, 0, 4, null));

        // through the dueslag, with the running replays, into the gauges
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        DistributorMeters meters = new DistributorMeters(registry, Clock.fixed(now, ZoneOffset.UTC));
        assertThat(registry.get(DistributorMeters.BACKLOG).tag("state", "ready").gauge().value()).isNaN();
        Dueslag dueslag = dueslag(now);
        dueslag.replay(other, MUNICIPALITY, t0, other.toString(), null);
        meters.sampled(dueslag.backlog());
        assertThat(registry.get(DistributorMeters.BACKLOG).tag("state", "ready").gauge().value()).isEqualTo(4);
        assertThat(registry.get(DistributorMeters.BACKLOG).tag("state", "leased").gauge().value()).isEqualTo(2);
        assertThat(registry.get(DistributorMeters.BACKLOG).tag("state", "failed").gauge().value()).isEqualTo(5);
        assertThat(registry.get(DistributorMeters.OLDEST).gauge().value()).isEqualTo(4200);
        assertThat(registry.get(DistributorMeters.REPLAYS).gauge().value()).isEqualTo(1);
        assertThat(registry.get(DistributorMeters.RECEIVER_BACKLOG).tags("receiver", receiver.toString(), "state", "ready")
                .gauge().value()).isEqualTo(4);
        assertThat(registry.get(DistributorMeters.RECEIVER_BACKLOG).tags("receiver", other.toString(), "state", "failed")
                .gauge().value()).isEqualTo(4);
        assertThat(registry.get(DistributorMeters.RECEIVER_OLDEST).tag("receiver", receiver.toString()).gauge().value())
                .isEqualTo(4200);
        assertThat(registry.get(DistributorMeters.RECEIVER_OLDEST).tag("receiver", other.toString()).gauge().value())
                .isZero();

        // once the backlog cannot be read, no figure rather than a stale one
        meters.sampled(null);
        assertThat(registry.get(DistributorMeters.BACKLOG).tag("state", "ready").gauge().value()).isNaN();
        assertThat(registry.get(DistributorMeters.OLDEST).gauge().value()).isNaN();
        assertThat(registry.find(DistributorMeters.RECEIVER_BACKLOG).gauges()).isEmpty();
        assertThat(registry.find(DistributorMeters.RECEIVER_OLDEST).gauges()).isEmpty();
    }
}
