package dk.opensts.platform.bitemporal;

import java.time.Instant;

/** A point in both times: valid at {@code validAt}, as recorded at {@code knownAt}. */
public record TimePoint(Instant validAt, Instant knownAt) {

    public TimePoint {
        validAt = Period.micros(validAt);
        knownAt = Period.micros(knownAt);
    }

    public static TimePoint at(Instant now) {
        return new TimePoint(now, now);
    }
}
