package dk.opensts.app;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The database: {@code opensts.db.url} (env {@code OPENSTS_DB_URL}) when set, otherwise an
 * embedded PostgreSQL whose data lives in {@code <opensts.data-dir>/postgres} and survives restarts.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DatabaseConfiguration.class);

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(@Value("${opensts.db.url:}") String url,
                                @Value("${opensts.db.user:}") String user,
                                @Value("${opensts.db.password:}") String password,
                                @Value("${opensts.data-dir:./data}") String dataDir,
                                @Value("${opensts.db.pool-size:10}") int poolSize,
                                @Value("${opensts.db.statement-timeout:30s}") String statementTimeout,
                                EmbeddedHolder embedded) throws IOException {
        HikariConfig config = new HikariConfig();
        if (url == null || url.isBlank()) {
            EmbeddedPostgres pg = embedded.start(Path.of(dataDir, "postgres"));
            config.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
            config.setUsername("postgres");
            log.info("Embedded PostgreSQL on port {} with data in {}", pg.getPort(),
                    Path.of(dataDir, "postgres").toAbsolutePath());
        } else {
            config.setJdbcUrl(url);
            config.setUsername(user);
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("opensts");
        config.setConnectionInitSql("SET statement_timeout = '" + statementTimeout.replace("'", "") + "'");
        return new HikariDataSource(config);
    }

    @Bean(destroyMethod = "close")
    EmbeddedHolder embeddedHolder() {
        return new EmbeddedHolder();
    }

    /** Starts the embedded server only when it is needed, and stops it after the pool is closed. */
    public static class EmbeddedHolder implements AutoCloseable {
        private EmbeddedPostgres pg;

        synchronized EmbeddedPostgres start(Path dir) throws IOException {
            if (pg == null) {
                Files.createDirectories(dir);
                pg = EmbeddedPostgres.builder()
                        .setDataDirectory(dir)
                        .setCleanDataDirectory(false)
                        .setServerConfig("max_connections", "100")
                        .setServerConfig("shared_buffers", "256MB")
                        .setServerConfig("fsync", "on")
                        // the embedded library defaults to asynchronous commit; a write OpenSTS has
                        // confirmed must be on disk, so commits wait for their WAL to be flushed
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on")
                        .start();
            }
            return pg;
        }

        @Override
        public synchronized void close() throws IOException {
            if (pg != null) {
                pg.close();
                pg = null;
            }
        }
    }
}
