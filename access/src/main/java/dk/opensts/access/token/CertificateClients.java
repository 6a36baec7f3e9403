package dk.opensts.access.token;

import dk.opensts.platform.web.Uuids;
import dk.opensts.platform.security.Pem;
import dk.opensts.access.pki.TrustedIssuers;
import dk.opensts.platform.security.ClientCertificates;
import jakarta.servlet.http.HttpServletRequest;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Client authentication by mutual TLS (RFC 8705 {@code tls_client_auth}): the certificate the
 * client presented in the handshake must chain to a trusted CA, be valid now, be registered to an
 * active IT system and not be revoked. The system is found by the certificate, so
 * {@code client_id} may be left out; when sent it must name that system.
 */
public class CertificateClients implements org.springframework.security.authentication.AuthenticationProvider,
        RegisteredClientRepository {

    private final JdbcClient jdbc;
    private final TrustedIssuers trusted;
    private final Clock clock;
    private final Duration tokenTtl;

    public CertificateClients(JdbcClient jdbc, TrustedIssuers trusted, Clock clock, Duration tokenTtl) {
        this.jdbc = jdbc;
        this.trusted = trusted;
        this.clock = clock;
        this.tokenTtl = tokenTtl;
    }

    /** A refusal of the presented certificate (logged as a certificate error, not a token refusal). */
    public static class CertificateRejected extends OAuth2AuthenticationException {
        public CertificateRejected(String reason) {
            super(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT, reason, null), reason);
        }
    }

    /**
     * Reads the client certificate of a token request. Not a bean of its own: the resource server
     * would take a lone {@link AuthenticationConverter} bean for its bearer tokens.
     */
    public AuthenticationConverter converter() {
        return CertificateClients::convert;
    }

    private static Authentication convert(HttpServletRequest request) {
        X509Certificate[] chain = ClientCertificates.chain(request);
        if (chain == null) {
            return null;
        }
        String clientId = request.getParameter("client_id");
        return new OAuth2ClientAuthenticationToken(clientId == null ? Pem.thumbprint(chain[0]) : clientId,
                ClientAuthenticationMethod.TLS_CLIENT_AUTH, chain,
                clientId == null ? Map.of() : Map.of("client_id", clientId));
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return OAuth2ClientAuthenticationToken.class.isAssignableFrom(authentication);
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        OAuth2ClientAuthenticationToken token = (OAuth2ClientAuthenticationToken) authentication;
        if (!ClientAuthenticationMethod.TLS_CLIENT_AUTH.equals(token.getClientAuthenticationMethod())
                || !(token.getCredentials() instanceof X509Certificate[] chain)) {
            return null;
        }
        Client client = verify(chain);
        Object clientId = token.getAdditionalParameters().get("client_id");
        if (clientId != null && !clientId.equals(client.system().toString())) {
            throw new CertificateRejected("client_id names another IT system than the certificate's");
        }
        return new OAuth2ClientAuthenticationToken(registered(client.system().toString(), client.name()),
                ClientAuthenticationMethod.TLS_CLIENT_AUTH, chain);
    }

    /** The IT system a certificate authenticates. */
    public record Client(UUID system, String name) {
    }

    /** The IT system a certificate chain authenticates; {@link CertificateRejected} with the reason otherwise. */
    public Client verify(X509Certificate[] chain) {
        Instant now = clock.instant();
        String problem = trusted.problem(Arrays.asList(chain), now);
        if (problem != null) {
            throw new CertificateRejected(problem);
        }
        String thumbprint = Pem.thumbprint(chain[0]);
        record Row(UUID system, Timestamp revokedAt, boolean active, String name) {
        }
        List<Row> rows = jdbc.sql("SELECT c.system_id, c.revoked_at, s.active, s.name FROM access.certificate c"
                        + " JOIN access.it_system s ON s.id = c.system_id WHERE c.thumbprint = ?")
                .param(thumbprint)
                .query((rs, n) -> new Row(rs.getObject(1, UUID.class), rs.getTimestamp(2), rs.getBoolean(3),
                        rs.getString(4))).list();
        if (rows.isEmpty()) {
            throw new CertificateRejected("the certificate is not registered to an IT system");
        }
        Row row = rows.get(0);
        if (row.revokedAt() != null) {
            throw new CertificateRejected("the certificate was revoked at " + row.revokedAt().toInstant());
        }
        if (!row.active()) {
            throw new CertificateRejected("the IT system of this certificate is not active");
        }
        return new Client(row.system(), row.name());
    }

    @Override
    public void save(RegisteredClient registeredClient) {
        throw new UnsupportedOperationException("IT systems are registered through the administration API");
    }

    @Override
    public RegisteredClient findById(String id) {
        return findByClientId(id);
    }

    /** An active IT system as the authorization server's client: mutual TLS, client credentials, JWT. */
    @Override
    public RegisteredClient findByClientId(String clientId) {
        UUID id;
        try {
            id = Uuids.parse(clientId);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return jdbc.sql("SELECT name FROM access.it_system WHERE id = ? AND active").param(id).query(String.class)
                .optional().map(name -> registered(clientId, name)).orElse(null);
    }

    private RegisteredClient registered(String clientId, String name) {
        return RegisteredClient.withId(clientId)
                .clientId(clientId)
                .clientName(name)
                .clientAuthenticationMethod(ClientAuthenticationMethod.TLS_CLIENT_AUTH)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .tokenSettings(TokenSettings.builder()
                        .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
                        .accessTokenTimeToLive(tokenTtl)
                        .x509CertificateBoundAccessTokens(true)
                        .build())
                .build();
    }
}
