package dk.opensts.platform.db;

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

    public static void migrate(DataSource dataSource, List<ModuleSchema> schemas) {
        for (ModuleSchema schema : schemas) {
            List<String> locations = new ArrayList<>();
            if (schema.bitemporal()) {
                locations.add("classpath:db/bitemporal");
            }
            locations.add("classpath:db/migration/" + schema.name());
            var result = Flyway.configure()
                    .dataSource(dataSource)
                    .schemas(schema.name())
                    .createSchemas(true)
                    .locations(locations.toArray(String[]::new))
                    .failOnMissingLocations(false)
                    .load()
                    .migrate();
            log.info("schema {}: {} migration(s) applied, now at version {}", schema.name(),
                    result.migrationsExecuted, result.targetSchemaVersion);
        }
    }
}
