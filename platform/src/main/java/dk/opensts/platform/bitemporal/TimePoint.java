package dk.opensts.platform.bitemporal;

import java.time.Instant;

/**
 * A point in both times: valid at {@code validAt}, as recorded at {@code knownAt}. {@code knownNow}
 * says that the reader asked for what is recorded now (no knownAt given): the current rows, also
 * those registered after {@code knownAt} was taken.
 */
public record TimePoint(Instant validAt, Instant knownAt, boolean knownNow) {

    public TimePoint {
        validAt = Period.micros(validAt);
        knownAt = Period.micros(knownAt);
    }

    /** As recorded at a given time. */
    public TimePoint(Instant validAt, Instant knownAt) {
        this(validAt, knownAt, false);
    }

    /** Valid at {@code now} as known now. */
    public static TimePoint at(Instant now) {
        return new TimePoint(now, now, true);
    }
}
