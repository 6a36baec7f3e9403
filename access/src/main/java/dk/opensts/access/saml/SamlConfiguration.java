package dk.opensts.access.saml;

import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.access.roles.JobRoles;
import dk.opensts.access.roles.UserPrivileges;
import dk.opensts.access.roles.UserSystems;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.securitylog.SecurityLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Access for users: the role catalogue (user-facing systems, job roles, assignments), the municipal
 * IdPs, and the context handler under {@code /saml/**} with its key ({@code opensts.saml.keystore},
 * PKCS#12, or in development one the development CA issues) and, in the demo run and tests only,
 * the built-in test IdP.
 */
@Configuration(proxyBeanMethods = false)
public class SamlConfiguration {

    @Bean
    UserSystems userSystems(JdbcClient jdbc, JsonMapper json, Clock clock, SecurityLog securityLog, TransactionTemplate tx,
                            dk.opensts.access.domain.ServiceCatalogue services, dk.opensts.access.api.ItSystems itSystems,
                            @Value("${opensts.saml.configuration-max-age:PT2S}") Duration maxAge) {
        return new UserSystems(jdbc, json, clock, securityLog, tx, services, itSystems, maxAge);
    }

    @Bean
    JobRoles jobRoles(@Qualifier("accessStore") BitemporalStore accessStore, JdbcClient jdbc, JsonMapper json,
                      UserSystems systems, SecurityLog securityLog, TransactionTemplate tx) {
        return new JobRoles(accessStore, jdbc, json, systems, securityLog, tx);
    }

    @Bean
    UserPrivileges userPrivileges(JobRoles jobRoles, Organisations organisations) {
        return new UserPrivileges(jobRoles, organisations);
    }

    @Bean
    MunicipalIdps municipalIdps(JdbcClient jdbc, Clock clock, SecurityLog securityLog,
                                @Value("${opensts.saml.configuration-max-age:PT2S}") Duration maxAge) {
        return new MunicipalIdps(jdbc, clock, securityLog, maxAge);
    }

    @Bean
    SamlState samlState(JdbcClient jdbc, Clock clock) {
        return new SamlState(jdbc, clock);
    }

    /** The context handler's key pair: from a key store, or issued by the development CA and kept in the data folder. */
    record HandlerKey(PrivateKey key, X509Certificate certificate) {
    }

    @Bean
    HandlerKey samlHandlerKey(DevelopmentCa.Holder dev, @Value("${opensts.saml.keystore:}") String keystore,
                              @Value("${opensts.saml.keystore-password:}") String password) throws Exception {
        if (!keystore.isBlank()) {
            dk.opensts.platform.security.KeyStores.Entry e = dk.opensts.platform.security.KeyStores.firstKey(
                    Path.of(keystore), password.toCharArray());
            return new HandlerKey(e.key(), e.certificate());
        }
        if (dev.ca() == null) {
            throw new IllegalStateException("set opensts.saml.keystore (the development CA is off)");
        }
        DevelopmentCa.Issued issued = dev.ca().samlKey("context-handler", "OpenSTS context handler");
        return new HandlerKey(issued.key(), issued.certificate());
    }

    /**
     * An RSA key of the development CA kept in the data folder (RSA: it also decrypts, and JDK 17
     * verifies RSA signatures many times faster than ECDSA ones).
     */
    /**
     * The base URL of the SAML endpoints ({@code opensts.saml.base-url}, default the issuer). A port of
     * 0 (a test on a free port) is replaced by the port the server got.
     */
    static final class Endpoints implements ApplicationListener<WebServerInitializedEvent>, Supplier<ContextHandler.Settings> {
        private final String configured;
        private final String entityBase;
        private final HandlerKey key;
        private final Duration skew;
        private final Duration loginTimeout;
        private final Duration lifetime;
        private final AtomicReference<ContextHandler.Settings> resolved = new AtomicReference<>();
        private volatile int port = -1;

        Endpoints(String configured, String entityBase, HandlerKey key, Duration skew, Duration loginTimeout, Duration lifetime) {
            this.configured = configured.endsWith("/") ? configured.substring(0, configured.length() - 1) : configured;
            this.entityBase = entityBase;
            this.key = key;
            this.skew = skew;
            this.loginTimeout = loginTimeout;
            this.lifetime = lifetime;
        }

        @Override
        public void onApplicationEvent(WebServerInitializedEvent event) {
            if (event.getApplicationContext().getParent() == null) {
                port = event.getWebServer().getPort();
                resolved.set(null);
            }
        }

        @Override
        public ContextHandler.Settings get() {
            ContextHandler.Settings s = resolved.get();
            if (s == null) {
                String base = configured.endsWith(":0") && port > 0
                        ? configured.substring(0, configured.length() - 1) + port : configured;
                String entities = entityBase.isBlank() ? base : entityBase;
                s = new ContextHandler.Settings(base, entities + "/saml/idp", entities + "/saml/sp",
                        base + "/saml/idp/sso", base + "/saml/sp/acs", key.key(), key.certificate(), skew,
                        loginTimeout, lifetime);
                resolved.set(s);
            }
            return s;
        }
    }

    @Bean
    Endpoints samlEndpoints(HandlerKey key, @Value("${opensts.saml.base-url:${opensts.issuer}}") String baseUrl,
                            @Value("${opensts.saml.entity-id-base:}") String entityBase,
                            @Value("${opensts.saml.clock-skew:PT60S}") Duration skew,
                            @Value("${opensts.saml.login-timeout:PT10M}") Duration loginTimeout,
                            @Value("${opensts.saml.assertion-lifetime:PT5M}") Duration lifetime) {
        return new Endpoints(baseUrl, entityBase, key, skew, loginTimeout, lifetime);
    }

    @Bean
    ContextHandler contextHandler(Endpoints endpoints, UserSystems systems, MunicipalIdps idps, SamlState state,
                                  Organisations organisations, UserPrivileges privileges, SecurityLog securityLog,
                                  Clock clock, MeterRegistry meters,
                                  @Value("${opensts.saml.concurrent-hops:auto}") String concurrentHops,
                                  @Value("${opensts.saml.hop-wait:PT10S}") Duration hopWait) {
        int limit;
        try {
            limit = "auto".equals(concurrentHops.strip()) ? HopGate.defaultPermits() : Integer.parseInt(concurrentHops.strip());
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 0) {
            throw new IllegalArgumentException("opensts.saml.concurrent-hops is auto, 0 (no limit) or a number of hops: "
                    + concurrentHops);
        }
        return new ContextHandler(endpoints, systems, idps, state, organisations, privileges, securityLog, clock, meters,
                new HopGate(limit, hopWait));
    }

    @Bean
    AssertionExchange assertionExchange(Endpoints endpoints, UserSystems systems, Clock clock) {
        return new AssertionExchange(endpoints, systems, clock);
    }

    @Bean
    dk.opensts.access.api.UserAccess userAccess(Endpoints endpoints, AssertionExchange assertions, UserSystems systems,
                                                dk.opensts.access.api.ServiceAgreements agreements, Clock clock) {
        return new InProcessUserAccess(endpoints, assertions, systems, agreements, clock);
    }

    /** The built-in test IdP: only when {@code opensts.saml.test-idp.enabled} (the demo run and the tests). */
    @Bean
    @ConditionalOnProperty(name = "opensts.saml.test-idp.enabled", havingValue = "true")
    TestIdentityProvider testIdentityProvider(DevelopmentCa.Holder dev, Endpoints endpoints, MunicipalIdps idps,
                                              Clock clock) {
        if (dev.ca() == null) {
            throw new IllegalStateException("the test IdP needs the development CA");
        }
        DevelopmentCa.Issued issued = dev.ca().samlKey("test-idp", "OpenSTS test IdP");
        return new TestIdentityProvider(issued.key(), issued.certificate(), endpoints, idps,
                new TestIdentityProvider.DemoPasswords(), clock);
    }

    /** The built-in test service provider: with the test IdP only (the demo run and the tests). */
    @Bean
    @ConditionalOnProperty(name = "opensts.saml.test-idp.enabled", havingValue = "true")
    TestServiceProvider testServiceProvider(DevelopmentCa.Holder dev, Endpoints endpoints, Clock clock) {
        if (dev.ca() == null) {
            throw new IllegalStateException("the test service provider needs the development CA");
        }
        DevelopmentCa.Issued issued = dev.ca().samlKey("test-sp", "OpenSTS test SP");
        return new TestServiceProvider(issued.key(), issued.certificate(), endpoints, clock);
    }

    /**
     * The SAML endpoints are open (the messages carry their own signatures); the browser hops between
     * sites with form posts, so there is no CSRF token, no session, and pages are never framed or cached.
     */
    @Bean
    @Order(20)
    SecurityFilterChain samlSecurity(HttpSecurity http) throws Exception {
        http.securityMatcher("/saml/**")
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(c -> c.disable())
                .headers(h -> h.frameOptions(f -> f.deny())
                        .contentSecurityPolicy(c -> c.policyDirectives("default-src 'none'; style-src 'unsafe-inline';"
                                + " script-src 'unsafe-inline'; form-action *; frame-ancestors 'none'")));
        return http.build();
    }
}
