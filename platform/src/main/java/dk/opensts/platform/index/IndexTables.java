package dk.opensts.platform.index;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The reads every index table answers the same way: tables keyed by {@code (system_id, local_id)}
 * with {@code id}, {@code version}, {@code body_hash}, {@code removed} and {@code body}.
 */
public final class IndexTables {

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final String table;

    /** @param table schema-qualified, for example {@code benefit_index.grants} (a constant, never input) */
    public IndexTables(JdbcClient jdbc, JsonMapper json, String table) {
        if (!table.matches("[a-z_]+\\.[a-z_]+")) {
            throw new IllegalArgumentException(table);
        }
        this.jdbc = jdbc;
        this.json = json;
        this.table = table;
    }

    /**
     * For the rest of the current transaction, run prepared statements on their generic plans. A
     * search's statements differ only in the values of the privilege filter (tens of KLE patterns and
     * org units); on a custom plan PostgreSQL re-plans each execution and estimates every array element
     * against the statistics, about a millisecond for the grants of a case (twenty times the query's
     * own cost), and its plan cache keeps choosing that because the generic plan's estimate is higher
     * while the plan is the same index look-up. Searches by party, case or case number go through their
     * index on either plan; searches without one scan the table on either.
     *
     * @throws IllegalStateException outside a transaction, where the setting would not hold
     */
    public void genericPlans() {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("generic plans are set for a transaction; none is active");
        }
        jdbc.sql("SET LOCAL plan_cache_mode = force_generic_plan").update();
    }

    /** What is stored for these local ids of the system, by local id. */
    public Map<String, Publication.Stored> stored(String systemId, Set<String> localIds) {
        Map<String, Publication.Stored> out = new HashMap<>();
        jdbc.sql("SELECT local_id, id, version, body_hash, removed FROM " + table
                        + " WHERE system_id = ? AND local_id = ANY(?)")
                .params(systemId, localIds.toArray(String[]::new))
                .query(rs -> {
                    out.put(rs.getString(1), new Publication.Stored(rs.getObject(2, UUID.class), rs.getInt(3),
                            rs.getBytes(4), rs.getBoolean(5)));
                });
        return out;
    }

    /** The published record (not removed), or {@code null}. */
    public ObjectNode storedBody(String systemId, String localId) {
        return jdbc.sql("SELECT body::text FROM " + table + " WHERE system_id = ? AND local_id = ? AND NOT removed")
                .params(systemId, localId).query(String.class).optional()
                .map(b -> (ObjectNode) json.readTree(b)).orElse(null);
    }
}
