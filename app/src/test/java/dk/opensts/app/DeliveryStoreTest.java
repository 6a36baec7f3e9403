package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.messaging.store.DeliveryStore;
import dk.opensts.platform.db.ModuleMigrations;
import dk.opensts.platform.db.ModuleSchema;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The dueslag's store on its own database: what the relay to AMQP queues leases, and gives back. */
class DeliveryStoreTest {

    static final String MUNICIPALITY = "29189846";
    static final Duration LEASE = Duration.ofMinutes(1);

    JdbcClient jdbc;
    DeliveryStore store;
    UUID receiver = UUID.randomUUID();

    @BeforeEach
    void database() throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(TestDatabase.newDatabase());
        ds.setUser("postgres");
        ModuleMigrations.migrate(ds, List.of(new ModuleSchema("platform", false), new ModuleSchema("messaging", false)));
        jdbc = JdbcClient.create(ds);
        store = new DeliveryStore(jdbc, new JdbcTemplate(ds));
        jdbc.sql("INSERT INTO messaging.dueslag (receiver, amqp, updated_at, updated_by) VALUES (?, true, now(), 'test')")
                .param(receiver).update();
    }

    /** Deliveries of {@code n} messages about one object to the receiver, waiting since {@code at}. */
    void waiting(int n, Instant at) {
        jdbc.sql("INSERT INTO messaging.message (id, message_type, authority, sender, channel, envelope, content_hash,"
                + " received_at, receivers) SELECT md5(g::text)::uuid, 'T', :m, md5('sender')::uuid, 'AMQP',"
                + " '\\x00', '\\x00', :at, 1 FROM generate_series(1, :n) g")
                .param("m", MUNICIPALITY).param("at", java.sql.Timestamp.from(at)).param("n", n).update();
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
}
