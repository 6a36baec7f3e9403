package dk.opensts.platform.security;

import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a verified token must also match to be used on a request (after signature, issuer and
 * expiry): it is for the service the path belongs to and names the municipality it acts for
 * ({@link ServiceTokens}), and it is presented with the certificate it is bound to
 * ({@code cnf.x5t#S256}) when the call comes over mutual TLS, or always when
 * {@code opensts.security.require-mtls} is on. A mismatch is 401 {@code invalid_token} and a
 * security log entry.
 */
public class TokenContextFilter extends OncePerRequestFilter {

    private final List<ServiceDefinition> services;
    private final SecurityLog securityLog;
    private final JsonMapper json;
    private final boolean requireMutualTls;

    public TokenContextFilter(List<ServiceDefinition> services, SecurityLog securityLog, JsonMapper json,
                              boolean requireMutualTls) {
        // longest prefix first, so a nested service wins over the one around it
        this.services = services.stream().filter(s -> s.pathPrefix() != null)
                .sorted(Comparator.comparing((ServiceDefinition s) -> s.pathPrefix().length()).reversed()).toList();
        this.securityLog = securityLog;
        this.json = json;
        this.requireMutualTls = requireMutualTls;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth instanceof JwtAuthenticationToken token) {
            String problem = problem(token.getToken(), request);
            if (problem != null) {
                Jwt jwt = token.getToken();
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("method", request.getMethod());
                details.put("path", request.getRequestURI());
                details.put("jti", jwt.getId());
                details.put("aud", jwt.getAudience());
                securityLog.denied(SecurityEventType.TOKEN_REJECTED,
                        new SecurityLog.Subject(jwt.getSubject(), jwt.getSubject(), jwt.getClaimAsString("cvr")),
                        problem, details);
                SecurityContextHolder.clearContext();
                response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                ProblemSecurityHandlers.write(json, response, ErrorCode.UNAUTHENTICATED, problem, request.getRequestURI());
                return;
            }
        }
        chain.doFilter(request, response);
    }

    private String problem(Jwt jwt, HttpServletRequest request) {
        String path = request.getRequestURI();
        ServiceDefinition service = services.stream().filter(s -> path.startsWith(s.pathPrefix())).findFirst().orElse(null);
        if (service == null) {
            return "no service answers " + path;
        }
        ServiceTokens.Mismatch mismatch = ServiceTokens.mismatch(jwt, service.entityId());
        if (mismatch != null) {
            return mismatch.reason();
        }
        String bound = ClientCertificates.boundThumbprint(jwt);
        X509Certificate[] chain = ClientCertificates.chain(request);
        if (chain != null) {
            if (bound == null) {
                return "the token is not bound to a certificate";
            }
            if (!bound.equals(ClientCertificates.thumbprint(chain[0]))) {
                return "the token is bound to another certificate than the one presented";
            }
        } else if (requireMutualTls) {
            return "call over mutual TLS with the certificate the token is bound to";
        }
        return null;
    }

}
