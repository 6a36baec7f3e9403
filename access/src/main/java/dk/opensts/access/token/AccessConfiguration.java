package dk.opensts.access.token;

import dk.opensts.access.api.ItSystems;
import dk.opensts.platform.db.ModuleSchema;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The token service: {@code POST /oauth2/token} (client credentials) and {@code GET /oauth2/jwks},
 * and the {@link JwtDecoder} the API accepts tokens with (signature by an active key, issuer,
 * expiry and not-before).
 */
@Configuration(proxyBeanMethods = false)
public class AccessConfiguration {

    @Bean
    ModuleSchema accessSchema() {
        return new ModuleSchema("access", false);
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    JdbcItSystems itSystems(JdbcClient jdbc, PasswordEncoder encoder, Clock clock,
                            @Value("${opensts.token.ttl:PT5M}") Duration ttl) {
        return new JdbcItSystems(jdbc, encoder, clock, ttl);
    }

    @Bean
    SigningKeys signingKeys(JdbcClient jdbc, Clock clock) {
        return new SigningKeys(jdbc, clock);
    }

    @Bean
    OAuth2AuthorizationService authorizationService() {
        return new StatelessAuthorizations();
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings(@Value("${opensts.issuer}") String issuer) {
        return AuthorizationServerSettings.builder()
                .issuer(issuer)
                .tokenEndpoint("/oauth2/token")
                .jwkSetEndpoint("/oauth2/jwks")
                .build();
    }

    @Bean
    JwtDecoder jwtDecoder(SigningKeys keys, @Value("${opensts.issuer}") String issuer) {
        NimbusJwtDecoder decoder = (NimbusJwtDecoder) OAuth2AuthorizationServerConfiguration.jwtDecoder(keys);
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefaultWithIssuer(issuer)));
        return decoder;
    }

    /**
     * Adds the system's name and the municipality it acts for ({@code cvr}) to its tokens; a request
     * without {@code scope} gets all scopes the system is registered with.
     */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> systemClaims(ItSystems systems) {
        return context -> {
            String clientId = context.getRegisteredClient().getClientId();
            if (context.getAuthorizedScopes().isEmpty()) {
                context.getClaims().claim("scope", List.copyOf(context.getRegisteredClient().getScopes()));
            }
            systems.find(UUID.fromString(clientId)).ifPresent(s -> {
                context.getClaims().claim("name", s.name());
                if (s.municipalityCvr() != null) {
                    context.getClaims().claim("cvr", s.municipalityCvr());
                }
            });
        };
    }

    @Bean
    @Order(1)
    SecurityFilterChain tokenService(HttpSecurity http) throws Exception {
        http.securityMatcher("/oauth2/**", "/.well-known/oauth-authorization-server")
                .oauth2AuthorizationServer(as -> { })
                .authorizeHttpRequests(a -> a.anyRequest().authenticated())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(c -> c.disable());
        return http.build();
    }
}
