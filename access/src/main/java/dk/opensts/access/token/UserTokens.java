package dk.opensts.access.token;

import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.platform.security.Pem;
import dk.opensts.access.saml.AssertionExchange;
import dk.opensts.saml.SamlException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Issues a token for a user of a user-facing system (the SAML 2.0 bearer grant): the system's back end
 * presents, over mutual TLS, an assertion the context handler issued to the system, and gets a token
 * for one service acting for the user. Its {@code priv} holds, for each privilege group of the user,
 * the service roles the system role carries with the group's constraint values, and only roles the
 * system's own service agreement for the service and municipality grants: both the user and the
 * system must be allowed. {@code sub} is the user, {@code act.sub} the IT system (RFC 8693); the token
 * expires with the assertion at the latest and is bound to the client certificate.
 */
public class UserTokens implements AuthenticationProvider {

    private final AssertionExchange assertions;
    private final ServiceAgreements agreements;
    private final JwtEncoder encoder;
    private final String issuer;
    private final Duration ttl;
    private final Clock clock;

    public UserTokens(AssertionExchange assertions, ServiceAgreements agreements, JwtEncoder encoder, String issuer,
                      Duration ttl, Clock clock) {
        this.assertions = assertions;
        this.agreements = agreements;
        this.encoder = encoder;
        this.issuer = issuer;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return TokenRequests.UserTokenRequest.class.isAssignableFrom(authentication);
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        TokenRequests.UserTokenRequest request = (TokenRequests.UserTokenRequest) authentication;
        BoundTokens.CertificateClient client = BoundTokens.certificateClient(request.getPrincipal());
        RegisteredClient registered = client.client().getRegisteredClient();
        UUID system = UUID.fromString(registered.getClientId());
        String service = (String) request.getAdditionalParameters().get(TokenRequests.SERVICE);
        AssertionExchange.User user;
        try {
            user = assertions.verify((String) request.getAdditionalParameters().get(TokenRequests.ASSERTION), system);
        } catch (SamlException | IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw TokenRequests.error(OAuth2ErrorCodes.INVALID_GRANT, "the assertion is refused: " + e.getMessage());
        }
        Object named = request.getAdditionalParameters().get(TokenRequests.MUNICIPALITY);
        if (named != null && !named.equals(user.cvr())) {
            throw TokenRequests.error(OAuth2ErrorCodes.INVALID_REQUEST, "the assertion's user acts for " + user.cvr()
                    + ", not " + named);
        }
        Instant exact = clock.instant();
        Set<String> allowed = agreements.approvedGrants(system, service, user.cvr(), exact).stream()
                .map(ServiceAgreements.Grant::role).collect(Collectors.toSet());
        if (allowed.isEmpty()) {
            throw TokenRequests.error(OAuth2ErrorCodes.INVALID_SCOPE, "no approved service agreement gives this system "
                    + "access to " + service + " for municipality " + user.cvr());
        }
        List<Map<String, Object>> priv = user.privileges(service, allowed);
        if (priv.isEmpty()) {
            throw TokenRequests.error(OAuth2ErrorCodes.INVALID_SCOPE, "the user holds no role of " + service
                    + " through " + user.system().entityId());
        }
        Instant now = exact.truncatedTo(ChronoUnit.SECONDS);
        Instant expires = now.plus(ttl).isBefore(user.notOnOrAfter()) ? now.plus(ttl) : user.notOnOrAfter();
        JwtClaimsSet.Builder claims = JwtClaimsSet.builder()
                .issuer(issuer)
                .subject(user.id().toString())
                .audience(List.of(service))
                .issuedAt(now)
                .notBefore(now)
                .expiresAt(expires)
                .id(UUID.randomUUID().toString())
                .claim("cvr", user.cvr())
                .claim("priv", priv)
                .claim("act", Map.of("sub", system.toString()))
                .claim("loa", user.assurance().value())
                .claim("cnf", Map.of("x5t#S256", Pem.thumbprint(client.chain()[0])));
        if (user.name() != null) {
            claims.claim("name", user.name());
        }
        return BoundTokens.issue(encoder, claims.build(), client, now, expires);
    }
}
