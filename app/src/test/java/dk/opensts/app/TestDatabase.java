package dk.opensts.app;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One embedded PostgreSQL per test JVM, and a new database copied from a template for every
 * test application context, so each test class starts from a clean database.
 */
public class TestDatabase implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres server;

    public static synchronized EmbeddedPostgres server() throws Exception {
        if (server == null) {
            server = EmbeddedPostgres.builder().setPort(LocalPorts.free()).start();
            try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE opensts_template");
            }
            try (Connection c = server.getDatabase("postgres", "opensts_template").getConnection();
                 Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public");
            }
        }
        return server;
    }

    /** A new, empty database copied from the template; its JDBC URL. */
    public static String newDatabase() throws Exception {
        EmbeddedPostgres pg = server();
        String name = "opensts_test_" + COUNTER.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " TEMPLATE opensts_template");
        }
        return pg.getJdbcUrl("postgres", name);
    }

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        try {
            java.nio.file.Path dataDir = java.nio.file.Files.createTempDirectory("opensts-test-");
            dataDir.toFile().deleteOnExit();
            TestPropertyValues.of("opensts.db.url=" + newDatabase(), "opensts.db.user=postgres",
                    "opensts.db.password=", "opensts.demo.enabled=false", "opensts.db.pool-size=5",
                    "opensts.data-dir=" + dataDir, "opensts.tls.port=0",
                    "opensts.saml.test-idp.enabled=true").applyTo(context);
        } catch (Exception e) {
            throw new IllegalStateException("test database", e);
        }
    }
}
