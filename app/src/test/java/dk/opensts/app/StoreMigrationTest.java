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
 * The shared store template keeps its own migration history per schema. A database made before
 * that (the template's V1 recorded in the module's history) is upgraded in place without losing rows.
 */
class StoreMigrationTest {

    private static PGSimpleDataSource database() throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(TestDatabase.newDatabase());
        ds.setUser("postgres");
        return ds;
    }

    @Test
    void newDatabaseGetsStoreAndModuleHistories() throws Exception {
        PGSimpleDataSource ds = database();
        ModuleMigrations.migrate(ds, List.of(new ModuleSchema("platform", false), new ModuleSchema("organisation", true)));
        JdbcClient jdbc = JdbcClient.create(ds);
        assertThat(jdbc.sql("SELECT max(version::int) FROM organisation.store_schema_history WHERE success")
                .query(Integer.class).single()).isEqualTo(2);
        assertThat(jdbc.sql("SELECT version FROM organisation.flyway_schema_history WHERE success AND version IS NOT NULL"
                + " ORDER BY installed_rank").query(String.class).list()).containsExactly("0", "2");
        assertThat(indexes(jdbc)).contains("object_version_parent_current", "organisation_cvr_current");
        // migrating again changes nothing
        ModuleMigrations.migrate(ds, List.of(new ModuleSchema("platform", false), new ModuleSchema("organisation", true)));
        assertThat(jdbc.sql("SELECT count(*) FROM organisation.store_schema_history").query(Long.class).single())
                .isEqualTo(3); // schema creation, V1, V2
    }

    @Test
    void aBitemporalModuleWithAVersionOneOfItsOwnGetsAllOfIt() throws Exception {
        PGSimpleDataSource ds = database();
        ModuleMigrations.migrate(ds, List.of(new ModuleSchema("platform", false), new ModuleSchema("access", true)));
        JdbcClient jdbc = JdbcClient.create(ds);
        // the store's tables came first; the module's own V1 (it_system, signing_key) was applied, not skipped
        assertThat(jdbc.sql("SELECT to_regclass('access.it_system') IS NOT NULL AND to_regclass('access.certificate')"
                + " IS NOT NULL AND to_regclass('access.object_version') IS NOT NULL").query(Boolean.class).single()).isTrue();
    }

    @Test
    void databaseFromBeforeTheStoreHistoryIsUpgradedInPlace() throws Exception {
        PGSimpleDataSource ds = database();
        ModuleMigrations.migrate(ds, List.of(new ModuleSchema("platform", false)));
        // the old layout: the store's V1 and the module's V2 in one history table
        Flyway.configure().dataSource(ds).schemas("organisation").createSchemas(true)
                .locations("classpath:db/bitemporal").target("1").load().migrate();
        Flyway.configure().dataSource(ds).schemas("organisation").locations("classpath:db/migration/organisation")
                .ignoreMigrationPatterns("*:missing").load().migrate();
        JdbcClient jdbc = JdbcClient.create(ds);
        jdbc.sql("INSERT INTO organisation.registry_object VALUES ('00000000-0000-4000-8000-000000000001', 'unit', NULL,"
                + " 1, 'CREATED', now(), now())").update();
        assertThat(jdbc.sql("SELECT count(*) FROM pg_constraint WHERE conname = 'object_version_object_id_fkey'")
                .query(Long.class).single()).isEqualTo(1);

        ModuleMigrations.migrate(ds, List.of(new ModuleSchema("platform", false), new ModuleSchema("organisation", true)));

        assertThat(jdbc.sql("SELECT version FROM organisation.store_schema_history WHERE success AND version IS NOT NULL"
                + " ORDER BY installed_rank").query(String.class).list()).containsExactly("1", "2");
        assertThat(jdbc.sql("SELECT count(*) FROM pg_constraint WHERE conname = 'object_version_object_id_fkey'")
                .query(Long.class).single()).isZero();
        assertThat(indexes(jdbc)).contains("object_version_parent_current");
        assertThat(jdbc.sql("SELECT count(*) FROM organisation.registry_object").query(Long.class).single()).isEqualTo(1);
    }

    private static List<String> indexes(JdbcClient jdbc) {
        return jdbc.sql("SELECT indexname FROM pg_indexes WHERE schemaname = 'organisation'").query(String.class).list();
    }
}
