package dk.opensts.benefitindex.domain;

import dk.opensts.benefitindex.api.BenefitIndex;
import dk.opensts.benefitindex.store.GrantStore;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.audit.AuditLog;
import dk.opensts.platform.index.IndexQuery;
import dk.opensts.platform.index.SearchFilters;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.index.SearchScopes;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.transaction.support.TransactionTemplate;
import dk.opensts.platform.index.Shown;

/** Searches grants within the caller's privileges; every search is audited in its own transaction. */
public class GrantSearch implements BenefitIndex {

    private final GrantStore store;
    private final Organisations organisations;
    private final SearchScopes scopes;
    private final AuditLog audit;
    private final TransactionTemplate tx;

    GrantSearch(GrantStore store, Organisations organisations, SearchScopes scopes, AuditLog audit,
                TransactionTemplate tx) {
        this.store = store;
        this.organisations = organisations;
        this.scopes = scopes;
        this.audit = audit;
        this.tx = tx;
    }

    @Override
    public Page search(Actor actor, SearchFilters f, IndexQuery.Cursor after, int limit) {
        SearchScopes.Scope resolved = scopes.of(actor);
        IndexQuery q = new IndexQuery()
                .scope(resolved.filter(GrantStore.SCOPE_COLUMNS))
                .eq("g.party", f.party())
                .eq("g.case_number", f.caseNumber())
                .kle("g.kle", f.kle())
                .anyOf("g.org_unit", "uuid", f.orgUnit() == null ? null
                        : f.subunits() ? organisations.withSubunits(Set.of(f.orgUnit())) : Set.of(f.orgUnit()))
                .eq("g.status", f.state(GrantRecord.Status.class, "status"))
                .overlaps("g.period_from", "g.period_to", f.from(), f.to())
                .sensitivities("g.sensitivity", f.sensitivity())
                .eq("g.system_id", f.owningSystem())
                .after(after, "g.changed_at", "g.id");
        return tx.execute(s -> {
            store.genericPlans();
            List<Shown> rows = store.search(q, limit + 1, resolved.protectedData());
            List<Shown> page = rows.size() > limit ? rows.subList(0, limit) : rows;
            List<UUID> ids = page.stream().map(Shown::id).toList();
            java.util.Map<String, Object> details = new java.util.LinkedHashMap<>(f.audited());
            details.put("shown", ids.size());
            audit.record(actor, AuditLog.Action.SEARCH, BenefitIndexConfiguration.REGISTRY + "/grants", ids, details);
            String next = rows.size() > limit ? IndexQuery.Cursor.after(page.get(page.size() - 1)).encode() : null;
            return new Page(page.stream().map(Shown::raw).toList(), next);
        });
    }
}
