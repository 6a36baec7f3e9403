package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.OpenStsApplication;
import dk.opensts.organisation.api.Organisations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Restarts lose nothing: a change whose outbox event could not be delivered before the server
 * stopped is delivered to the change feed when the server starts again.
 */
class OutboxRestartTest {

    /** A server on its own database; the outbox is kept every {@code outboxEvery}, stale after {@code staleAfter}. */
    static ConfigurableApplicationContext start(String url, Path dataDir, String outboxEvery, String staleAfter) {
        return new SpringApplicationBuilder(OpenStsApplication.class).run("--server.port=0", "--opensts.tls.port=0",
                "--opensts.demo.enabled=false", "--opensts.db.url=" + url, "--opensts.db.user=postgres",
                "--opensts.db.password=", "--opensts.data-dir=" + dataDir, "--opensts.db.pool-size=4",
                "--opensts.outbox.every=" + outboxEvery, "--opensts.outbox.stale-after=" + staleAfter,
                "--spring.main.banner-mode=off");
    }

    /** A server that hands failed publications out again only at its start (the outbox kept hourly). */
    private static ConfigurableApplicationContext start(String url, Path dataDir) {
        return start(url, dataDir, "PT1H", "PT1H");
    }

    @Test
    void anUndeliveredChangeIsDeliveredAfterARestart() throws Exception {
        String url = TestDatabase.newDatabase();
        Path dataDir = Files.createTempDirectory("opensts-restart-");
        UUID organisation;
        try (ConfigurableApplicationContext first = start(url, dataDir)) {
            JdbcClient jdbc = first.getBean(JdbcClient.class);
            // what the start-up wrote (OpenSTS's own message types) is delivered first
            // (completed publications are deleted: the outbox holds only what waits)
            waitFor(() -> jdbc.sql("SELECT count(*) FROM platform.event_publication").query(Long.class).single() == 0);
            // the change feed is unavailable: delivery fails and the event stays in the outbox
            jdbc.sql("ALTER TABLE platform.change_feed RENAME TO change_feed_away").update();
            organisation = first.getBean(Organisations.class).ensureMunicipality("44444444", "Genstart Kommune", "test");
            // (the message distributor's relay listens too: it has no subscriber to deliver to and completes)
            waitFor(() -> jdbc.sql("SELECT count(*) FROM platform.event_publication WHERE status = 'FAILED'")
                    .query(Long.class).single() == 1
                    && jdbc.sql("SELECT count(*) FROM platform.event_publication").query(Long.class).single() == 1);
            assertThat(jdbc.sql("SELECT listener_id FROM platform.event_publication WHERE completion_date IS NULL")
                    .query(String.class).list()).singleElement().asString().contains("ChangeFeed");
            jdbc.sql("ALTER TABLE platform.change_feed_away RENAME TO change_feed").update();
            assertThat(jdbc.sql("SELECT count(*) FROM platform.change_feed WHERE object_id = ?").param(organisation)
                    .query(Long.class).single()).isZero();
        }
        try (ConfigurableApplicationContext second = start(url, dataDir)) {
            JdbcClient jdbc = second.getBean(JdbcClient.class);
            UUID id = organisation;
            waitFor(() -> jdbc.sql("SELECT count(*) FROM platform.change_feed WHERE object_id = ?").param(id)
                    .query(Long.class).single() == 1);
            waitFor(() -> jdbc.sql("SELECT count(*) FROM platform.event_publication").query(Long.class).single() == 0);
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(20));
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waited 20 s").isBefore(end);
            Thread.sleep(50);
        }
    }
}
