package dk.opensts.platform.web;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;

/** The object version as an entity tag: {@code "7"}; {@code If-Match} accepts {@code "7"}, {@code W/"7"} or {@code 7}. */
public final class ETags {

    private ETags() {
    }

    public static String of(int version) {
        return "\"" + version + "\"";
    }

    public static Integer parse(String ifMatch, boolean required) {
        if (ifMatch == null || ifMatch.isBlank()) {
            if (required) {
                throw ApiException.field(ErrorCode.PRECONDITION_REQUIRED, "If-Match",
                        "send the version you read (the ETag) so that a concurrent change is not overwritten");
            }
            return null;
        }
        String v = ifMatch.trim();
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "If-Match", "not a version: " + ifMatch);
        }
    }
}
