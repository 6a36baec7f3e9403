package dk.opensts.platform.events;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The domain event of every registry write, published in the writing transaction and kept in the
 * outbox (Spring Modulith's event publication registry) until delivered. A bulk import publishes
 * one event per batch of up to {@link #MAX_OBJECTS} changed objects.
 *
 * @param municipality the CVR of the municipality the writer acted for; {@code null} for national
 *                     data and internal writes
 */
public record RegistryChanged(String registry, Instant at, List<ChangedObject> objects, String municipality) {

    public static final int MAX_OBJECTS = 1000;

    public record ChangedObject(UUID id, String type, int version, String lifecycle, UUID owner) {
    }
}
