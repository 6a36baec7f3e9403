package dk.opensts.organisation.domain;

import dk.opensts.platform.audit.AuditLog;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.db.ModuleSchema;
import dk.opensts.platform.idempotency.Idempotency;
import dk.opensts.platform.registry.RegistryService;
import dk.opensts.platform.registry.SnapshotImport;
import dk.opensts.platform.security.ServiceDefinition.RoleDefinition;
import dk.opensts.platform.security.ServiceDefinition;
import dk.opensts.platform.security.Services;
import jakarta.validation.Validator;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
public class OrganisationConfiguration {

    public static final String SCHEMA = "organisation";

    /** The Organisation API as a service of the token service. */
    @Bean
    ServiceDefinition organisationService() {
        return new ServiceDefinition(Services.ORGANISATION,
                "Organisation", "Organisations, units, users, persons, functions and addresses of a municipality",
                "/api/organisation/", List.of(
                new RoleDefinition(Services.READ,
                        "Read the municipality's organisation", List.of()),
                new RoleDefinition(Services.WRITE,
                        "Change the municipality's organisation and import its feed", List.of())));
    }

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
        RegistryService registry = new RegistryService(SCHEMA, organisationStore, audit, idempotency, events, tx,
                validator, json);
        // a token acting for a municipality sees and changes that municipality's organisation only
        registry.setTenancy(new RegistryService.Tenancy() {
            @Override
            public java.util.UUID ownerOf(dk.opensts.platform.security.Actor actor) {
                if (actor.municipality() == null) {
                    return RegistryService.NO_OWNER;
                }
                return organisationStore.search(new BitemporalStore.Query(OrganisationTypes.ORGANISATION, null, false,
                                actor.municipality(), null, null, null,
                                dk.opensts.platform.bitemporal.TimePoint.at(organisationStore.now()), null, 1))
                        .stream().findFirst().map(dk.opensts.platform.bitemporal.Version::objectId)
                        .orElse(RegistryService.NO_OWNER);
            }

            @Override
            public boolean belongs(dk.opensts.platform.security.Actor actor, java.util.UUID actorOwner,
                                   java.util.UUID owner, Object attributes) {
                return attributes instanceof Attributes.OrganisationAttrs o
                        ? o.cvr() != null && o.cvr().equals(actor.municipality())
                        : actorOwner.equals(owner);
            }
        });
        return registry;
    }
}
