package dk.opensts.app;

import static dk.opensts.app.OutboxRestartTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.events.OutboxKeeper;
import dk.opensts.platform.events.RegistryChanged;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.core.EventSerializer;

/**
 * The outbox is kept while the server runs, not only at its start: a change whose delivery failed is
 * delivered once the cause is gone, a publication a stopped node left unfinished is handed out
 * again, completed publications are deleted, and the gauges show what waits.
 */
class OutboxKeeperTest {

    @Test
    void aFailedDeliveryIsRetriedUntilItSucceedsAndAStaleOneIsHandedOutAgainWithoutARestart() throws Exception {
        try (ConfigurableApplicationContext server = start("PT0.2S", "PT3S")) {
            JdbcClient jdbc = server.getBean(JdbcClient.class);
            MeterRegistry meters = server.getBean(MeterRegistry.class);
            // what the start-up wrote is delivered, and the completed publications are gone
            waitFor(() -> count(jdbc, "") == 0 && gauge(meters, "published") == 0);
            assertThat(gauge(meters, "failed")).isZero();
            assertThat(meters.get(OutboxKeeper.OLDEST).gauge().value()).isZero();

            // the change feed is away: the listener fails, and is tried again turn after turn
            jdbc.sql("ALTER TABLE platform.change_feed RENAME TO change_feed_away").update();
            UUID organisation = server.getBean(Organisations.class)
                    .ensureMunicipality("55555555", "Forsøg Kommune", "test");
            // (the distributor's relay listens too: it has no subscriber to deliver to and completes)
            waitFor(() -> count(jdbc, "") == 1 && jdbc.sql("SELECT completion_attempts FROM platform.event_publication")
                    .query(Integer.class).single() >= 3);
            Map<String, Object> failing = jdbc.sql("SELECT listener_id, serialized_event, event_type"
                    + " FROM platform.event_publication").query().singleRow();
            assertThat((String) failing.get("listener_id")).contains("ChangeFeed");
            waitFor(() -> total(meters) == 1 && meters.get(OutboxKeeper.OLDEST).gauge().value() > 0.2);

            // the cause is gone: the next hand-out delivers it, without a restart
            jdbc.sql("ALTER TABLE platform.change_feed_away RENAME TO change_feed").update();
            waitFor(() -> feed(jdbc, organisation) == 1 && count(jdbc, "") == 0);
            waitFor(() -> total(meters) == 0 && meters.get(OutboxKeeper.OLDEST).gauge().value() == 0);

            // a publication a stopped node left behind (published, never run) is handed out once it is stale
            UUID left = UUID.randomUUID();
            String event = ((String) failing.get("serialized_event")).replace(organisation.toString(), left.toString());
            assertThat(event).contains(left.toString());
            double staleBefore = meters.get(OutboxKeeper.STALE).counter().count();
            Instant published = Instant.now().minusSeconds(1);
            jdbc.sql("INSERT INTO platform.event_publication (id, listener_id, event_type, serialized_event,"
                            + " publication_date, status, completion_attempts, last_resubmission_date)"
                            + " VALUES (:id, :listener, :type, :event, :at, 'PUBLISHED', 1, :at)")
                    .param("id", UUID.randomUUID()).param("listener", failing.get("listener_id"))
                    .param("type", failing.get("event_type")).param("event", event)
                    .param("at", Timestamp.from(published)).update();
            Thread.sleep(1000); // within its 3 seconds it is left alone: its listener may still be at work
            assertThat(feed(jdbc, left)).isZero();
            assertThat(count(jdbc, " WHERE status = 'PUBLISHED'")).isOne();
            waitFor(() -> feed(jdbc, left) == 1 && count(jdbc, "") == 0);
            assertThat(meters.get(OutboxKeeper.STALE).counter().count() - staleBefore).isOne();
        }
    }

    @Test
    void aBacklogOfFailedPublicationsDrainsInOneTurnNotAHundredATurn() throws Exception {
        // a turn at the start, then one a minute: what this test sees happen is one turn's work
        try (ConfigurableApplicationContext server = start("PT1M", "PT5M")) {
            JdbcClient jdbc = server.getBean(JdbcClient.class);
            waitFor(() -> count(jdbc, "") == 0);
            // 250 changes whose delivery to the change feed failed while the database was away
            EventSerializer serializer = server.getBean(EventSerializer.class);
            List<UUID> objects = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                UUID object = UUID.randomUUID();
                objects.add(object);
                Object event = serializer.serialize(new RegistryChanged("organisation", Instant.now(),
                        List.of(new RegistryChanged.ChangedObject(object, "unit", 1, "IMPORTED", null)), null));
                jdbc.sql("INSERT INTO platform.event_publication (id, listener_id, event_type, serialized_event,"
                                + " publication_date, status, completion_attempts, last_resubmission_date)"
                                + " VALUES (:id, :listener, :type, :event, now(), 'FAILED', 1, now())")
                        .param("id", UUID.randomUUID())
                        .param("listener", "dk.opensts.platform.events.ChangeFeed.on(dk.opensts.platform.events.RegistryChanged)")
                        .param("type", RegistryChanged.class.getName()).param("event", event.toString()).update();
            }
            server.getBean(OutboxKeeper.class).wake();
            waitFor(() -> count(jdbc, "") == 0);
            assertThat(jdbc.sql("SELECT count(*) FROM platform.change_feed WHERE object_id = ANY(?)")
                    .param(objects.toArray(UUID[]::new)).query(Long.class).single()).isEqualTo(250);
        }
    }

    /** A server on a database of its own, its outbox kept every {@code every}, stale after {@code staleAfter}. */
    private static ConfigurableApplicationContext start(String every, String staleAfter) throws Exception {
        return OutboxRestartTest.start(TestDatabase.newDatabase(), Files.createTempDirectory("opensts-outbox-"),
                every, staleAfter);
    }

    private static long count(JdbcClient jdbc, String where) {
        return jdbc.sql("SELECT count(*) FROM platform.event_publication" + where).query(Long.class).single();
    }

    private static long feed(JdbcClient jdbc, UUID object) {
        return jdbc.sql("SELECT count(*) FROM platform.change_feed WHERE object_id = ?").param(object)
                .query(Long.class).single();
    }

    private static double gauge(MeterRegistry meters, String status) {
        return meters.get(OutboxKeeper.PUBLICATIONS).tag("status", status).gauge().value();
    }

    private static double total(MeterRegistry meters) {
        return meters.get(OutboxKeeper.PUBLICATIONS).gauges().stream().mapToDouble(g -> g.value()).sum();
    }
}
