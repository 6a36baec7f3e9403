package dk.opensts.access.token;

import dk.opensts.platform.security.Pem;
import dk.opensts.platform.security.ClientCertificates;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every refused token request: an OAuth2 error body ({@code error}, {@code error_description}
 * that says why, never a secret) and an entry in the security log, a certificate error when the
 * client certificate was the reason.
 */
public class TokenRefusals implements AuthenticationFailureHandler, AuthenticationEntryPoint {

    private final SecurityLog securityLog;
    private final JsonMapper json;

    public TokenRefusals(SecurityLog securityLog, JsonMapper json) {
        this.securityLog = securityLog;
        this.json = json;
    }

    /** A request that reached the token endpoint without client authentication (no certificate). */
    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        onAuthenticationFailure(request, response, new OAuth2AuthenticationException(
                new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT), e.getMessage()));
    }

    @Override
    public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
                                        AuthenticationException exception) throws IOException {
        OAuth2Error error = exception instanceof OAuth2AuthenticationException o ? o.getError()
                : new OAuth2Error(OAuth2ErrorCodes.INVALID_REQUEST, exception.getMessage(), null);
        String description = error.getDescription();
        if (description == null && OAuth2ErrorCodes.INVALID_CLIENT.equals(error.getErrorCode())) {
            description = ClientCertificates.chain(request) == null
                    ? "no client certificate: call the token endpoint over mutual TLS with the system's certificate"
                    : "client authentication failed";
        }
        if (description == null) {
            description = error.getErrorCode();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("error", error.getErrorCode());
        X509Certificate[] chain = ClientCertificates.chain(request);
        if (chain != null) {
            details.put("certificateSubject", chain[0].getSubjectX500Principal().getName());
            details.put("certificateIssuer", chain[0].getIssuerX500Principal().getName());
            details.put("thumbprint", Pem.thumbprint(chain[0]));
        }
        putIfPresent(details, "scope", request.getParameter("scope"));
        putIfPresent(details, "resource", request.getParameter("resource"));
        putIfPresent(details, "grantType", request.getParameter("grant_type"));
        String system = null;
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth instanceof OAuth2ClientAuthenticationToken client && client.getRegisteredClient() != null) {
            system = client.getRegisteredClient().getClientId();
        }
        securityLog.denied(exception instanceof CertificateClients.CertificateRejected || (chain == null
                        && OAuth2ErrorCodes.INVALID_CLIENT.equals(error.getErrorCode()))
                        ? SecurityEventType.CERTIFICATE_REJECTED : SecurityEventType.TOKEN_REFUSED,
                system == null ? SecurityLog.Subject.ANONYMOUS : new SecurityLog.Subject(system, system, null),
                description, details);
        boolean client = OAuth2ErrorCodes.INVALID_CLIENT.equals(error.getErrorCode());
        response.setStatus(client ? HttpServletResponse.SC_UNAUTHORIZED : HttpServletResponse.SC_BAD_REQUEST);
        if (client) {
            response.setHeader("WWW-Authenticate", "Mutual-TLS realm=\"opensts\"");
        }
        response.setHeader("Cache-Control", "no-store");
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.getErrorCode());
        body.put("error_description", description);
        response.getOutputStream().write(json.writeValueAsBytes(body));
    }

    private static void putIfPresent(Map<String, Object> m, String k, String v) {
        if (v != null) {
            m.put(k, v.length() > 300 ? v.substring(0, 300) : v);
        }
    }
}
