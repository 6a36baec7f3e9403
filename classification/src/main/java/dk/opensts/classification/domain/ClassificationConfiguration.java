package dk.opensts.classification.domain;

import dk.opensts.classification.api.Classifications;
import dk.opensts.platform.audit.AuditLog;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.bitemporal.TimePoint;
import dk.opensts.platform.bitemporal.Version;
import dk.opensts.platform.db.ModuleSchema;
import dk.opensts.platform.idempotency.Idempotency;
import dk.opensts.platform.registry.RegistryService;
import dk.opensts.platform.registry.SnapshotImport;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.ServiceDefinition.RoleDefinition;
import dk.opensts.platform.security.ServiceDefinition;
import dk.opensts.platform.security.Services;
import jakarta.validation.Validator;
import java.io.Reader;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
public class ClassificationConfiguration {

    public static final String SCHEMA = "classification";

    /** The Klassifikation API as a service of the token service. */
    @Bean
    ServiceDefinition classificationService() {
        return new ServiceDefinition(Services.CLASSIFICATION,
                "Klassifikation", "Classification systems (KLE, FORM, message types) and the municipality's local classes",
                "/api/classification/", List.of(
                new RoleDefinition(Services.READ,
                        "Read classifications", List.of()),
                new RoleDefinition(Services.WRITE,
                        "Change the municipality's local classes", List.of()),
                new RoleDefinition(
                        Services.NATIONAL_WRITE,
                        "Change national classifications and import KLE (approved by the platform operator)",
                        List.of())));
    }

    @Bean
    ModuleSchema classificationSchema() {
        return new ModuleSchema(SCHEMA, true);
    }

    @Bean
    BitemporalStore classificationStore(DataSource dataSource, JsonMapper json, Clock clock) {
        return new BitemporalStore(SCHEMA, dataSource, json, clock);
    }

    @Bean
    ClassificationTypes classificationTypes(BitemporalStore classificationStore) {
        return new ClassificationTypes(classificationStore);
    }

    @Bean
    RegistryService classificationRegistry(BitemporalStore classificationStore, AuditLog audit, Idempotency idempotency,
                                           ApplicationEventPublisher events, TransactionTemplate tx, Validator validator,
                                           JsonMapper json) {
        RegistryService registry = new RegistryService(SCHEMA, classificationStore, audit, idempotency, events, tx,
                validator, json);
        // national classifications are shared; a municipality's local classes are its own to change,
        // national ones need the role national-write
        registry.setTenancy(new RegistryService.Tenancy() {
            @Override
            public UUID ownerOf(Actor actor) {
                return null;
            }

            @Override
            public boolean belongs(Actor actor, UUID actorOwner, UUID owner, Object attributes) {
                if (attributes instanceof ClassAttributes.ClassAttrs c && c.municipality() != null) {
                    return c.municipality().equals(actor.municipality());
                }
                return actor.hasRole(Services.NATIONAL_WRITE);
            }
        });
        return registry;
    }

    @Bean
    ClassificationImport classificationImport(RegistryService classificationRegistry, ClassificationTypes types,
                                              AuditLog audit, JsonMapper json) {
        return new ClassificationImport(classificationRegistry, types,
                new SnapshotImport(classificationRegistry, audit, json));
    }

    @Bean
    Classifications classifications(RegistryService classificationRegistry, ClassificationImport imports) {
        return new Classifications() {
            @Override
            public Optional<UUID> findClass(String classificationUserKey, String classUserKey) {
                return nationalClass(classificationUserKey, classUserKey).map(Version::objectId);
            }

            @Override
            public Optional<String> classTitle(String classificationUserKey, String classUserKey) {
                return nationalClass(classificationUserKey, classUserKey)
                        .map(v -> v.data().path("title").asString(null));
            }

            private Optional<Version> nationalClass(String classificationUserKey, String classUserKey) {
                BitemporalStore store = classificationRegistry.store();
                TimePoint now = TimePoint.at(store.now());
                return store.search(new BitemporalStore.Query(ClassificationTypes.CLASSIFICATION, null, false,
                                classificationUserKey, null, null, null, now, null, 1)).stream().findFirst()
                        .flatMap(c -> store.search(new BitemporalStore.Query(ClassificationTypes.CLASS, c.objectId(),
                                false, classUserKey, null, null, null, now, null, 1, "municipality", null))
                                .stream().findFirst());
            }

            @Override
            public Set<String> knownClasses(String classificationUserKey, java.util.Collection<String> classUserKeys,
                                            String cvr) {
                BitemporalStore store = classificationRegistry.store();
                return store.search(new BitemporalStore.Query(ClassificationTypes.CLASSIFICATION, null, false,
                                classificationUserKey, null, null, null, TimePoint.at(store.now()), null, 1))
                        .stream().findFirst()
                        .map(c -> store.knownUserKeys(ClassificationTypes.CLASS, c.objectId(), classUserKeys,
                                "municipality", cvr))
                        .orElse(Set.of());
            }

            @Override
            public int ensureNationalClasses(String classificationUserKey, String title,
                                             java.util.Map<String, String> classes, String actor) {
                return imports.ensureClasses(classificationUserKey, title, classes, Actor.internal(actor, null));
            }

            @Override
            public int importKle(Reader xml, String actor) {
                return imports.importKle(xml, store().now(), Actor.internal(actor, null)).objects();
            }

            private BitemporalStore store() {
                return classificationRegistry.store();
            }
        };
    }
}
