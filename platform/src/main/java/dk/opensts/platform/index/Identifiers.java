package dk.opensts.platform.index;

import java.util.regex.Pattern;

/**
 * The person and company numbers indexes are searched by. A CPR number is ten digits (modulus 11 is
 * not required: fictitious and newer numbers do not satisfy it); a CVR number is eight digits.
 */
public final class Identifiers {

    public static final String CPR_PATTERN = "[0-9]{10}";
    public static final String CVR_PATTERN = "[0-9]{8}";

    private static final Pattern CPR = Pattern.compile(CPR_PATTERN);
    private static final Pattern CVR = Pattern.compile(CVR_PATTERN);

    /** The kind of a party identifier. */
    public enum Kind { CPR, CVR }

    private Identifiers() {
    }

    public static boolean isCpr(String s) {
        return s != null && CPR.matcher(s).matches();
    }

    public static boolean isCvr(String s) {
        return s != null && CVR.matcher(s).matches();
    }

    /** The kind of {@code id}, or {@code null} if it is neither a CPR nor a CVR number. */
    public static Kind kindOf(String id) {
        return isCpr(id) ? Kind.CPR : isCvr(id) ? Kind.CVR : null;
    }
}
