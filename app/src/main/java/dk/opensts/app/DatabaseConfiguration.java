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

    /**
     * Starts the embedded server only when it is needed, and stops it after the pool is closed.
     *
     * <p>While it runs, the process holds a lock on {@code <dir>.lock}: a second OpenSTS on the same
     * data folder is refused at start instead of sharing (or stopping) the first one's database. A
     * run killed outright (SIGKILL, the machine's OOM killer) leaves its PostgreSQL running with
     * the data folder locked, and the next start failed ("Gave up waiting for server to start");
     * since the operating system released the dead run's lock, the next start knows that server
     * is left over, stops it (a shutdown PostgreSQL finishes cleanly; nothing committed is lost)
     * and starts its own.
     */
    public static class EmbeddedHolder implements AutoCloseable {
        private EmbeddedPostgres pg;
        /** Open while the server runs; its lock is released when it is closed (or the process dies). */
        private java.nio.channels.FileChannel lockFile;

        synchronized EmbeddedPostgres start(Path dir) throws IOException {
            if (pg == null) {
                Files.createDirectories(dir);
                lock(dir);
                stopLeftOver(dir);
                pg = EmbeddedPostgres.builder()
                        // the library's own choice is a port from new ServerSocket(0), which an
                        // outgoing connection can take before PostgreSQL binds it
                        .setPort(LocalPorts.free())
                        .setDataDirectory(dir)
                        .setCleanDataDirectory(false)
                        .setServerConfig("max_connections", "100")
                        .setServerConfig("shared_buffers", "256MB")
                        .setServerConfig("fsync", "on")
                        // the embedded library defaults to asynchronous commit; a write OpenSTS has
                        // confirmed must be on disk, so commits wait for their WAL to be flushed
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on")
                        // stopped by close(), after the application's pool: the library's own
                        // shutdown hook stopped it beside the application's, under its last statements
                        .setRegisterShutdownHook(false)
                        .start();
            }
            return pg;
        }

        private void lock(Path dir) throws IOException {
            Path file = dir.resolveSibling(dir.getFileName() + ".lock");
            lockFile = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE);
            java.nio.channels.FileLock lock;
            try {
                lock = lockFile.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                lockFile.close();
                lockFile = null;
                throw new IllegalStateException("The data folder " + dir.toAbsolutePath()
                        + " is in use by another OpenSTS (it holds " + file.getFileName() + "); stop that one first");
            }
        }

        /** Stops the PostgreSQL a killed run left on {@code dir}, if its process still runs. */
        private static void stopLeftOver(Path dir) throws IOException {
            Path pidFile = dir.resolve("postmaster.pid");
            if (!Files.exists(pidFile)) {
                return;
            }
            long pid;
            try {
                pid = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
            } catch (RuntimeException e) {
                return; // not a lock file PostgreSQL wrote: PostgreSQL itself decides
            }
            // the embedded binaries' server (unpacked under embedded-pg), not a process that got the number since
            java.util.Optional<ProcessHandle> left = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().command()
                            .map(c -> c.endsWith("postgres") && c.contains("embedded-pg")).orElse(false));
            if (left.isEmpty()) {
                return; // a stale file of a process that is gone: PostgreSQL starts over it
            }
            log.warn("Stopping the embedded PostgreSQL (pid {}) that a run killed before it could stop left on {}",
                    pid, dir.toAbsolutePath());
            left.get().destroy(); // SIGTERM: PostgreSQL's smart shutdown; its clients died with their run
            try {
                left.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("The embedded PostgreSQL (pid " + pid + ") left on "
                        + dir.toAbsolutePath() + " did not stop in 60 s; stop it, then start OpenSTS again", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the left-over PostgreSQL stopped", e);
            }
        }

        @Override
        public synchronized void close() throws IOException {
            try {
                if (pg != null) {
                    pg.close();
                    pg = null;
                }
            } finally {
                if (lockFile != null) {
                    lockFile.close(); // releases the lock
                    lockFile = null;
                }
            }
        }
    }
}
