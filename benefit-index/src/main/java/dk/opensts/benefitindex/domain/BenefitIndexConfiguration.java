package dk.opensts.benefitindex.domain;

import dk.opensts.benefitindex.api.Grants;
import dk.opensts.benefitindex.store.GrantStore;
import dk.opensts.classification.api.Classifications;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.audit.AuditLog;
import dk.opensts.platform.db.ModuleSchema;
import dk.opensts.platform.index.IndexWriter;
import dk.opensts.platform.index.RecordBinder;
import dk.opensts.platform.index.References;
import dk.opensts.platform.index.SearchScopes;
import dk.opensts.platform.security.ServiceDefinition;
import dk.opensts.platform.security.Services;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
public class BenefitIndexConfiguration {

    public static final String SCHEMA = "benefit_index";
    public static final String REGISTRY = "benefit-index";

    @Bean
    ServiceDefinition benefitIndexService() {
        return Services.index(Services.BENEFIT_INDEX, "Ydelsesindeks",
                "Grants (bevillinger) of benefits with payment plans and effectuations", "/api/benefit-index/");
    }

    @Bean
    ModuleSchema benefitIndexSchema() {
        return new ModuleSchema(SCHEMA, false);
    }

    @Bean
    GrantStore grantStore(JdbcClient jdbc, JdbcTemplate template, JsonMapper json) {
        return new GrantStore(jdbc, template, json);
    }

    /** The lookups both indexes check references with (the registries' public APIs). */
    @Bean
    References.Lookups indexLookups(Organisations organisations, Classifications classifications) {
        return new References.Lookups(
                (cvr, refs) -> organisations.unitsExist(cvr, refs.stream()
                        .map(r -> new Organisations.UnitDuring(r.unit(), r.fromInstant(), r.toInstant())).toList()),
                (subjects, cvr) -> classifications.knownClasses("KLE", subjects, cvr));
    }

    @Bean
    IndexWriter grantWriter(GrantStore store, Organisations organisations, References.Lookups indexLookups,
                            JsonMapper json, jakarta.validation.Validator validator, TransactionTemplate tx,
                            ApplicationEventPublisher events, AuditLog audit, Clock clock) {
        return new IndexWriter(REGISTRY, List.of(new GrantKind(store, organisations, indexLookups)), new RecordBinder(json, validator), tx, events, audit, clock);
    }

    /** The callers' resolved search scopes, shared by both indexes. */
    @Bean
    SearchScopes searchScopes(Organisations organisations) {
        return new SearchScopes(organisations::withSubunits);
    }

    @Bean
    GrantSearch grantSearch(GrantStore store, Organisations organisations, SearchScopes searchScopes, AuditLog audit,
                            TransactionTemplate tx) {
        return new GrantSearch(store, organisations, searchScopes, audit, tx);
    }

    @Bean
    Grants grants(GrantStore store) {
        return new Grants() {
            @Override
            public Map<String, List<String>> forCases(SearchScopes.Scope scope, java.util.Collection<String> caseNumbers) {
                return store.forCases(scope.filter(GrantStore.SCOPE_COLUMNS), caseNumbers, scope.protectedData());
            }
        };
    }
}
