package dk.opensts.platform.web;

import dk.opensts.platform.bitemporal.TimePoint;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.Unstorable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * Parses the {@code validAt} and {@code knownAt} parameters: an ISO-8601 instant with offset
 * ({@code 2024-03-01T12:00:00+01:00}) or a date ({@code 2024-03-01}, meaning its start in Danish time).
 * Missing means now.
 */
public final class TimeParams {

    public static final ZoneId DANISH = ZoneId.of("Europe/Copenhagen");

    private TimeParams() {
    }

    public static TimePoint point(String validAt, String knownAt, Instant now) {
        return new TimePoint(parse("validAt", validAt, now), parse("knownAt", knownAt, now),
                knownAt == null || knownAt.isBlank());
    }

    public static Instant parse(String name, String value, Instant fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        Instant t = instant(value);
        if (t == null) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, name,
                    "not an ISO-8601 date or date-time with offset: " + value);
        }
        if (!Unstorable.inRange(t)) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, name, Unstorable.TIME_REASON + ": " + value);
        }
        return t;
    }

    /**
     * The instant an ISO-8601 date (its start in Danish time) or date-time with offset names, of any
     * year; {@code null} when the value is neither.
     */
    public static Instant instant(String value) {
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(DANISH).toInstant()
                    : OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
