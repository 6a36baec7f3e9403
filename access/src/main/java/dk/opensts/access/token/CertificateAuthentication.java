package dk.opensts.access.token;

import dk.opensts.platform.security.Pem;
import dk.opensts.platform.security.ClientCertificates;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.security.ProblemSecurityHandlers;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Map;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authenticates a request by its client certificate alone (for a system's own agreement
 * requests): the same checks as the token endpoint; a refusal is 401 problem+json and a
 * certificate error in the security log.
 */
public class CertificateAuthentication extends OncePerRequestFilter {

    private final CertificateClients clients;
    private final SecurityLog securityLog;
    private final JsonMapper json;

    public CertificateAuthentication(CertificateClients clients, SecurityLog securityLog, JsonMapper json) {
        this.clients = clients;
        this.securityLog = securityLog;
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        X509Certificate[] certificates = ClientCertificates.chain(request);
        String problem;
        if (certificates == null) {
            problem = "no client certificate: call over mutual TLS with the system's certificate";
        } else {
            try {
                CertificateClients.Client client = clients.verify(certificates);
                SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                        client.system(), null, AuthorityUtils.NO_AUTHORITIES));
                chain.doFilter(request, response);
                return;
            } catch (CertificateClients.CertificateRejected e) {
                problem = e.getError().getDescription();
            }
        }
        securityLog.denied(SecurityEventType.CERTIFICATE_REJECTED, SecurityLog.Subject.ANONYMOUS, problem,
                certificates == null ? Map.of("path", request.getRequestURI())
                        : Map.of("path", request.getRequestURI(), "thumbprint", Pem.thumbprint(certificates[0]),
                        "certificateSubject", certificates[0].getSubjectX500Principal().getName()));
        ProblemSecurityHandlers.write(json, response, ErrorCode.UNAUTHENTICATED, problem, request.getRequestURI());
    }
}
