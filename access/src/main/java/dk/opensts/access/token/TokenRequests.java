package dk.opensts.access.token;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationToken;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Reads a token request that names one service and one municipality, in KOMBIT's REST form
 * {@code scope=entityid:<service entity id>,anvenderkontekst:<CVR>} or the standard form
 * {@code resource=<entity id>} (RFC 8707) or {@code audience=<entity id>} with
 * {@code anvenderkontekst=<CVR>}: {@code client_credentials} for the system itself, or the SAML 2.0
 * bearer grant (RFC 7522, {@code assertion=<base64url assertion of the context handler>}) for a user
 * of a user-facing system, whose municipality the assertion names. Any other grant type is left to
 * the authorization server, which answers {@code unsupported_grant_type}.
 */
public class TokenRequests implements AuthenticationConverter {

    public static final String SERVICE = "service";
    public static final String MUNICIPALITY = "cvr";
    private static final Pattern CVR = Pattern.compile("[0-9]{8}");
    private static final Pattern SCOPE_SEPARATOR = Pattern.compile("[,\\s]+");

    /** RFC 7522. */
    public static final AuthorizationGrantType SAML2_BEARER =
            new AuthorizationGrantType("urn:ietf:params:oauth:grant-type:saml2-bearer");
    public static final String ASSERTION = "assertion";

    /** A user token request: the assertion, the service, and the municipality if the client named one. */
    public static final class UserTokenRequest
            extends org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationGrantAuthenticationToken {
        public UserTokenRequest(Authentication client, Map<String, Object> parameters) {
            super(SAML2_BEARER, client, parameters);
        }
    }

    @Override
    public Authentication convert(HttpServletRequest request) {
        String grant = request.getParameter("grant_type");
        boolean user = SAML2_BEARER.getValue().equals(grant);
        if (!AuthorizationGrantType.CLIENT_CREDENTIALS.getValue().equals(grant) && !user) {
            return null;
        }
        String scope = single(request, "scope");
        String service = null;
        String cvr = single(request, "anvenderkontekst");
        if (scope != null && !scope.isBlank()) {
            for (String item : SCOPE_SEPARATOR.split(scope.strip())) {
                int colon = item.indexOf(':');
                String name = colon < 0 ? item : item.substring(0, colon).toLowerCase();
                String value = colon < 0 ? "" : item.substring(colon + 1);
                switch (name) {
                    case "entityid" -> service = once(service, value, "entityid");
                    case "anvenderkontekst" -> cvr = once(cvr, value, "anvenderkontekst");
                    default -> throw error(OAuth2ErrorCodes.INVALID_SCOPE, "unknown scope item '" + abbreviate(item)
                            + "'; expected entityid:<service entity id>,anvenderkontekst:<CVR>");
                }
            }
        }
        for (String parameter : new String[] {"resource", "audience"}) {
            String value = single(request, parameter);
            if (value != null) {
                if (service != null && !service.equals(value)) {
                    throw error(OAuth2ErrorCodes.INVALID_REQUEST, parameter + " names another service than the request's other parameters");
                }
                service = value;
            }
        }
        if (service == null || service.isBlank()) {
            throw error(OAuth2ErrorCodes.INVALID_REQUEST, "name the service: scope=entityid:<service entity id>,"
                    + "anvenderkontekst:<CVR>, or resource=<service entity id>");
        }
        if (cvr != null && !CVR.matcher(cvr).matches()) {
            throw error(OAuth2ErrorCodes.INVALID_REQUEST, "anvenderkontekst must be a CVR number of 8 digits");
        }
        Authentication client = SecurityContextHolder.getContext().getAuthentication();
        if (user) {
            String assertion = single(request, ASSERTION);
            if (assertion == null || assertion.isBlank() || assertion.length() > 1_000_000) {
                throw error(OAuth2ErrorCodes.INVALID_REQUEST, "give the context handler's assertion (base64url) in assertion");
            }
            Map<String, Object> parameters = new java.util.HashMap<>(Map.of(SERVICE, service, ASSERTION, assertion));
            if (cvr != null) {
                parameters.put(MUNICIPALITY, cvr);
            }
            return new UserTokenRequest(client, parameters);
        }
        if (cvr == null || cvr.isBlank()) {
            throw error(OAuth2ErrorCodes.INVALID_REQUEST, "name the municipality the token is for: "
                    + "anvenderkontekst:<CVR> in scope, or the anvenderkontekst parameter");
        }
        return new OAuth2ClientCredentialsAuthenticationToken(client, Set.of(), Map.of(SERVICE, service, MUNICIPALITY, cvr));
    }

    private static String once(String current, String value, String name) {
        if (current != null && !current.equals(value)) {
            throw error(OAuth2ErrorCodes.INVALID_SCOPE, name + " is given twice");
        }
        return value;
    }

    private static String single(HttpServletRequest request, String name) {
        String[] values = request.getParameterValues(name);
        if (values == null) {
            return null;
        }
        if (values.length > 1) {
            throw error(OAuth2ErrorCodes.INVALID_REQUEST, "the parameter " + name + " is given more than once");
        }
        return values[0];
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    static OAuth2AuthenticationException error(String code, String description) {
        return new OAuth2AuthenticationException(new OAuth2Error(code, description, null), description);
    }
}
