package dk.opensts.platform.bitemporal;

import java.time.Instant;
import java.util.UUID;

/** One registration (a write) of an object: when it was recorded, by whom, why, with what lifecycle. */
public record Registration(UUID id, UUID objectId, int version, Instant registeredAt, String actor, String note,
                           Lifecycle lifecycle) {
}
