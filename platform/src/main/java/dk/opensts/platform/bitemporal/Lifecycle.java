package dk.opensts.platform.bitemporal;

/** The OIO lifecycle of a registration (livscykluskode). */
public enum Lifecycle {
    CREATED, IMPORTED, CORRECTED, PASSIVATED, DELETED
}
