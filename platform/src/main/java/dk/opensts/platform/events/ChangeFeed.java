package dk.opensts.platform.events;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;

/**
 * Delivers outbox events into the ordered change feed ({@code platform.change_feed}) that the
 * message distributor publishes from. Runs after the writing transaction commits; if it fails the
 * publication stays incomplete in the outbox and is delivered again on restart. Delivery is
 * idempotent: a change already in the feed is skipped.
 */
public class ChangeFeed {

    private final JdbcClient jdbc;

    public ChangeFeed(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @ApplicationModuleListener
    public void on(RegistryChanged event) {
        for (RegistryChanged.ChangedObject o : event.objects()) {
            jdbc.sql("INSERT INTO platform.change_feed (registry, object_id, type, version, lifecycle, owner, changed_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (object_id, version) DO NOTHING")
                    .params(event.registry(), o.id(), o.type(), o.version(), o.lifecycle(), o.owner(),
                            java.sql.Timestamp.from(event.at()))
                    .update();
        }
    }
}
