package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.platform.db.ModuleMigrations;
import dk.opensts.platform.db.ModuleSchema;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A database made by an earlier version upgrades in place, with its rows: migrations that build an
 * index {@code CONCURRENTLY} (outside a transaction, writes going on) finish, and leave the index valid.
 */
class MigrationUpgradeTest {

    @Test
    void theOutboxUpgradesFromVersion5KeepingOnlyThePublicationsThatWait() throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(TestDatabase.newDatabase());
        ds.setUser("postgres");
        Flyway.configure().dataSource(ds).schemas("platform").createSchemas(true)
                .locations("classpath:db/migration/platform").target("5").load().migrate();
        JdbcClient jdbc = JdbcClient.create(ds);
        // what completion mode "update" left: completed publications kept for ever beside those that wait
        jdbc.sql("INSERT INTO platform.event_publication (id, listener_id, event_type, serialized_event,"
                + " publication_date, completion_date, status, completion_attempts, last_resubmission_date)"
                + " SELECT md5(g::text)::uuid, 'l', 'e', '{}', now(), CASE WHEN g > 3 THEN now() END,"
                + " CASE WHEN g > 3 THEN 'COMPLETED' ELSE 'FAILED' END, 1, now() FROM generate_series(1, 1000) g").update();
        ModuleMigrations.migrate(ds, List.of(new ModuleSchema("platform", false)));
        assertThat(jdbc.sql("SELECT status FROM platform.event_publication").query(String.class).list())
                .containsExactly("FAILED", "FAILED", "FAILED");
        assertThat(jdbc.sql("SELECT count(*) FROM pg_class WHERE relname = 'event_publication_by_completion_date_idx'")
                .query(Long.class).single()).isZero();
        // V7: the events compressed with lz4 where the server has it (the embedded one has not), else as before
        boolean lz4;
        try {
            jdbc.sql("CREATE TEMP TABLE lz4_here (t text COMPRESSION lz4)").update();
            lz4 = true;
        } catch (org.springframework.dao.DataAccessException e) {
            assertThat(e.getMessage()).contains("lz4 not supported");
            lz4 = false;
        }
        assertThat(jdbc.sql("SELECT attcompression::text FROM pg_attribute"
                + " WHERE attrelid = 'platform.event_publication'::regclass AND attname = 'serialized_event'")
                .query(String.class).single()).isEqualTo(lz4 ? "l" : "");
    }

    @Test
    void theDistributorsDatabaseUpgradesFromVersion5WithItsDeliveries()
            throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(TestDatabase.newDatabase());
        ds.setUser("postgres");
        ds.setOptions("-c statement_timeout=30000");
        ModuleMigrations.migrate(ds, List.of(new ModuleSchema("platform", false)));
        // the distributor's schema as version 5 made it, with messages waiting, leased and delivered
        Flyway.configure().dataSource(ds).schemas("messaging").createSchemas(true)
                .locations("classpath:db/migration/messaging").target("5").load().migrate();
        JdbcClient jdbc = JdbcClient.create(ds);
        jdbc.sql("INSERT INTO messaging.message (id, message_type, authority, sender, channel, envelope, content_hash,"
                + " received_at, receivers) SELECT md5(g::text)::uuid, 'T', '29189846', md5('s')::uuid, 'REST',"
                + " '\\x00', '\\x00', now(), 1 FROM generate_series(1, 3000) g").update();
        jdbc.sql("INSERT INTO messaging.delivery (receiver, municipality, message_id, order_key, state, attempts,"
                + " available_at, created_at, lease_id) SELECT md5('r' || (g % 7))::uuid, '29189846', md5(g::text)::uuid,"
                + " 'line-' || g, (ARRAY['READY', 'LEASED', 'DELIVERED'])[1 + g % 3], 1, now(), now(),"
                + " CASE WHEN g % 3 = 1 THEN md5('l' || g)::uuid END FROM generate_series(1, 3000) g").update();
        // a build CONCURRENTLY waits for every open transaction: were Flyway's lock one, it would
        // wait for ever (here: until the statement timeout)
        ModuleMigrations.migrate(ds, List.of(new ModuleSchema("messaging", false)));
        assertThat(jdbc.sql("SELECT count(*) FROM messaging.delivery").query(Long.class).single()).isEqualTo(3000);
        // V6 and V7 build their indexes concurrently and drop the ones they replace
        for (String[] replaced : new String[][] {{"delivery_ready_receiver", "delivery_pending_receiver"},
                {"delivery_created_seq", "delivery_created"}}) {
            assertThat(jdbc.sql("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                    + " WHERE c.relname = ?").param(replaced[0]).query(Boolean.class).list()).containsExactly(true);
            assertThat(jdbc.sql("SELECT count(*) FROM pg_class WHERE relname = ?").param(replaced[1])
                    .query(Long.class).single()).isZero();
        }
        assertThat(jdbc.sql("SELECT max(version::int) FROM messaging.flyway_schema_history WHERE success")
                .query(Integer.class).single()).isGreaterThanOrEqualTo(7);
    }
}
