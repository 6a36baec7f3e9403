package dk.opensts.platform.bitemporal;

import java.time.Instant;
import java.util.UUID;

/** What is known of an object as a whole: its type, owner, current version and lifecycle. */
public record ObjectHead(UUID id, String type, UUID owner, int version, Lifecycle lifecycle,
                         Instant createdAt, Instant registeredAt) {
}
