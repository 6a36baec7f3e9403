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
import jakarta.validation.Validator;
import java.io.Reader;
import java.time.Clock;
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
        return new RegistryService(SCHEMA, classificationStore, audit, idempotency, events, tx, validator, json);
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
                BitemporalStore store = classificationRegistry.store();
                TimePoint now = TimePoint.at(store.now());
                return store.search(new BitemporalStore.Query(ClassificationTypes.CLASSIFICATION, null, false,
                                classificationUserKey, null, null, null, now, null, 1)).stream().findFirst()
                        .flatMap(c -> store.search(new BitemporalStore.Query(ClassificationTypes.CLASS, c.objectId(),
                                false, classUserKey, null, null, null, now, null, 1, "municipality", null))
                                .stream().findFirst())
                        .map(Version::objectId);
            }

            @Override
            public int importKle(Reader xml, String actor) {
                return imports.importKle(xml, store().now(), new Actor(actor, actor, null, Set.of())).objects();
            }

            private BitemporalStore store() {
                return classificationRegistry.store();
            }
        };
    }
}
