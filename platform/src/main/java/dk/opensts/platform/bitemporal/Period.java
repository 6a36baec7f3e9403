package dk.opensts.platform.bitemporal;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A half-open period {@code [from, to)} in valid or system time; {@code null} at either end means
 * unbounded. Instants are kept to the microsecond, as PostgreSQL stores them.
 */
public record Period(Instant from, Instant to) {

    public Period {
        from = micros(from);
        to = micros(to);
        if (from != null && to != null && !from.isBefore(to)) {
            throw new ApiException(ErrorCode.INVALID_PERIOD,
                    "The period starts at " + from + " which is not before its end " + to);
        }
    }

    public static Period from(Instant from) {
        return new Period(from, null);
    }

    public static Period always() {
        return new Period(null, null);
    }

    public boolean contains(Instant t) {
        return (from == null || !t.isBefore(from)) && (to == null || t.isBefore(to));
    }

    public boolean overlaps(Period o) {
        return before(from, o.to) && before(o.from, to);
    }

    /** {@code a < b} where a null {@code a} is minus infinity and a null {@code b} plus infinity. */
    static boolean before(Instant a, Instant b) {
        return a == null || b == null || a.isBefore(b);
    }

    static Instant micros(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
    }

    /** The PostgreSQL range literal, for example {@code ["2024-01-01T00:00:00Z",)}. */
    public String toRangeLiteral() {
        return "[" + (from == null ? "" : "\"" + from + "\"") + "," + (to == null ? "" : "\"" + to + "\"") + ")";
    }
}
