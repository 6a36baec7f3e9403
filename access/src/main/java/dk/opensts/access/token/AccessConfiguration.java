package dk.opensts.access.token;

import dk.opensts.access.api.ItSystems;
import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.access.domain.AgreementRegistry;
import dk.opensts.access.domain.JdbcItSystems;
import dk.opensts.access.domain.ServiceCatalogue;
import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.platform.security.Pem;
import dk.opensts.access.pki.TlsConnector;
import dk.opensts.access.pki.TrustedIssuers;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.db.ModuleSchema;
import dk.opensts.platform.security.ServiceDefinition;
import dk.opensts.platform.securitylog.SecurityLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Access for systems: the mutual-TLS connector, trusted CAs (and the development CA), IT systems
 * and certificates, the service catalogue, service agreements, and the token service
 * ({@code POST /oauth2/token}, {@code GET /oauth2/jwks}) with the {@link JwtDecoder} the APIs use.
 */
@Configuration(proxyBeanMethods = false)
public class AccessConfiguration {

    public static final String SCHEMA = "access";

    @Bean
    ModuleSchema accessSchema() {
        return new ModuleSchema(SCHEMA, true);
    }

    @Bean
    BitemporalStore accessStore(DataSource dataSource, JsonMapper json, Clock clock) {
        return new BitemporalStore(SCHEMA, dataSource, json, clock);
    }

    /** The development CA, unless turned off ({@code opensts.access.dev-ca=false} in production). */
    @Bean
    DevelopmentCa.Holder developmentCa(@Value("${opensts.access.dev-ca:true}") boolean enabled,
                                       @Value("${opensts.data-dir:./data}") String dataDir) {
        return new DevelopmentCa.Holder(enabled ? new DevelopmentCa(Path.of(dataDir, "pki")) : null);
    }

    @Bean
    TrustedIssuers trustedIssuers(DevelopmentCa.Holder dev, @Value("${opensts.access.trusted-cas:}") List<String> files) {
        List<X509Certificate> cas = new ArrayList<>();
        for (String file : files) {
            if (!file.isBlank()) {
                try {
                    cas.addAll(Pem.certificates(Files.readString(Path.of(file.strip()))));
                } catch (IOException e) {
                    throw new UncheckedIOException("trusted CA file " + file, e);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("trusted CA file " + file + " holds no PEM certificate", e);
                }
            }
        }
        if (dev.ca() != null) {
            cas.add(dev.ca().certificate());
        }
        return new TrustedIssuers(cas);
    }

    /**
     * The HTTPS connector with mutual TLS on {@code opensts.tls.port} (8443; 0 picks a free port).
     * Its key is {@code opensts.tls.keystore} (PKCS#12) or, in development, one the development CA issues.
     */
    @Bean
    TlsConnector tlsConnector(DevelopmentCa.Holder dev, @Value("${server.address:127.0.0.1}") String address,
                              @Value("${opensts.tls.port:8443}") int port,
                              @Value("${opensts.tls.keystore:}") String keystore,
                              @Value("${opensts.tls.keystore-password:}") String password) {
        if (!keystore.isBlank()) {
            try (InputStream in = Files.newInputStream(Path.of(keystore))) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(in, password.toCharArray());
                return new TlsConnector(address, port, ks, password.toCharArray());
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("TLS key store " + keystore, e);
            }
        }
        if (dev.ca() == null) {
            throw new IllegalStateException("set opensts.tls.keystore (the development CA is off)");
        }
        DevelopmentCa ca = dev.ca();
        DevelopmentCa.Issued server = ca.load("server").orElseGet(() -> {
            DevelopmentCa.Issued issued = ca.issueServer(address);
            ca.save(issued, "server");
            return issued;
        });
        return new TlsConnector(address, port, server.keyStore(), DevelopmentCa.PASSWORD);
    }

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> mutualTlsConnector(
            @Value("${opensts.tls.enabled:true}") boolean enabled, ObjectProvider<TlsConnector> connector) {
        return factory -> {
            if (enabled) {
                factory.addAdditionalConnectors(connector.getObject().connector());
            }
        };
    }

    @Bean
    JdbcItSystems itSystems(JdbcClient jdbc, TrustedIssuers trusted, SecurityLog securityLog, Clock clock) {
        return new JdbcItSystems(jdbc, trusted, securityLog, clock);
    }

    /** The catalogue, with the services the modules of this build declare written at start. */
    @Bean
    ServiceCatalogue serviceCatalogue(JdbcClient jdbc, JsonMapper json, Clock clock, SecurityLog securityLog,
                                      TransactionTemplate tx, List<ServiceDefinition> builtIn) {
        ServiceCatalogue catalogue = new ServiceCatalogue(jdbc, json, clock, securityLog, tx);
        catalogue.syncBuiltIn(builtIn);
        return catalogue;
    }

    @Bean
    AgreementRegistry serviceAgreements(BitemporalStore accessStore, JdbcClient jdbc, JsonMapper json, ItSystems systems,
                                        ServiceCatalogue services, SecurityLog securityLog, TransactionTemplate tx) {
        return new AgreementRegistry(accessStore, jdbc, json, systems, services, securityLog, tx);
    }

    /** The signing keys, their private parts sealed with the platform's key-encryption key. */
    @Bean
    SigningKeys signingKeys(JdbcClient jdbc, Clock clock, dk.opensts.platform.security.SealedSecrets sealedSecrets) {
        return new SigningKeys(jdbc, clock, sealedSecrets);
    }

    @Bean
    CertificateClients certificateClients(JdbcClient jdbc, TrustedIssuers trusted, Clock clock,
                                          @Value("${opensts.token.ttl:PT5M}") Duration ttl) {
        return new CertificateClients(jdbc, trusted, clock, ttl);
    }

    @Bean
    JwtEncoder jwtEncoder(SigningKeys keys) {
        return new NimbusJwtEncoder(keys);
    }

    @Bean
    TokenServiceOpenApi tokenServiceOpenApi() {
        return new TokenServiceOpenApi();
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

    /** See {@link TokenVerification}: the full check on a token's first presentation, remembered for its repeats. */
    @Bean
    JwtDecoder jwtDecoder(SigningKeys keys, Clock clock, @Value("${opensts.issuer}") String issuer,
                          @Value("${opensts.token.verified-cache-size:100000}") int capacity) {
        return TokenVerification.remembering(TokenVerification.decoder(keys, keys::keys, issuer, clock), keys::keys, clock, capacity);
    }

    /** A system's own agreement requests: authenticated by its certificate alone, over mutual TLS. */
    @Bean
    @Order(2)
    SecurityFilterChain systemSelfService(HttpSecurity http, CertificateClients clients, SecurityLog securityLog,
                                          JsonMapper json) throws Exception {
        http.securityMatcher(dk.opensts.access.web.SystemAgreementsController.BASE + "/**")
                .addFilterBefore(new CertificateAuthentication(clients, securityLog, json),
                        org.springframework.security.web.authentication.AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a.anyRequest().authenticated())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(c -> c.disable());
        return http.build();
    }

    @Bean
    @Order(1)
    SecurityFilterChain tokenService(HttpSecurity http, CertificateClients clients, ServiceAgreements agreements,
                                     dk.opensts.access.saml.AssertionExchange assertions,
                                     ServiceCatalogue services, JwtEncoder encoder, SecurityLog securityLog,
                                     JsonMapper json, Clock clock, @Value("${opensts.issuer}") String issuer,
                                     @Value("${opensts.token.ttl:PT5M}") Duration ttl) throws Exception {
        TokenRefusals refusals = new TokenRefusals(securityLog, json);
        http.securityMatcher("/oauth2/**", "/.well-known/oauth-authorization-server")
                .oauth2AuthorizationServer(as -> as
                        .registeredClientRepository(clients)
                        // the metadata tells what this server does: client credentials over mutual TLS, bound tokens
                        .authorizationServerMetadataEndpoint(m -> m.authorizationServerMetadataCustomizer(b -> b
                                .tokenEndpointAuthenticationMethods(list -> {
                                    list.clear();
                                    list.add("tls_client_auth");
                                })
                                .grantTypes(list -> {
                                    list.clear();
                                    list.add("client_credentials");
                                    list.add(TokenRequests.SAML2_BEARER.getValue());
                                })
                                .tlsClientCertificateBoundAccessTokens(true)
                                .claims(c -> {
                                    // authorization_endpoint and response_types_supported stay: RFC 8414 requires them
                                    for (String unsupported : List.of("code_challenge_methods_supported", "pushed_authorization_request_endpoint",
                                            "device_authorization_endpoint", "dpop_signing_alg_values_supported",
                                            "revocation_endpoint", "revocation_endpoint_auth_methods_supported",
                                            "introspection_endpoint", "introspection_endpoint_auth_methods_supported",
                                            "scopes_supported")) {
                                        c.remove(unsupported);
                                    }
                                })))
                        .clientAuthentication(c -> c
                                .authenticationConverters(list -> {
                                    list.clear();
                                    list.add(clients.converter());
                                })
                                .authenticationProviders(list -> {
                                    list.clear();
                                    list.add(clients);
                                })
                                .errorResponseHandler(refusals))
                        .tokenEndpoint(t -> t
                                .accessTokenRequestConverters(list -> {
                                    list.clear();
                                    list.add(new TokenRequests());
                                })
                                .authenticationProviders(list -> {
                                    list.clear();
                                    list.add(new AgreementTokens(agreements, services, encoder, issuer, ttl, clock));
                                    list.add(new UserTokens(assertions, agreements, encoder, issuer, ttl, clock));
                                })
                                .errorResponseHandler(refusals)))
                .authorizeHttpRequests(a -> a.anyRequest().authenticated())
                .exceptionHandling(e -> e.authenticationEntryPoint(refusals))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(c -> c.disable());
        return http.build();
    }
}
