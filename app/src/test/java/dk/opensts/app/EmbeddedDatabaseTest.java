package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL of the default run keeps what it confirmed: a commit returns only after
 * its WAL is on disk (the embedded library's own default is asynchronous commit, which may lose the
 * last few hundred milliseconds of confirmed writes if the database process or the machine stops).
 */
class EmbeddedDatabaseTest {

    @Test
    void theDefaultRunsDatabaseCommitsDurably(@TempDir Path dir) throws Exception {
        try (DatabaseConfiguration.EmbeddedHolder holder = new DatabaseConfiguration.EmbeddedHolder()) {
            EmbeddedPostgres pg = holder.start(dir.resolve("postgres"));
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                assertThat(setting(s, "synchronous_commit")).isEqualTo("on");
                assertThat(setting(s, "fsync")).isEqualTo("on");
                assertThat(setting(s, "full_page_writes")).isEqualTo("on");
                // it lets its user in without a password: reachable from this machine only
                assertThat(setting(s, "listen_addresses")).isEqualTo("localhost");
            }
            // not one from the range the kernel takes outgoing connections' ports from
            assertThat(pg.getPort()).isLessThan(LocalPorts.ephemeralLow());
        }
    }

    private static String setting(Statement s, String name) throws Exception {
        try (ResultSet rs = s.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
