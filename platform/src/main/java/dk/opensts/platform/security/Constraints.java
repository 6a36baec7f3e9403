package dk.opensts.platform.security;

/** The well-known data-constraint types (dataafgrænsninger) and the value patterns OpenSTS checks them with. */
public final class Constraints {

    public static final String KLE = "http://sts.kombit.dk/constraints/KLE/1";
    public static final String ORG_UNIT = "http://sts.kombit.dk/constraints/orgenhed/1";
    public static final String SENSITIVITY = "http://sts.kombit.dk/constraints/foelsomhed/1";
    public static final String IT_SYSTEM = "http://sts.kombit.dk/constraints/itsystem/1";

    /** KLE numbers or prefixes: {@code 27}, {@code 27.24}, {@code 27.24.00}, with an optional {@code .*}. */
    public static final String KLE_PATTERN = "[0-9]{2}(\\.[0-9]{2}){0,2}(\\.\\*)?|\\*";
    public static final String UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    /** An org unit UUID; with {@code .*} the unit and all its subunits. */
    public static final String ORG_UNIT_PATTERN = "(" + UUID_PATTERN + ")(\\.\\*)?";
    /** An IT system's UUID. */
    public static final String IT_SYSTEM_PATTERN = UUID_PATTERN;
    public static final String SENSITIVITY_PATTERN =
            "IKKE_FORTROLIGE_DATA|FORTROLIGE_PERSONOPLYSNINGER|FOELSOMME_PERSONOPLYSNINGER|VIP_SAGER";

    /**
     * Whether a KLE number is covered by one of the values: exactly, or under a prefix written
     * {@code 27.*}; {@code *} covers any, also no number at all.
     */
    public static boolean kleMatches(java.util.List<String> values, String subject) {
        for (String v : values) {
            if (v.equals("*")) {
                return true;
            }
            if (subject == null) {
                continue;
            }
            if (v.endsWith(".*") ? subject.startsWith(v.substring(0, v.length() - 1)) : subject.equals(v)) {
                return true;
            }
        }
        return false;
    }

    private Constraints() {
    }
}
