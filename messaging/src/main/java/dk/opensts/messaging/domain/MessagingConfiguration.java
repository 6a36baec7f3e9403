package dk.opensts.messaging.domain;

import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.classification.api.Classifications;
import dk.opensts.messaging.store.DeliveryStore;
import dk.opensts.messaging.store.SubscriptionStore;
import dk.opensts.platform.db.ModuleSchema;
import dk.opensts.platform.index.RecordBinder;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.ServiceDefinition;
import dk.opensts.platform.security.ServiceDefinition.ConstraintDefinition;
import dk.opensts.platform.security.ServiceDefinition.RoleDefinition;
import dk.opensts.platform.security.Services;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
public class MessagingConfiguration {

    private static final Logger log = LoggerFactory.getLogger(MessagingConfiguration.class);
    public static final String SCHEMA = "messaging";

    /** OpenSTS's own message types, added to {@link Distributor#MESSAGE_TYPES} at start. */
    public static final Map<String, String> OWN_TYPES = ownTypes();

    private static Map<String, String> ownTypes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Distributor.DELIVERY_FAILED, "Levering af en besked mislykkedes");
        RegistryRelay.TYPES.forEach((registry, type) -> m.put(type.name(), type.title()));
        return m;
    }

    @Bean
    ServiceDefinition messagingService() {
        return new ServiceDefinition(Services.MESSAGING, "Beskedfordeler",
                "Publish business events; subscribe and read the system's dueslag", "/api/messaging/", List.of(
                new RoleDefinition(Services.PUBLISH, "Publish messages as the token's municipality", List.of()),
                new RoleDefinition(Services.SUBSCRIBE,
                        "Subscribe and receive the municipality's messages within the data constraints", List.of(
                        new ConstraintDefinition(Constraints.KLE, Constraints.KLE_PATTERN, false),
                        new ConstraintDefinition(Constraints.SENSITIVITY, Constraints.SENSITIVITY_PATTERN, true)))));
    }

    @Bean
    ModuleSchema messagingSchema() {
        return new ModuleSchema(SCHEMA, false);
    }

    @Bean
    DeliveryStore deliveryStore(JdbcClient jdbc, org.springframework.jdbc.core.JdbcTemplate template) {
        return new DeliveryStore(jdbc, template);
    }

    @Bean
    SubscriptionStore subscriptionStore(JdbcClient jdbc) {
        return new SubscriptionStore(jdbc);
    }

    @Bean
    DistributorMeters distributorMeters(io.micrometer.core.instrument.MeterRegistry registry, Clock clock) {
        return new DistributorMeters(registry, clock);
    }

    @Bean
    BacklogSampler backlogSampler(Dueslag dueslag, DistributorMeters meters,
                                  @Value("${opensts.messaging.metrics.every:PT15S}") Duration every) {
        return new BacklogSampler(dueslag, meters, every);
    }

    @Bean
    Distributor distributor(DeliveryStore deliveryStore, SubscriptionStore subscriptionStore,
                            ServiceAgreements agreements, Classifications classifications, JsonMapper json,
                            jakarta.validation.Validator validator, TransactionTemplate tx, Clock clock,
                            @Value("${opensts.messaging.cache-for:PT5S}") Duration cacheFor, DistributorMeters meters) {
        return new Distributor(deliveryStore, subscriptionStore, agreements, classifications,
                new RecordBinder(json, validator), new EnvelopeXml(json), tx, clock, cacheFor, meters);
    }

    @Bean
    Subscriptions subscriptions(SubscriptionStore subscriptionStore, Classifications classifications,
                                TransactionTemplate tx, Clock clock, Distributor distributor) {
        Subscriptions subscriptions = new Subscriptions(subscriptionStore, classifications, tx, clock);
        subscriptions.onChange(distributor::subscriptionsChanged);
        return subscriptions;
    }

    @Bean
    Dueslag dueslag(DeliveryStore deliveryStore, Distributor distributor, JsonMapper json,
                    jakarta.validation.Validator validator, JdbcClient jdbc, TransactionTemplate tx, Clock clock,
                    @Value("${opensts.messaging.retention:P30D}") Duration retention,
                    dk.opensts.platform.security.SealedSecrets sealedSecrets, dk.opensts.platform.audit.AuditLog audit,
                    dk.opensts.platform.idempotency.Idempotency idempotency, DistributorMeters meters) {
        // push secrets are sealed with the platform's key-encryption key, as the token service's keys are
        return new Dueslag(deliveryStore, distributor, new RecordBinder(json, validator), jdbc, tx, clock, retention,
                sealedSecrets, audit, idempotency, meters);
    }

    @Bean
    RetentionPurge retentionPurge(Dueslag dueslag,
                                  @Value("${opensts.messaging.purge.first-after:PT1M}") Duration firstAfter,
                                  @Value("${opensts.messaging.purge.every:PT1H}") Duration every) {
        return new RetentionPurge(dueslag, firstAfter, every);
    }

    @Bean
    ReplayRunner replayRunner(Dueslag dueslag, @Value("${opensts.messaging.replay.every:PT5S}") Duration every) {
        return new ReplayRunner(dueslag, every);
    }

    @Bean
    PushDelivery pushDelivery(DeliveryStore deliveryStore, Dueslag dueslag, Distributor distributor, JsonMapper json,
                              jakarta.validation.Validator validator, JdbcClient jdbc, TransactionTemplate tx,
                              Clock clock, DistributorMeters meters,
                              @Value("${opensts.messaging.push.tick:PT0.2S}") Duration tick,
                              @Value("${opensts.messaging.push.batch:50}") int batch,
                              @Value("${opensts.messaging.push.senders:8}") int senders,
                              @Value("${opensts.messaging.push.lease:PT1M}") Duration lease,
                              @Value("${opensts.messaging.push.backoff-base:PT1S}") Duration backoffBase,
                              @Value("${opensts.messaging.push.backoff-max:PT15M}") Duration backoffMax,
                              @Value("${opensts.messaging.push.timeout:PT10S}") Duration timeout,
                              @Value("${opensts.messaging.push.client-keystore:}") String keystore,
                              @Value("${opensts.messaging.push.client-keystore-password:}") String password,
                              @Value("${opensts.messaging.push.trusted-cas:}") String trustedCas) {
        return new PushDelivery(deliveryStore, dueslag, distributor, new RecordBinder(json, validator), jdbc, tx, clock, meters,
                new PushDelivery.Settings(tick, batch, senders, lease, backoffBase, backoffMax, timeout),
                tls(null, null, trustedCas), keystore == null || keystore.isBlank() ? null : tls(keystore, password, trustedCas));
    }

    /**
     * The TLS set-up of push requests: OpenSTS's client certificate from a PKCS#12 file (for mutual
     * TLS; none: no key), and the CAs trusted for receivers' endpoints (PEM files, comma-separated;
     * none: the JDK's trust store). {@code null} when neither is configured.
     */
    static SSLContext tls(String keystore, String password, String trustedCas) {
        boolean key = keystore != null && !keystore.isBlank();
        boolean trust = trustedCas != null && !trustedCas.isBlank();
        if (!key && !trust) {
            return null;
        }
        try {
            javax.net.ssl.KeyManager[] keyManagers = null;
            if (key) {
                try (InputStream in = Files.newInputStream(Path.of(keystore))) {
                    KeyStore ks = KeyStore.getInstance("PKCS12");
                    ks.load(in, password.toCharArray());
                    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    kmf.init(ks, password.toCharArray());
                    keyManagers = kmf.getKeyManagers();
                }
            }
            javax.net.ssl.TrustManager[] trustManagers = null;
            if (trust) {
                KeyStore ts = KeyStore.getInstance("PKCS12");
                ts.load(null, null);
                int n = 0;
                for (String file : trustedCas.split(",")) {
                    for (java.security.cert.X509Certificate c
                            : dk.opensts.platform.security.Pem.certificates(Files.readString(Path.of(file.strip())))) {
                        ts.setCertificateEntry("ca" + n++, c);
                    }
                }
                javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ts);
                trustManagers = tmf.getTrustManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keyManagers, trustManagers, null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException("push TLS set-up (opensts.messaging.push.client-keystore " + keystore
                    + ", trusted-cas " + trustedCas + "): " + e.getMessage(), e);
        }
    }

    /** The AMQP transport, when a broker is configured ({@code opensts.messaging.amqp.uri}). */
    @Bean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnExpression("'${opensts.messaging.amqp.uri:}' != ''")
    dk.opensts.messaging.amqp.AmqpTransport amqpTransport(
            Distributor distributor, Dueslag dueslag, DeliveryStore deliveryStore, JsonMapper json,
            jakarta.validation.Validator validator, org.springframework.security.oauth2.jwt.JwtDecoder jwtDecoder,
            dk.opensts.access.api.ItSystems itSystems, dk.opensts.platform.securitylog.SecurityLog securityLog,
            TransactionTemplate tx, Clock clock, DistributorMeters meters,
            @Value("${opensts.messaging.amqp.uri}") String uri,
            @Value("${opensts.messaging.amqp.prefix:opensts}") String prefix,
            @Value("${opensts.messaging.amqp.prefetch:2000}") int prefetch,
            @Value("${opensts.messaging.amqp.batch:500}") int batch,
            @Value("${opensts.messaging.push.tick:PT0.2S}") Duration tick,
            @Value("${opensts.messaging.push.lease:PT1M}") Duration lease,
            @Value("${opensts.messaging.amqp.certificate-user:none}") String certificateUser) {
        return new dk.opensts.messaging.amqp.AmqpTransport(
                new dk.opensts.messaging.amqp.AmqpTransport.Settings(uri, prefix, prefetch, batch, tick, lease,
                        dk.opensts.messaging.amqp.AmqpTransport.CertificateUser.of(certificateUser)),
                distributor, dueslag, deliveryStore, new RecordBinder(json, validator), jwtDecoder, itSystems,
                securityLog, tx, clock, meters);
    }

    @Bean
    RegistryRelay registryRelay(Distributor distributor,
                                @Value("${opensts.messaging.national-authority:19435075}") String nationalAuthority) {
        return new RegistryRelay(distributor, nationalAuthority);
    }

    @Bean
    OwnMessageTypes ownMessageTypes(Classifications classifications) {
        return new OwnMessageTypes(classifications);
    }

    /**
     * Adds OpenSTS's own message types to the message-type classification when the application starts,
     * before any other start-up work (the demo data) makes changes the relay turns into such messages.
     */
    static class OwnMessageTypes implements org.springframework.boot.ApplicationRunner, org.springframework.core.Ordered {
        private final Classifications classifications;

        OwnMessageTypes(Classifications classifications) {
            this.classifications = classifications;
        }

        @Override
        public int getOrder() {
            return org.springframework.core.Ordered.HIGHEST_PRECEDENCE;
        }

        @Override
        public void run(org.springframework.boot.ApplicationArguments args) {
            try {
                int added = classifications.ensureNationalClasses(Distributor.MESSAGE_TYPES, "Beskedtyper", OWN_TYPES,
                        "opensts");
                if (added > 0) {
                    log.info("message types: {} of OpenSTS's own added to classification {}", added,
                            Distributor.MESSAGE_TYPES);
                }
            } catch (RuntimeException e) {
                // another node added them at the same moment
                log.warn("message types not added: {}", e.toString());
            }
        }
    }
}
