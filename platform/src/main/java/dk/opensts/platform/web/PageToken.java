package dk.opensts.platform.web;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Opaque keyset cursor: the id of the last item of the previous page. */
public final class PageToken {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    private PageToken() {
    }

    public static String encode(UUID last) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(last.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static UUID decode(String token) {
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            return Uuids.parse(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw notOurs();
        }
    }

    /**
     * Where a search's next page starts, and the moment its first page was valid at: the pages of one
     * search all show the objects as valid at that moment, however long the client takes to read them.
     */
    public record SearchCursor(UUID after, Instant validAt) {
    }

    /**
     * The token of a search's next page: after {@code last}, valid at {@code validAt}, and for the search
     * {@code query} (its type and filters) only.
     */
    public static String encodeSearch(UUID last, Instant validAt, String query) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("s|" + last + "|" + micros(validAt) + "|" + fingerprint(query)).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The cursor a search's token names, {@code null} for none; a token of another search (another
     * type or other filters) is refused, as it would silently start that search somewhere else.
     */
    public static SearchCursor decodeSearch(String token, String query) {
        if (token == null || token.isBlank()) {
            return null;
        }
        String[] parts;
        try {
            parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split("\\|", -1);
        } catch (IllegalArgumentException e) {
            throw notOurs();
        }
        if (parts.length != 4 || !parts[0].equals("s")) {
            throw notOurs();
        }
        if (!parts[3].equals(fingerprint(query))) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "after",
                    "a page token of another search (another type or other filters); start again without after");
        }
        try {
            return new SearchCursor(Uuids.parse(parts[1]), ofMicros(Long.parseLong(parts[2])));
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw notOurs();
        }
    }

    /** The refusal of an {@code after} that no page of this API gave out. */
    public static ApiException notOurs() {
        return ApiException.field(ErrorCode.INVALID_PARAMETER, "after", "not a page token from this API");
    }

    /** A time as the microseconds since the epoch that a token carries (PostgreSQL's precision). */
    public static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    /** The time a token's {@link #micros} stand for. */
    public static Instant ofMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }

    /** A short digest of a search's type and filters. */
    private static String fingerprint(String query) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(query.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(d, 9));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static int limit(Integer limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "limit", "must be 1 to " + MAX_LIMIT);
        }
        return limit;
    }
}
