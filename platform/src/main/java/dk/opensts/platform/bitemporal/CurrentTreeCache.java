package dk.opensts.platform.bitemporal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The current rows (as known now, all valid periods) of one owner's objects of one type, kept in
 * memory for tree reads: an organisation's units are read as trees far more often than they
 * change. Every read first asks the database for the owner's stamp (the number of heads and the
 * sum of their versions, which every write, creation, passivation or deletion raises), so a cached
 * copy is used only while it is exactly what the database holds, on this node or any other.
 * Least recently used owners are dropped beyond {@code maxOwners}.
 */
final class CurrentTreeCache {

    /** A current row: the object's parent and the tree node it makes (at depth 0). */
    record Row(UUID parent, BitemporalStore.TreeNode node) {
        UUID id() {
            return node.id();
        }

        Period valid() {
            return node.valid();
        }
    }

    private record Key(UUID owner, String type) {
    }

    private record Stamp(long heads, long versions) {
    }

    private record Entry(Stamp stamp, Map<UUID, List<Row>> rowsById, Map<UUID, List<Row>> children)
            implements BitemporalStore.CurrentTree {

        @Override
        public List<BitemporalStore.TreeNode> subtree(UUID root, Instant validAt, int maxDepth) {
            Row top = valid(rowsById.get(root), validAt);
            if (top == null) {
                return List.of();
            }
            List<BitemporalStore.TreeNode> nodes = new ArrayList<>();
            nodes.add(node(top, 0));
            for (int i = 0; i < nodes.size(); i++) {
                BitemporalStore.TreeNode n = nodes.get(i);
                if (n.depth() >= maxDepth) {
                    continue;
                }
                for (Row child : children.getOrDefault(n.id(), List.of())) {
                    if (child.valid().contains(validAt)) {
                        nodes.add(node(child, n.depth() + 1));
                    }
                }
            }
            return nodes;
        }

        @Override
        public Set<UUID> ancestorIds(Collection<UUID> ids, Instant validAt) {
            Set<UUID> out = new HashSet<>();
            for (UUID id : ids) {
                Row r = valid(rowsById.get(id), validAt);
                // a cycle cannot be stored (a unit is never moved under its own descendant); the bound guards anyway
                for (int depth = 0; r != null && r.parent() != null && depth < 10_000; depth++) {
                    Row parent = valid(rowsById.get(r.parent()), validAt);
                    if (parent == null || !out.add(parent.id())) {
                        break;
                    }
                    r = parent;
                }
            }
            return out;
        }
    }

    private final String schema;
    private final JdbcClient jdbc;
    private final Map<Key, Entry> entries;

    CurrentTreeCache(String schema, JdbcClient jdbc, int maxOwners) {
        this.schema = schema;
        this.jdbc = jdbc;
        this.entries = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
                return size() > maxOwners;
            }
        });
    }

    /**
     * The current rows of the objects of {@code member}'s owner and type, exactly as stored now: one
     * query for the owner's stamp, and a load of the rows only when they changed since last read.
     * {@code null} when the member has no owner (shared objects are not cached) or does not exist.
     */
    BitemporalStore.CurrentTree tree(UUID member) {
        record Probe(UUID owner, String type, Stamp stamp) {
        }
        Probe probe = jdbc.sql("SELECT o.owner, o.type, s.n, s.v FROM " + schema + ".registry_object o, LATERAL"
                        + " (SELECT count(*) AS n, coalesce(sum(h.version), 0) AS v FROM " + schema + ".registry_object h"
                        + " WHERE h.owner = o.owner AND h.type = o.type) s WHERE o.id = ?")
                .param(member)
                .query((rs, n) -> new Probe(rs.getObject("owner", UUID.class), rs.getString("type"),
                        new Stamp(rs.getLong("n"), rs.getLong("v"))))
                .optional().orElse(null);
        if (probe == null || probe.owner() == null) {
            return null;
        }
        Key key = new Key(probe.owner(), probe.type());
        Entry entry = entries.get(key);
        if (entry == null || !entry.stamp().equals(probe.stamp())) {
            // loaded after the stamp was read, so never older than it; a newer load is replaced next read
            entry = load(key, probe.stamp());
            entries.put(key, entry);
        }
        return entry;
    }

    private static BitemporalStore.TreeNode node(Row r, int depth) {
        return r.node().atDepth(depth);
    }

    private static Row valid(List<Row> rows, Instant at) {
        if (rows != null) {
            for (Row r : rows) {
                if (r.valid().contains(at)) {
                    return r;
                }
            }
        }
        return null;
    }

    private Entry load(Key key, Stamp stamp) {
        List<Row> rows = jdbc.sql("SELECT object_id, parent_id, type, lower(valid) AS vf, upper(valid) AS vt, name,"
                        + " data::text AS data FROM " + schema + ".object_version"
                        + " WHERE owner = ? AND type = ? AND upper_inf(sys)")
                .param(key.owner()).param(key.type())
                .query((rs, n) -> new Row(rs.getObject("parent_id", UUID.class),
                        BitemporalStore.TreeNode.of(rs.getObject("object_id", UUID.class), rs.getString("type"), 0,
                                new Period(BitemporalStore.instant(rs, "vf"), BitemporalStore.instant(rs, "vt")),
                                rs.getString("name"), rs.getString("data"))))
                .list();
        Map<UUID, List<Row>> byId = new HashMap<>();
        Map<UUID, List<Row>> children = new HashMap<>();
        for (Row r : rows) {
            byId.computeIfAbsent(r.id(), k -> new ArrayList<>(1)).add(r);
            if (r.parent() != null) {
                children.computeIfAbsent(r.parent(), k -> new ArrayList<>()).add(r);
            }
        }
        return new Entry(stamp, byId, children);
    }

    void clear() {
        entries.clear();
    }
}
