package dk.opensts.caseindex.domain;

import dk.opensts.benefitindex.api.Grants;
import dk.opensts.caseindex.api.CaseIndex;
import dk.opensts.caseindex.store.CaseStore;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.audit.AuditLog;
import dk.opensts.platform.index.IndexQuery;
import dk.opensts.platform.index.SearchFilters;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.index.SearchScopes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.transaction.support.TransactionTemplate;
import dk.opensts.platform.index.Shown;

/**
 * Searches cases within the caller's privileges, with their documents and grants when asked. The
 * search, the reads of documents and grants, and the audit record of who searched for what and was
 * shown which cases run in one transaction: no answer without its audit record.
 */
public class CaseSearch implements CaseIndex {

    private final CaseStore store;
    private final Organisations organisations;
    private final SearchScopes scopes;
    private final Grants grants;
    private final AuditLog audit;
    private final TransactionTemplate tx;

    CaseSearch(CaseStore store, Organisations organisations, SearchScopes scopes, Grants grants, AuditLog audit,
               TransactionTemplate tx) {
        this.store = store;
        this.organisations = organisations;
        this.scopes = scopes;
        this.grants = grants;
        this.audit = audit;
        this.tx = tx;
    }

    @Override
    public Page search(Actor actor, SearchFilters f, IndexQuery.Cursor after, int limit,
                       boolean withDocuments, boolean withGrants) {
        SearchScopes.Scope resolved = scopes.of(actor);
        IndexQuery q = new IndexQuery()
                .scope(resolved.filter(CaseStore.SCOPE_COLUMNS))
                .eq("c.case_number", f.caseNumber())
                .kle("c.kle", f.kle())
                .eq("c.handling_class", f.handlingClass())
                .anyOf("c.org_unit", "uuid", f.orgUnit() == null ? null
                        : f.subunits() ? organisations.withSubunits(Set.of(f.orgUnit())) : Set.of(f.orgUnit()))
                .eq("c.state", f.state(CaseRecord.State.class, "state"))
                .overlaps("c.opened", "c.closed", f.from(), f.to())
                .sensitivities("c.sensitivity", f.sensitivity())
                .eq("c.system_id", f.owningSystem())
                .after(after, "c.changed_at", "c.id");
        return tx.execute(s -> {
            store.genericPlans();
            List<Shown> rows = store.search(f.party(), q, limit + 1, resolved.protectedData());
            List<Shown> page = new ArrayList<>(rows.size() > limit ? rows.subList(0, limit) : rows);
            List<UUID> ids = page.stream().map(Shown::id).toList();
            if (withDocuments) {
                Map<UUID, List<String>> docs = store.documents(ids, resolved.protectedData());
                page.replaceAll(c -> c.with("documents", docs.getOrDefault(c.id(), List.of())));
            }
            if (withGrants) {
                Set<String> numbers = new java.util.LinkedHashSet<>();
                page.forEach(c -> numbers.add(c.key()));
                Map<String, List<String>> found = grants.forCases(resolved, numbers);
                page.replaceAll(c -> c.with("grants", found.getOrDefault(c.key(), List.of())));
            }
            Map<String, Object> details = new LinkedHashMap<>(f.audited());
            details.put("documents", withDocuments);
            details.put("grants", withGrants);
            details.put("shown", ids.size());
            audit.record(actor, AuditLog.Action.SEARCH, "case-index/cases", ids, details);
            String next = rows.size() > limit ? IndexQuery.Cursor.after(page.get(page.size() - 1)).encode() : null;
            return new Page(page.stream().map(Shown::raw).toList(), next);
        });
    }
}
