package dk.opensts.caseindex.store;

import dk.opensts.caseindex.domain.CaseRecord;
import dk.opensts.caseindex.domain.DocumentRecord;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The SQL of the case index (schema {@code case_index}). */
public class CaseStore {

    public static final DataScope.Columns SCOPE_COLUMNS =
            new DataScope.Columns("c.municipality", "c.kle", "c.org_unit", "c.sensitivity", "c.system_id");

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final JsonMapper json;
    private final IndexTables cases;
    private final IndexTables documents;

    public CaseStore(JdbcClient jdbc, JdbcTemplate template, JsonMapper json) {
        this.jdbc = jdbc;
        this.template = template;
        this.json = json;
        this.cases = new IndexTables(jdbc, json, "case_index.cases");
        this.documents = new IndexTables(jdbc, json, "case_index.documents");
    }

    /** {@code cases} or {@code documents}: what is stored for these local ids. */
    public Map<String, Publication.Stored> stored(String table, String systemId, Set<String> localIds) {
        return tables(table).stored(systemId, localIds);
    }

    public ObjectNode storedBody(String table, String systemId, String localId) {
        return tables(table).storedBody(systemId, localId);
    }

    private IndexTables tables(String table) {
        return switch (table) {
            case "cases" -> cases;
            case "documents" -> documents;
            default -> throw new IllegalArgumentException(table);
        };
    }

    /** Which case numbers of the municipality are held by another record than system + local id. */
    public Map<String, String> caseNumberHolders(String municipality, Collection<String> caseNumbers) {
        Map<String, String> out = new HashMap<>();
        jdbc.sql("SELECT case_number, system_id || ' ' || local_id FROM case_index.cases"
                        + " WHERE municipality = ? AND case_number = ANY(?) AND NOT removed")
                .params(municipality, caseNumbers.toArray(String[]::new))
                .query(rs -> {
                    out.put(rs.getString(1), rs.getString(2));
                });
        return out;
    }

    /** The local ids among these that name a case of the system (not removed). */
    public Set<String> liveCases(String systemId, Collection<String> localIds) {
        return new LinkedHashSet<>(jdbc.sql("SELECT local_id FROM case_index.cases"
                        + " WHERE system_id = ? AND local_id = ANY(?) AND NOT removed")
                .params(systemId, localIds.toArray(String[]::new)).query(String.class).list());
    }

    public void writeCases(String systemId, List<IndexWriter.Pending<CaseRecord>> items, Instant now) {
        Timestamp at = Timestamp.from(now);
        List<Object[]> upserts = new ArrayList<>();
        List<Object[]> removals = new ArrayList<>();
        List<Object[]> parties = new ArrayList<>();
        List<UUID> touched = new ArrayList<>();
        for (IndexWriter.Pending<CaseRecord> p : items) {
            touched.add(p.id);
            if (p.outcome == Publication.Outcome.REMOVED) {
                removals.add(new Object[] {p.version, at, systemId, p.item.localId()});
                continue;
            }
            CaseRecord c = p.record;
            upserts.add(new Object[] {p.id, systemId, p.item.localId(), p.version, p.hash, c.municipality(),
                    c.caseNumber(), c.title(), c.state().name(), Date.valueOf(c.opened()),
                    c.closed() == null ? null : Date.valueOf(c.closed()), c.sensitivity().code(), c.kle(),
                    c.handlingClass(), c.orgUnit(), c.exempt(), at, p.canonical});
            if (!c.exempt()) {
                // an exempt case is never found: it has no party index rows
                Set<String> ids = new LinkedHashSet<>();
                c.parties().forEach(party -> ids.add(party.id()));
                ids.forEach(id -> parties.add(new Object[] {id, p.id}));
            }
        }
        template.update("DELETE FROM case_index.case_party WHERE case_id = ANY(?)",
                (Object) touched.toArray(UUID[]::new));
        if (!upserts.isEmpty()) {
            template.batchUpdate("INSERT INTO case_index.cases (id, system_id, local_id, version, body_hash,"
                    + " municipality, case_number, title, state, opened, closed, sensitivity, kle, handling_class,"
                    + " org_unit, exempt, changed_at, body)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb))"
                    + " ON CONFLICT (system_id, local_id) DO UPDATE SET version = EXCLUDED.version,"
                    + " body_hash = EXCLUDED.body_hash, removed = false, municipality = EXCLUDED.municipality,"
                    + " case_number = EXCLUDED.case_number, title = EXCLUDED.title, state = EXCLUDED.state,"
                    + " opened = EXCLUDED.opened, closed = EXCLUDED.closed, sensitivity = EXCLUDED.sensitivity,"
                    + " kle = EXCLUDED.kle, handling_class = EXCLUDED.handling_class, org_unit = EXCLUDED.org_unit,"
                    + " exempt = EXCLUDED.exempt, changed_at = EXCLUDED.changed_at, body = EXCLUDED.body", upserts);
        }
        if (!removals.isEmpty()) {
            template.batchUpdate("UPDATE case_index.cases SET removed = true, version = ?, changed_at = ?"
                    + " WHERE system_id = ? AND local_id = ?", removals);
        }
        if (!parties.isEmpty()) {
            template.batchUpdate("INSERT INTO case_index.case_party (party, case_id) VALUES (?, ?)", parties);
        }
    }

    public void writeDocuments(String systemId, List<IndexWriter.Pending<DocumentRecord>> items, Instant now) {
        Timestamp at = Timestamp.from(now);
        List<Object[]> upserts = new ArrayList<>();
        List<Object[]> removals = new ArrayList<>();
        for (IndexWriter.Pending<DocumentRecord> p : items) {
            if (p.outcome == Publication.Outcome.REMOVED) {
                removals.add(new Object[] {p.version, at, systemId, p.item.localId()});
                continue;
            }
            upserts.add(new Object[] {p.id, systemId, p.item.localId(), p.version, p.hash, at, p.canonical, systemId,
                    p.record.caseLocalId()});
        }
        if (!upserts.isEmpty()) {
            template.batchUpdate("INSERT INTO case_index.documents (id, system_id, local_id, version, body_hash,"
                    + " changed_at, body, case_id) SELECT ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), c.id"
                    + " FROM case_index.cases c WHERE c.system_id = ? AND c.local_id = ?"
                    + " ON CONFLICT (system_id, local_id) DO UPDATE SET version = EXCLUDED.version,"
                    + " body_hash = EXCLUDED.body_hash, removed = false, case_id = EXCLUDED.case_id,"
                    + " changed_at = EXCLUDED.changed_at, body = EXCLUDED.body", upserts);
        }
        if (!removals.isEmpty()) {
            template.batchUpdate("UPDATE case_index.documents SET removed = true, version = ?, changed_at = ?"
                    + " WHERE system_id = ? AND local_id = ?", removals);
        }
    }

    /** The searches of this transaction run on generic plans ({@link IndexTables#genericPlans}). */
    public void genericPlans() {
        cases.genericPlans();
    }

    /**
     * A page of cases matching {@code query} (which holds the privilege filter), newest change first;
     * by party through the party index. Exempt and removed cases are never read.
     */
    public List<Shown> search(String party, IndexQuery query, int limit, boolean protectedData) {
        String from = party == null ? " FROM case_index.cases c WHERE"
                : " FROM case_index.case_party p JOIN case_index.cases c ON c.id = p.case_id WHERE p.party = :party AND";
        Map<String, Object> params = new HashMap<>(query.params());
        if (party != null) {
            params.put("party", party);
        }
        return jdbc.sql("SELECT c.id, c.system_id, c.local_id, c.changed_at, c.case_number, c.state, c.opened,"
                        + " c.closed, c.body::text AS body" + from + " NOT c.removed AND NOT c.exempt AND " + query.where()
                        + " ORDER BY c.changed_at DESC, c.id DESC LIMIT " + limit)
                .params(params)
                .query((rs, n) -> {
                    Date closed = rs.getDate("closed");
                    String extra = Shown.member("state", rs.getString("state")) + ","
                            + Shown.member("opened", rs.getDate("opened").toLocalDate().toString()) + ","
                            + Shown.member("closed", closed == null ? null : closed.toLocalDate().toString());
                    return Shown.of(rs, rs.getString("case_number"), extra, protectedData, json, "parties");
                }).list();
    }

    /** The documents (not removed) of the cases, by case id, by letter date, as JSON. */
    public Map<UUID, List<String>> documents(Collection<UUID> caseIds, boolean protectedData) {
        Map<UUID, List<String>> out = new HashMap<>();
        if (caseIds.isEmpty()) {
            return out;
        }
        jdbc.sql("SELECT d.id, d.case_id, d.system_id, d.local_id, d.changed_at, d.body::text AS body"
                        + " FROM case_index.documents d WHERE d.case_id = ANY(?) AND NOT d.removed"
                        + " ORDER BY d.body->>'letterDate' NULLS LAST, d.local_id")
                .params((Object) caseIds.toArray(UUID[]::new))
                .query(rs -> {
                    out.computeIfAbsent(rs.getObject("case_id", UUID.class), k -> new ArrayList<>())
                            .add(Shown.of(rs, null, null, protectedData, json, "parties").json());
                });
        return out;
    }
}
