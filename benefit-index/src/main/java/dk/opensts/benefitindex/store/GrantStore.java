package dk.opensts.benefitindex.store;

import dk.opensts.benefitindex.domain.GrantRecord;
import dk.opensts.platform.index.IndexQuery;
import dk.opensts.platform.index.IndexTables;
import dk.opensts.platform.index.IndexWriter;
import dk.opensts.platform.index.Shown;
import dk.opensts.platform.index.Publication;
import dk.opensts.platform.security.DataScope;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The SQL of the benefit index (schema {@code benefit_index}). */
public class GrantStore {

    public static final DataScope.Columns SCOPE_COLUMNS =
            new DataScope.Columns("g.municipality", "g.kle", "g.org_unit", "g.sensitivity", "g.system_id");

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final JsonMapper json;
    private final IndexTables tables;

    public GrantStore(JdbcClient jdbc, JdbcTemplate template, JsonMapper json) {
        this.jdbc = jdbc;
        this.template = template;
        this.json = json;
        this.tables = new IndexTables(jdbc, json, "benefit_index.grants");
    }

    public Map<String, Publication.Stored> stored(String systemId, Set<String> localIds) {
        return tables.stored(systemId, localIds);
    }

    public ObjectNode storedBody(String systemId, String localId) {
        return tables.storedBody(systemId, localId);
    }

    public void write(String systemId, List<IndexWriter.Pending<GrantRecord>> items, Instant now) {
        Timestamp at = Timestamp.from(now);
        List<Object[]> upserts = new ArrayList<>();
        List<Object[]> removals = new ArrayList<>();
        for (IndexWriter.Pending<GrantRecord> p : items) {
            if (p.outcome == Publication.Outcome.REMOVED) {
                removals.add(new Object[] {p.version, at, systemId, p.item.localId()});
                continue;
            }
            GrantRecord g = p.record;
            upserts.add(new Object[] {p.id, systemId, p.item.localId(), p.version, p.hash, g.municipality(), g.userKey(),
                    g.party().id(), g.status().name(), Date.valueOf(g.from()), g.to() == null ? null : Date.valueOf(g.to()),
                    g.sensitivity().code(), g.kle(), g.orgUnit(), g.caseNumber(), at, p.canonical});
        }
        if (!upserts.isEmpty()) {
            template.batchUpdate("INSERT INTO benefit_index.grants (id, system_id, local_id, version, body_hash,"
                    + " municipality, user_key, party, status, period_from, period_to, sensitivity, kle, org_unit,"
                    + " case_number, changed_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb))"
                    + " ON CONFLICT (system_id, local_id) DO UPDATE SET version = EXCLUDED.version,"
                    + " body_hash = EXCLUDED.body_hash, removed = false, municipality = EXCLUDED.municipality,"
                    + " user_key = EXCLUDED.user_key, party = EXCLUDED.party, status = EXCLUDED.status,"
                    + " period_from = EXCLUDED.period_from, period_to = EXCLUDED.period_to,"
                    + " sensitivity = EXCLUDED.sensitivity, kle = EXCLUDED.kle, org_unit = EXCLUDED.org_unit,"
                    + " case_number = EXCLUDED.case_number, changed_at = EXCLUDED.changed_at, body = EXCLUDED.body",
                    upserts);
        }
        if (!removals.isEmpty()) {
            template.batchUpdate("UPDATE benefit_index.grants SET removed = true, version = ?, changed_at = ?"
                    + " WHERE system_id = ? AND local_id = ?", removals);
        }
    }

    /** The searches of this transaction run on generic plans ({@link IndexTables#genericPlans}). */
    public void genericPlans() {
        tables.genericPlans();
    }

    /** A page of grants matching {@code query} (which holds the privilege filter), newest change first. */
    public List<Shown> search(IndexQuery query, int limit, boolean protectedData) {
        return jdbc.sql("SELECT g.id, g.system_id, g.local_id, g.version, g.changed_at, g.body::text AS body"
                        + " FROM benefit_index.grants g WHERE NOT g.removed AND " + query.where()
                        + " ORDER BY g.changed_at DESC, g.id DESC LIMIT " + limit)
                .params(query.params())
                .query((rs, n) -> Shown.of(rs, null, null, protectedData, json, "party")).list();
    }

    /** The grants (as JSON) of the case numbers the filter admits, by case number. */
    public Map<String, List<String>> forCases(DataScope.Filter scope, Collection<String> caseNumbers,
                                              boolean protectedData) {
        Map<String, List<String>> out = new HashMap<>();
        if (caseNumbers.isEmpty()) {
            return out;
        }
        Map<String, Object> params = new HashMap<>(scope.params());
        params.put("cases", caseNumbers.toArray(String[]::new));
        jdbc.sql("SELECT g.id, g.system_id, g.local_id, g.version, g.changed_at, g.body::text AS body, g.case_number"
                        + " FROM benefit_index.grants g WHERE NOT g.removed AND g.case_number = ANY(CAST(:cases AS text[]))"
                        + " AND " + scope.sql() + " ORDER BY g.changed_at DESC, g.id DESC")
                .params(params)
                .query(rs -> {
                    out.computeIfAbsent(rs.getString("case_number"), k -> new ArrayList<>())
                            .add(Shown.of(rs, null, null, protectedData, json, "party").json());
                });
        return out;
    }
}
