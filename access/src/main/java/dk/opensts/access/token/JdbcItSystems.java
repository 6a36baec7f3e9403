package dk.opensts.access.token;

import dk.opensts.access.api.ItSystems;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.transaction.annotation.Transactional;

/**
 * IT systems in {@code access.it_system}, served to the authorization server as its registered
 * clients: client id = system UUID, client credentials grant only, self-contained JWT tokens.
 */
public class JdbcItSystems implements ItSystems, RegisteredClientRepository {

    private final JdbcClient jdbc;
    private final PasswordEncoder encoder;
    private final Clock clock;
    private final Duration tokenTtl;

    public JdbcItSystems(JdbcClient jdbc, PasswordEncoder encoder, Clock clock, Duration tokenTtl) {
        this.jdbc = jdbc;
        this.encoder = encoder;
        this.clock = clock;
        this.tokenTtl = tokenTtl;
    }

    @Override
    @Transactional
    public ItSystem register(UUID id, String name, String vendorCvr, String municipalityCvr, Set<String> scopes,
                             String secret) {
        if (secret == null || secret.length() < 24) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "secret", "at least 24 characters");
        }
        jdbc.sql("INSERT INTO access.it_system (id, name, vendor_cvr, municipality_cvr, secret_hash, scopes, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)")
                .params(id, name, vendorCvr, municipalityCvr, encoder.encode(secret), scopes.toArray(String[]::new),
                        Timestamp.from(clock.instant()))
                .update();
        return new ItSystem(id, name, vendorCvr, municipalityCvr, Set.copyOf(scopes));
    }

    @Override
    public Optional<ItSystem> find(UUID id) {
        return jdbc.sql("SELECT * FROM access.it_system WHERE id = ? AND active")
                .param(id).query((rs, n) -> system(rs)).optional();
    }

    @Override
    public void save(RegisteredClient registeredClient) {
        throw new UnsupportedOperationException("IT systems are registered through ItSystems.register");
    }

    @Override
    public RegisteredClient findById(String id) {
        return findByClientId(id);
    }

    @Override
    public RegisteredClient findByClientId(String clientId) {
        UUID id;
        try {
            id = UUID.fromString(clientId);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return jdbc.sql("SELECT * FROM access.it_system WHERE id = ? AND active").param(id)
                .query((rs, n) -> client(clientId, rs.getString("name"), rs.getString("secret_hash"),
                        scopes(rs.getArray("scopes"))))
                .optional().orElse(null);
    }

    private RegisteredClient client(String clientId, String name, String secretHash, Set<String> scopes) {
        return RegisteredClient.withId(clientId)
                        .clientId(clientId)
                        .clientName(name)
                        .clientSecret(secretHash)
                        .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                        .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                        .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                        .scopes(s -> s.addAll(scopes))
                        .tokenSettings(TokenSettings.builder()
                                .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
                                .accessTokenTimeToLive(tokenTtl)
                                .build())
                        .build();
    }

    private static ItSystem system(ResultSet rs) throws SQLException {
        return new ItSystem(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("vendor_cvr"),
                rs.getString("municipality_cvr"), scopes(rs.getArray("scopes")));
    }

    private static Set<String> scopes(Array array) throws SQLException {
        return Set.of((String[]) array.getArray());
    }
}
