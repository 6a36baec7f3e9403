package dk.opensts.access.roles;

import java.util.Optional;

/** NSIS assurance levels (sikringsniveau), lowest first, with their OIOSAML 3 values. */
public enum Assurance {
    LOW("Low"),
    SUBSTANTIAL("Substantial"),
    HIGH("High");

    /** The prefix of the AuthnContextClassRef of each level. */
    public static final String CONTEXT_PREFIX = "https://data.gov.dk/concept/core/nsis/loa/";

    private final String value;

    Assurance(String value) {
        this.value = value;
    }

    /** The value of the {@code https://data.gov.dk/concept/core/nsis/loa} attribute. */
    public String value() {
        return value;
    }

    public String contextClass() {
        return CONTEXT_PREFIX + value;
    }

    public boolean atLeast(Assurance required) {
        return compareTo(required) >= 0;
    }

    /** From an attribute value ({@code Substantial}) or a context class URI. */
    public static Optional<Assurance> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String v = text.startsWith(CONTEXT_PREFIX) ? text.substring(CONTEXT_PREFIX.length()) : text;
        for (Assurance a : values()) {
            if (a.value.equalsIgnoreCase(v.strip())) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
