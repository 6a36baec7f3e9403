package dk.opensts.platform.events;

import java.sql.Timestamp;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;

/**
 * Delivers outbox events into the change feed ({@code platform.change_feed}): the record of every
 * registry and index change, numbered as it arrives (the message distributor takes the same events
 * from the outbox on its own, {@code RegistryRelay}). Runs after the writing transaction commits; if it fails the
 * publication stays in the outbox and is handed out again ({@link OutboxKeeper}). Delivery is
 * idempotent: a change already in the feed is skipped.
 */
public class ChangeFeed {

    private final JdbcClient jdbc;

    public ChangeFeed(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @ApplicationModuleListener
    public void on(RegistryChanged event) {
        List<RegistryChanged.ChangedObject> objects = event.objects();
        // one statement per event (up to RegistryChanged.MAX_OBJECTS rows), in the event's order
        jdbc.sql("INSERT INTO platform.change_feed (registry, object_id, type, version, lifecycle, owner, changed_at)"
                        + " SELECT :registry, o.id, o.type, o.version, o.lifecycle, o.owner, :at"
                        + " FROM unnest(CAST(:ids AS uuid[]), CAST(:types AS text[]), CAST(:versions AS int[]),"
                        + " CAST(:lifecycles AS text[]), CAST(:owners AS uuid[])) WITH ORDINALITY"
                        + " AS o(id, type, version, lifecycle, owner, n)"
                        + " ORDER BY o.n ON CONFLICT (object_id, version) DO NOTHING")
                .param("registry", event.registry())
                .param("at", Timestamp.from(event.at()))
                .param("ids", objects.stream().map(RegistryChanged.ChangedObject::id).toArray(UUID[]::new))
                .param("types", objects.stream().map(RegistryChanged.ChangedObject::type).toArray(String[]::new))
                .param("versions", objects.stream().map(RegistryChanged.ChangedObject::version).toArray(Integer[]::new))
                .param("lifecycles", objects.stream().map(RegistryChanged.ChangedObject::lifecycle).toArray(String[]::new))
                .param("owners", objects.stream().map(RegistryChanged.ChangedObject::owner).toArray(UUID[]::new))
                .update();
    }
}
