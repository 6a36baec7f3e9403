package dk.opensts.access.token;

import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.access.domain.ServiceCatalogue;
import dk.opensts.platform.security.Pem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Issues a token for one service and one municipality when an approved service agreement grants
 * the authenticated system roles there: a signed JWT with {@code iss}, {@code sub} (the system),
 * {@code aud} (the service), {@code cvr}, {@code priv} (roles with constraint values), {@code iat},
 * {@code nbf}, {@code exp}, {@code jti} and {@code cnf.x5t#S256} binding it to the client certificate.
 */
public class AgreementTokens implements AuthenticationProvider {

    private final ServiceAgreements agreements;
    private final ServiceCatalogue services;
    private final JwtEncoder encoder;
    private final String issuer;
    private final Duration ttl;
    private final Clock clock;

    public AgreementTokens(ServiceAgreements agreements, ServiceCatalogue services, JwtEncoder encoder, String issuer,
                           Duration ttl, Clock clock) {
        this.agreements = agreements;
        this.services = services;
        this.encoder = encoder;
        this.issuer = issuer;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return OAuth2ClientCredentialsAuthenticationToken.class.isAssignableFrom(authentication);
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        OAuth2ClientCredentialsAuthenticationToken request = (OAuth2ClientCredentialsAuthenticationToken) authentication;
        BoundTokens.CertificateClient client = BoundTokens.certificateClient(request.getPrincipal());
        RegisteredClient registered = client.client().getRegisteredClient();
        UUID system = UUID.fromString(registered.getClientId());
        String service = (String) request.getAdditionalParameters().get(TokenRequests.SERVICE);
        String cvr = (String) request.getAdditionalParameters().get(TokenRequests.MUNICIPALITY);
        Instant exact = clock.instant();
        Instant now = exact.truncatedTo(ChronoUnit.SECONDS);
        List<ServiceAgreements.Grant> grants = agreements.approvedGrants(system, service, cvr, exact);
        if (grants.isEmpty()) {
            if (services.find(service).isEmpty()) {
                throw TokenRequests.error(OAuth2ErrorCodes.INVALID_SCOPE, "unknown service " + service);
            }
            throw TokenRequests.error(OAuth2ErrorCodes.INVALID_SCOPE, "no approved service agreement gives this system "
                    + "access to " + service + " for municipality " + cvr);
        }
        List<Map<String, Object>> priv = new ArrayList<>();
        for (ServiceAgreements.Grant g : grants) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("role", g.role());
            p.put("constraints", g.constraints());
            priv.add(p);
        }
        Instant expires = now.plus(ttl);
        JwtClaimsSet claims = JwtClaimsSet.builder()
                .issuer(issuer)
                .subject(system.toString())
                .audience(List.of(service))
                .issuedAt(now)
                .notBefore(now)
                .expiresAt(expires)
                .id(UUID.randomUUID().toString())
                .claim("cvr", cvr)
                .claim("priv", priv)
                .claim("name", registered.getClientName())
                .claim("cnf", Map.of("x5t#S256", Pem.thumbprint(client.chain()[0])))
                .build();
        return BoundTokens.issue(encoder, claims, client, now, expires);
    }
}
