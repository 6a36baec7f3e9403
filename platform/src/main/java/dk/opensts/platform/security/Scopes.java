package dk.opensts.platform.security;

/** The scopes a system token can carry; each registry has a read and a write scope. */
public final class Scopes {

    public static final String ORGANISATION_READ = "organisation.read";
    public static final String ORGANISATION_WRITE = "organisation.write";
    public static final String CLASSIFICATION_READ = "classification.read";
    public static final String CLASSIFICATION_WRITE = "classification.write";

    public static final java.util.List<String> ALL = java.util.List.of(
            ORGANISATION_READ, ORGANISATION_WRITE, CLASSIFICATION_READ, CLASSIFICATION_WRITE);

    private Scopes() {
    }
}
