package dk.opensts.platform.security;

import dk.opensts.platform.error.Unstorable;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.BearerTokenErrors;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * The two checks every API request's headers pass, written as loops over the characters instead of
 * regular expressions. They accept and refuse exactly what Spring Security's defaults do, but each
 * request carries a token of about a kilobyte, and matching it against the defaults' patterns (twice:
 * the firewall's check of every header value, then the bearer token's syntax) cost about 4 % of a
 * search's CPU in the server.
 */
public final class HeaderChecks {

    private HeaderChecks() {
    }

    /**
     * The bearer token of the {@code Authorization} header (RFC 6750 section 2.1: {@code Bearer}, any
     * case, one space, then {@code b64token}); none when the header is absent or another scheme;
     * {@code invalid_token} when it is malformed. Tokens in query or form parameters are not read.
     */
    public static final BearerTokenResolver BEARER = HeaderChecks::bearerToken;

    static String bearerToken(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "bearer", 0, 6)) {
            return null;
        }
        if (!isBearerCredentials(header)) {
            throw new OAuth2AuthenticationException(BearerTokenErrors.invalidToken("Bearer token is malformed"));
        }
        return header.substring(7);
    }

    /** {@code Bearer <b64token>}: one or more of {@code A-Z a-z 0-9 - . _ ~ + /}, then any number of {@code =}. */
    static boolean isBearerCredentials(String header) {
        int n = header.length();
        if (n < 8 || !header.regionMatches(true, 0, "bearer ", 0, 7)) {
            return false;
        }
        int i = 7;
        while (i < n && isTokenChar(header.charAt(i))) {
            i++;
        }
        if (i == 7) {
            return false;
        }
        while (i < n && header.charAt(i) == '=') {
            i++;
        }
        return i == n;
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    }

    /**
     * Whether every code point is assigned and not a control character: the firewall's default rule
     * for header names and parameter names ({@code [\p{IsAssigned}&&[^\p{IsControl}]]*}).
     */
    static boolean assignedAndNotControl(String s) {
        return assignedAndNotControl(s, false);
    }

    /** The same, with tabs allowed: the default rule for header values ({@code [\p{IsAssigned}&&[[^\p{IsControl}]||\t]]*}). */
    static boolean headerValue(String s) {
        return assignedAndNotControl(s, true);
    }

    private static boolean assignedAndNotControl(String s, boolean tab) {
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f || tab && c == '\t') {
                i++;
                continue;
            }
            int cp = s.codePointAt(i);
            int type = Character.getType(cp);
            if (type == Character.UNASSIGNED || type == Character.CONTROL) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    /**
     * Spring Security's strict firewall with its default rules: header and parameter names by
     * {@link #assignedAndNotControl}, header values by {@link #headerValue}; and parameter values
     * without the NUL character, which no search can hold ({@link Unstorable}).
     */
    public static StrictHttpFirewall firewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedHeaderNames(HeaderChecks::assignedAndNotControl);
        firewall.setAllowedHeaderValues(HeaderChecks::headerValue);
        firewall.setAllowedParameterNames(HeaderChecks::assignedAndNotControl);
        firewall.setAllowedParameterValues(v -> !Unstorable.hasNul(v));
        return firewall;
    }
}
