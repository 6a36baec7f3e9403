package dk.opensts.organisation.domain;

import dk.opensts.platform.audit.AuditLog;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.db.ModuleSchema;
import dk.opensts.platform.idempotency.Idempotency;
import dk.opensts.platform.registry.RegistryService;
import dk.opensts.platform.registry.SnapshotImport;
import jakarta.validation.Validator;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
public class OrganisationConfiguration {

    public static final String SCHEMA = "organisation";

    @Bean
    ModuleSchema organisationSchema() {
        return new ModuleSchema(SCHEMA, true);
    }

    @Bean
    BitemporalStore organisationStore(DataSource dataSource, JsonMapper json, Clock clock) {
        return new BitemporalStore(SCHEMA, dataSource, json, clock);
    }

    @Bean
    OrganisationTypes organisationTypes(BitemporalStore organisationStore) {
        return new OrganisationTypes(organisationStore);
    }

    @Bean
    FeedImport feedImport(RegistryService organisationRegistry, OrganisationTypes types, AuditLog audit, JsonMapper json) {
        return new FeedImport(organisationRegistry, types, new SnapshotImport(organisationRegistry, audit, json), json);
    }

    @Bean
    RegistryService organisationRegistry(BitemporalStore organisationStore, AuditLog audit, Idempotency idempotency,
                                         ApplicationEventPublisher events, TransactionTemplate tx, Validator validator,
                                         JsonMapper json) {
        return new RegistryService(SCHEMA, organisationStore, audit, idempotency, events, tx, validator, json);
    }
}
