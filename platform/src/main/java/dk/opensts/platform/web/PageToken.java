package dk.opensts.platform.web;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import java.nio.charset.StandardCharsets;
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
            return UUID.fromString(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "after", "not a page token from this API");
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
