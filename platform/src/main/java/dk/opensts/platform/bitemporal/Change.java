package dk.opensts.platform.bitemporal;

import java.util.UUID;
import java.util.function.UnaryOperator;
import tools.jackson.databind.node.ObjectNode;

/**
 * A write of one object over a valid period.
 *
 * @param expectedVersion the version the writer read ({@code If-Match}); {@code null} skips the check
 * @param create          whether the object must not exist yet
 * @param apply           the new attributes given the old ones ({@code null} for a period without a version);
 *                        returning {@code null} for old attributes ends the object's validity in the period
 * @param fillGaps        whether the change also covers parts of the period where the object had no version
 * @param index           derives the search columns from attributes
 */
public record Change(UUID objectId, String type, UUID owner, Integer expectedVersion, boolean create,
                     Lifecycle lifecycle, String actor, String note, Period valid, String validActor,
                     String validNote, UnaryOperator<ObjectNode> apply, boolean fillGaps,
                     java.util.function.Function<ObjectNode, IndexFields> index) {
}
