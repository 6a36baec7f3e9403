package dk.opensts.platform.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;

/**
 * Runs Flyway once per module schema, each with its own history table, so modules evolve their
 * schemas independently. Registered as a database initializer: every JDBC bean waits for it.
 */
public class ModuleMigrations implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(ModuleMigrations.class);
    public static final String PLATFORM = "platform";

    private final DataSource dataSource;
    private final List<ModuleSchema> schemas;

    public ModuleMigrations(DataSource dataSource, List<ModuleSchema> schemas) {
        this.dataSource = dataSource;
        List<ModuleSchema> ordered = new ArrayList<>(schemas);
        // the platform schema holds the extensions the others use, so it goes first
        ordered.sort(Comparator.comparing((ModuleSchema s) -> !s.name().equals(PLATFORM))
                .thenComparing(ModuleSchema::name));
        this.schemas = List.copyOf(ordered);
    }

    @Override
    public void afterPropertiesSet() {
        migrate(dataSource, schemas);
    }

    public List<ModuleSchema> schemas() {
        return schemas;
    }

    /** The history table of the shared bitemporal-store migrations, beside each module's own history. */
    public static final String STORE_HISTORY = "store_schema_history";

    public static void migrate(DataSource dataSource, List<ModuleSchema> schemas) {
        for (ModuleSchema schema : schemas) {
            if (schema.bitemporal()) {
                migrateStore(dataSource, schema.name());
            }
            var module = configure(dataSource, schema.name())
                    .locations("classpath:db/migration/" + schema.name())
                    .failOnMissingLocations(false);
            if (schema.bitemporal()) {
                // the store's tables come first, so a new schema is not empty when the module's own
                // history starts: it starts at version 0 and applies all of the module's migrations;
                // databases made before the store had a history of its own list the store's V1 there
                module.baselineOnMigrate(true).baselineVersion("0").ignoreMigrationPatterns("*:missing");
            }
            Flyway flyway = module.load();
            var result = flyway.migrate();
            log.info("schema {}: {} migration(s) applied, now at version {}", schema.name(),
                    result.migrationsExecuted, version(flyway, result));
        }
    }

    /** The shared store template (db/bitemporal), versioned on its own in {@link #STORE_HISTORY}. */
    private static void migrateStore(DataSource dataSource, String schema) {
        Flyway store = configure(dataSource, schema).table(STORE_HISTORY).locations("classpath:db/bitemporal").load();
        if (storeMadeBeforeOwnHistory(dataSource, schema)) {
            store.baseline(); // version 1 of the template exists already
        }
        var result = store.migrate();
        log.info("schema {}: {} store migration(s) applied, now at store version {}", schema,
                result.migrationsExecuted, version(store, result));
    }

    /** The version a migration left: the one it reached, or, when it had nothing to apply, the one already there. */
    private static String version(Flyway flyway, org.flywaydb.core.api.output.MigrateResult result) {
        if (result.targetSchemaVersion != null) {
            return result.targetSchemaVersion;
        }
        var current = flyway.info().current();
        return current == null || current.getVersion() == null ? "none" : current.getVersion().getVersion();
    }

    /**
     * Flyway's lock against a second node migrating at the same time is a session-level advisory
     * lock, not one held by an open transaction: an index built {@code CONCURRENTLY} (outside a
     * transaction, so that writes to a large table go on meanwhile) waits for every open transaction,
     * and would wait for Flyway's own lock until the statement timeout.
     */
    private static org.flywaydb.core.api.configuration.FluentConfiguration configure(DataSource dataSource, String schema) {
        return Flyway.configure().dataSource(dataSource).schemas(schema).createSchemas(true)
                .configuration(java.util.Map.of("flyway.postgresql.transactional.lock", "false"));
    }

    private static boolean storeMadeBeforeOwnHistory(DataSource dataSource, String schema) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL AND to_regclass(?) IS NULL")) {
            s.setString(1, schema + ".registry_object");
            s.setString(2, schema + "." + STORE_HISTORY);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot inspect schema " + schema, e);
        }
    }
}
