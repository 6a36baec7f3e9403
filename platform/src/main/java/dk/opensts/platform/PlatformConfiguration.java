package dk.opensts.platform;

import dk.opensts.platform.audit.AuditLog;
import dk.opensts.platform.db.ModuleMigrations;
import dk.opensts.platform.db.ModuleSchema;
import dk.opensts.platform.events.ChangeFeed;
import dk.opensts.platform.idempotency.Idempotency;
import dk.opensts.platform.web.CorrelationFilter;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableAsync;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
@EnableAsync
public class PlatformConfiguration {

    /** Times beyond what the database holds are refused as bodies are read (picked up by Spring Boot's JsonMapper). */
    @Bean
    tools.jackson.databind.JacksonModule timesInRange() {
        return dk.opensts.platform.error.Unstorable.timesInRange();
    }

    /** Tomcat's own refusals (a request it cannot read as HTTP) as problem+json, not its HTML page. */
    @Bean
    org.springframework.boot.web.server.WebServerFactoryCustomizer<org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory>
            problemErrorReports(JsonMapper json) {
        return factory -> factory.addContextCustomizers(
                new dk.opensts.platform.web.ProblemErrorReportValve(json)::installAsHostStarts);
    }

    /** The container's error page as problem+json for programs (Spring Boot's own stands back). */
    @Bean
    dk.opensts.platform.error.ProblemErrorController problemErrorController(
            org.springframework.boot.webmvc.error.ErrorAttributes errorAttributes,
            org.springframework.boot.autoconfigure.web.WebProperties web,
            org.springframework.beans.factory.ObjectProvider<org.springframework.boot.webmvc.autoconfigure.error.ErrorViewResolver> resolvers) {
        return new dk.opensts.platform.error.ProblemErrorController(errorAttributes, web.getError(),
                resolvers.orderedStream().toList());
    }

    /**
     * Bean-validation messages in the API's language, English, whatever the request's locale: the
     * overview's locale resolver (Danish by default, for its pages) is the web layer's only one, and
     * the messages followed it into every API's problem details ("må ikke være blank").
     */
    @Bean
    org.springframework.boot.validation.autoconfigure.ValidationConfigurationCustomizer englishValidationMessages() {
        return configuration -> configuration.messageInterpolator(
                new dk.opensts.platform.error.FixedLocaleInterpolator(configuration.getDefaultMessageInterpolator()));
    }

    /**
     * A JSON object naming a member twice is refused, not read last-wins: {@code {"cpr":"A","cpr":"B"}}
     * would have been stored as B while a proxy, a log or an audit reader in front of the API could
     * take it for A. The token reader refuses them too.
     */
    @Bean
    org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer duplicateMembersRefused() {
        return builder -> builder.enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    ModuleSchema platformSchema() {
        return new ModuleSchema(ModuleMigrations.PLATFORM, false);
    }

    @Bean
    ModuleMigrations moduleMigrations(DataSource dataSource, List<ModuleSchema> schemas) {
        return new ModuleMigrations(dataSource, schemas);
    }

    @Bean
    AuditLog auditLog(JdbcClient jdbc, JsonMapper json, Clock clock) {
        return new AuditLog(jdbc, json, clock);
    }

    /**
     * The security log. Its hash key is {@code opensts.security-log.key} (base64, the same on
     * every node of a cluster) or, when that is empty, a key file made on first start in the data folder.
     */
    @Bean
    dk.opensts.platform.securitylog.SecurityLog securityLog(DataSource dataSource, JsonMapper json, Clock clock,
            @org.springframework.beans.factory.annotation.Value("${opensts.security-log.key:}") String key,
            @org.springframework.beans.factory.annotation.Value("${opensts.data-dir:./data}") String dataDir) {
        byte[] bytes = key.isBlank()
                ? dk.opensts.platform.security.SecretFiles.readOrCreate(
                        java.nio.file.Path.of(dataDir, "secrets", "security-log.key"), 32)
                : java.util.Base64.getDecoder().decode(key.trim());
        return new dk.opensts.platform.securitylog.SecurityLog(dataSource, json, clock, bytes);
    }

    /**
     * Secrets kept in the database sealed at rest (the token service's signing keys, receivers' push
     * secrets), under {@code opensts.token.key-encryption-key} (base64 of 32 bytes, the same on every
     * node) or, when that is empty, a key file made on first start in the data folder.
     */
    @Bean
    dk.opensts.platform.security.SealedSecrets sealedSecrets(
            @org.springframework.beans.factory.annotation.Value("${opensts.token.key-encryption-key:}") String kek,
            @org.springframework.beans.factory.annotation.Value("${opensts.data-dir:./data}") String dataDir) {
        return dk.opensts.platform.security.SealedSecrets.of(kek,
                java.nio.file.Path.of(dataDir, "secrets", "signing-keys.kek"));
    }

    /** The administration API (access administration, the security log) as a service of the token service. */
    @Bean
    dk.opensts.platform.security.ServiceDefinition administrationService() {
        return dk.opensts.platform.security.Services.administration();
    }

    @Bean
    Idempotency idempotency(JdbcClient jdbc, Clock clock) {
        return new Idempotency(jdbc, clock);
    }

    @Bean
    ChangeFeed changeFeed(JdbcClient jdbc) {
        return new ChangeFeed(jdbc);
    }

    /** Stale and failed outbox publications handed out again while the server runs, and the outbox's gauges. */
    @Bean
    dk.opensts.platform.events.OutboxKeeper outboxKeeper(JdbcClient jdbc,
            org.springframework.modulith.events.FailedEventPublications failed,
            io.micrometer.core.instrument.MeterRegistry registry, Clock clock,
            @org.springframework.beans.factory.annotation.Value("${opensts.outbox.every:PT30S}") java.time.Duration every,
            @org.springframework.beans.factory.annotation.Value("${opensts.outbox.stale-after:PT5M}") java.time.Duration staleAfter) {
        return new dk.opensts.platform.events.OutboxKeeper(jdbc, failed, registry, clock, every, staleAfter);
    }

    /**
     * Puts {@link dk.opensts.platform.web.JsonTreeSchemas} first among the document's model converters,
     * once springdoc has registered its own (each goes in front of those before it).
     */
    @Bean
    org.springframework.beans.factory.SmartInitializingSingleton jsonTreeSchemas() {
        return () -> {
            for (boolean openApi31 : new boolean[] {false, true}) {
                io.swagger.v3.core.converter.ModelConverters.getInstance(openApi31)
                        .addConverter(new dk.opensts.platform.web.JsonTreeSchemas());
            }
        };
    }

    @Bean
    dk.opensts.platform.registry.RegistryOpenApi registryOpenApi(
            List<dk.opensts.platform.registry.RegistryController<?>> controllers) {
        return new dk.opensts.platform.registry.RegistryOpenApi(controllers);
    }

    @Bean
    FilterRegistrationBean<CorrelationFilter> correlationFilter() {
        FilterRegistrationBean<CorrelationFilter> bean = new FilterRegistrationBean<>(new CorrelationFilter());
        bean.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return bean;
    }
}
