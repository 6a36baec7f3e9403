package dk.opensts.platform.bitemporal;

/** What a write did: the head after it and whether anything was recorded. */
public record WriteResult(ObjectHead head, boolean changed) {
}
