package dk.opensts.messaging.domain;

import dk.opensts.platform.events.RegistryChanged;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.modulith.events.ApplicationModuleListener;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Publishes the registries' and indexes' changes through the distributor, from the outbox: each
 * changed object becomes a message of the registry's message type (for example
 * {@code SagsindeksAendret}) with the object's id, type, version and lifecycle, and no personal
 * data. The sending authority is the municipality the writer acted for, or the national authority
 * for national data. The message id is derived from the object and version, so an outbox event
 * delivered twice is stored once; a change no one subscribes to is not stored.
 */
public class RegistryRelay {

    /** A registry's message type. */
    public record MessageType(String name, String title) {
    }

    public static final Map<String, MessageType> TYPES = Map.of(
            "organisation", new MessageType("OrganisationAendret", "Ændring i Organisation"),
            "classification", new MessageType("KlassifikationAendret", "Ændring i Klassifikation"),
            "case-index", new MessageType("SagsindeksAendret", "Ændring i Sags- og Dokumentindeks"),
            "benefit-index", new MessageType("YdelsesindeksAendret", "Ændring i Ydelsesindeks"));

    private final Distributor distributor;
    private final String nationalAuthority;

    public RegistryRelay(Distributor distributor, String nationalAuthority) {
        this.distributor = distributor;
        this.nationalAuthority = nationalAuthority;
    }

    @ApplicationModuleListener
    public void on(RegistryChanged event) {
        MessageType type = TYPES.get(event.registry());
        if (type == null) {
            return;
        }
        String authority = event.municipality() == null ? nationalAuthority : event.municipality();
        List<Envelope> messages = new ArrayList<>();
        for (RegistryChanged.ChangedObject o : event.objects()) {
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("registry", event.registry());
            data.put("objectId", o.id().toString());
            data.put("objectType", o.type());
            data.put("version", o.version());
            data.put("lifecycle", o.lifecycle());
            data.put("changedAt", event.at().toString());
            UUID id = UUID.nameUUIDFromBytes((event.registry() + ":" + o.id() + ":" + o.version())
                    .getBytes(StandardCharsets.UTF_8));
            messages.add(new Envelope(id, Envelope.VERSION, type.name(),
                    new Envelope.FilterData(authority, List.of(), List.of(),
                            new Envelope.ObjectRegistration(o.id().toString(), o.type(), o.lifecycle(), null, null)),
                    new Envelope.DeliveryInfo(event.at(), null, null, null, null), null,
                    new Envelope.Payload("application/json", data)));
        }
        distributor.publishInternal(messages);
    }
}
