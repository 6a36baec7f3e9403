package dk.opensts.platform.index;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
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
