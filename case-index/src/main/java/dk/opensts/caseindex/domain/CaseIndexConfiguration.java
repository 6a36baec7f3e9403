package dk.opensts.caseindex.domain;

import dk.opensts.benefitindex.api.Grants;
import dk.opensts.caseindex.store.CaseStore;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.audit.AuditLog;
import dk.opensts.platform.db.ModuleSchema;
import dk.opensts.platform.index.IndexWriter;
import dk.opensts.platform.index.RecordBinder;
import dk.opensts.platform.index.References;
import dk.opensts.platform.security.ServiceDefinition;
import dk.opensts.platform.security.Services;
import java.time.Clock;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
public class CaseIndexConfiguration {

    public static final String SCHEMA = "case_index";
    public static final String REGISTRY = "case-index";

    @Bean
    ServiceDefinition caseIndexService() {
        return Services.index(Services.CASE_INDEX, "Sags- og Dokumentindeks",
                "Cases and documents of the fagsystemer, with their grants", "/api/case-index/");
    }

    @Bean
    ModuleSchema caseIndexSchema() {
        return new ModuleSchema(SCHEMA, false);
    }

    @Bean
    CaseStore caseStore(JdbcClient jdbc, JdbcTemplate template, JsonMapper json) {
        return new CaseStore(jdbc, template, json);
    }

    @Bean
    IndexWriter caseWriter(CaseStore store, Organisations organisations, References.Lookups lookups,
                           JsonMapper json, jakarta.validation.Validator validator, TransactionTemplate tx,
                           ApplicationEventPublisher events, AuditLog audit, Clock clock) {
        return new IndexWriter(REGISTRY, List.of(new CaseKinds.Cases(store, organisations, lookups),
                new CaseKinds.Documents(store, organisations, lookups)), new RecordBinder(json, validator), tx, events,
                audit, clock);
    }

    @Bean
    CaseSearch caseSearch(CaseStore store, Organisations organisations, dk.opensts.platform.index.SearchScopes scopes,
                          Grants grants, AuditLog audit, TransactionTemplate tx) {
        return new CaseSearch(store, organisations, scopes, grants, audit, tx);
    }
}
