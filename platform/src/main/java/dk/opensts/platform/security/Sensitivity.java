package dk.opensts.platform.security;

import java.util.EnumSet;
import java.util.Set;

/**
 * The sensitivity (følsomhed) every indexed record carries. The first three are ordered: a caller
 * allowed a level sees the levels below it too. {@link #VIP_SAGER} stands apart: only a privilege
 * that names it explicitly sees it.
 */
public enum Sensitivity {
    IKKE_FORTROLIGE_DATA(1),
    FORTROLIGE_PERSONOPLYSNINGER(2),
    FOELSOMME_PERSONOPLYSNINGER(3),
    VIP_SAGER(4);

    private final int code;

    Sensitivity(int code) {
        this.code = code;
    }

    /** The number stored in index tables (1 to 4). */
    public int code() {
        return code;
    }

    public static Sensitivity ofCode(int code) {
        for (Sensitivity s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("no sensitivity " + code);
    }

    /**
     * The levels a constraint value grants: the highest ordered level named and every level below it,
     * plus {@link #VIP_SAGER} only when named. Unknown names are ignored (the catalogue checked them).
     */
    public static Set<Sensitivity> granted(String values) {
        EnumSet<Sensitivity> out = EnumSet.noneOf(Sensitivity.class);
        int highest = 0;
        for (String v : values.split(",")) {
            String name = v.trim();
            if (name.equals(VIP_SAGER.name())) {
                out.add(VIP_SAGER);
            }
            for (Sensitivity s : values()) {
                if (s != VIP_SAGER && s.name().equals(name)) {
                    highest = Math.max(highest, s.code);
                }
            }
        }
        for (Sensitivity s : values()) {
            if (s != VIP_SAGER && s.code <= highest) {
                out.add(s);
            }
        }
        return out;
    }
}
