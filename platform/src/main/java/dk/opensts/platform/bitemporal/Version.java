package dk.opensts.platform.bitemporal;

import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/**
 * One version row: the attributes of an object over a valid period, as recorded over a system
 * period ({@code sysTo == null} while it is current), with the registration that recorded it.
 */
public record Version(long vid, UUID objectId, String type, UUID owner, Period valid, Instant sysFrom, Instant sysTo,
                      String validActor, String validNote, ObjectNode data, Registration registration,
                      int currentVersion, Lifecycle currentLifecycle, int depth) {
}
