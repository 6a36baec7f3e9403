package dk.opensts.platform.registry;

import dk.opensts.platform.bitemporal.Period;

/** The parts of a write that are not attributes: the valid period with its actor and note, and the registration note. */
public record WriteInput(Period valid, String validNote, String note) {
}
