package dk.opensts.platform.bitemporal;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The bitemporal store of one module schema. All writes go through {@link #apply(List)} and
 * {@link #end}, which must run inside the caller's transaction; they lock the objects' heads, so
 * concurrent writers of one object are serialised and a stale {@code If-Match} is refused.
 */
public class BitemporalStore {

    private static final String COLUMNS = """
            v.vid, v.object_id, v.type, v.owner, lower(v.valid) AS vf, upper(v.valid) AS vt,
            lower(v.sys) AS sf, upper(v.sys) AS st, v.valid_actor, v.valid_note, v.data::text AS data,
            r.id AS rid, r.version AS rv, r.registered_at, r.actor, r.note, r.lifecycle,
            o.version AS current_version, o.lifecycle AS current_lifecycle""";

    private final String schema;
    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final JsonMapper json;
    private final Clock clock;
    private final CurrentTreeCache trees;
    /** How many owners' current trees are kept in memory (an organisation's units: about 1.5 MB for 5,000). */
    static final int TREE_CACHE_OWNERS = 128;
    /**
     * Bulk writes of at least this many version rows, and a tenth or more of what the statistics
     * know of, refresh the planner's statistics after commit.
     */
    static final int ANALYZE_AFTER_ROWS = 1_000;
    private static final java.util.concurrent.ExecutorService ANALYZER = java.util.concurrent.Executors
            .newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "store-analyze");
                t.setDaemon(true);
                return t;
            });

    public BitemporalStore(String schema, DataSource dataSource, JsonMapper json, Clock clock) {
        this.schema = schema;
        this.dataSource = dataSource;
        this.jdbc = JdbcClient.create(dataSource);
        this.json = json;
        this.clock = clock;
        this.trees = new CurrentTreeCache(schema, jdbc, TREE_CACHE_OWNERS);
    }

    public String schema() {
        return schema;
    }

    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    // ------------------------------------------------------------------ reads

    public Optional<ObjectHead> head(UUID id) {
        return jdbc.sql("SELECT * FROM " + schema + ".registry_object WHERE id = ?")
                .param(id).query((rs, n) -> head(rs)).optional();
    }

    /** The version valid at {@code tp.validAt} as recorded at {@code tp.knownAt}. */
    public Optional<Version> at(UUID id, TimePoint tp) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM " + from() + " WHERE v.object_id = ? AND v.valid @> ? AND v.sys @> ?")
                .param(id).param(ts(tp.validAt())).param(ts(tp.knownAt()))
                .query(this::version).optional();
    }

    /** Every version row ever recorded for the object, in system then valid order. */
    public List<Version> history(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM " + from()
                        + " WHERE v.object_id = ? ORDER BY lower(v.sys), lower(v.valid) NULLS FIRST")
                .param(id).query(this::version).list();
    }

    public List<Registration> registrations(UUID id) {
        return jdbc.sql("SELECT * FROM " + schema + ".registration WHERE object_id = ? ORDER BY version")
                .param(id).query((rs, n) -> registration(rs, "")).list();
    }

    /** Search criteria; {@code null} means "any". Results are ordered by id for keyset pagination. */
    public record Query(String type, UUID owner, boolean ownerOrNational, String userKey, String namePrefix,
                        UUID parentId, UUID ref, TimePoint at, UUID after, int limit, String tenantAttribute,
                        String tenantValue) {

        public Query(String type, UUID owner, boolean ownerOrNational, String userKey, String namePrefix,
                     UUID parentId, UUID ref, TimePoint at, UUID after, int limit) {
            this(type, owner, ownerOrNational, userKey, namePrefix, parentId, ref, at, after, limit, null, null);
        }
    }

    /**
     * SQL for "the range {@code column} contains the timestamp {@code parameter}" in the form no index
     * serves, for statements found through another condition with its own index (see
     * {@link #searchStatement}).
     *
     * @param column    a {@code tstzrange} column, for example {@code v.valid} (a constant, never input)
     * @param parameter its parameter, {@code ?} or {@code :name}
     */
    public static String contains(String column, String parameter) {
        return "range_contains_elem(" + column + ", CAST(" + parameter + " AS timestamptz))";
    }

    /** A statement as the store runs it: SQL with named parameters, and their values. */
    public record Statement(String sql, Map<String, Object> params) {
    }

    public List<Version> search(Query q) {
        Statement s = searchStatement(q);
        return jdbc.sql(s.sql()).params(s.params()).query(this::version).list();
    }

    /**
     * The statement {@link #search} runs. Valid and system time are tested with
     * {@code range_contains_elem}, the function behind {@code @>}, which no index serves: the
     * condition that finds the rows (owner, user key, parent, linked object, name) has its own index.
     * With the operator, a generic plan (which PostgreSQL's plan cache settles on after five
     * executions of a prepared statement) estimated "valid at t" at half a percent of the rows and
     * walked the exclusion constraint's index over every version valid at t, in every owner: a
     * login's "everything linked to her" took a millisecond among 1,000 versions, growing with the schema.
     */
    public Statement searchStatement(Query q) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM " + from()
                + " WHERE " + contains("v.valid", ":t") + " AND "
                + searchedKnown("v", q.at()));
        Map<String, Object> p = new HashMap<>();
        if (q.type() != null) {
            // without a type: objects of every type (for example everything linked to one object)
            sql.append(" AND v.type = :type");
            p.put("type", q.type());
        }
        p.put("t", ts(q.at().validAt()));
        p.put("k", ts(q.at().knownAt()));
        if (q.owner() != null) {
            sql.append(q.ownerOrNational() ? " AND (v.owner = :owner OR v.owner IS NULL)" : " AND v.owner = :owner");
            p.put("owner", q.owner());
        }
        if (q.userKey() != null) {
            sql.append(" AND v.user_key = :userKey");
            p.put("userKey", q.userKey());
        }
        if (q.namePrefix() != null) {
            sql.append(" AND lower(v.name) LIKE :name");
            p.put("name", likePrefix(q.namePrefix().toLowerCase()));
        }
        if (q.parentId() != null) {
            sql.append(" AND v.parent_id = :parent");
            p.put("parent", q.parentId());
        }
        if (q.ref() != null) {
            sql.append(" AND v.refs @> ARRAY[CAST(:ref AS uuid)]");
            p.put("ref", q.ref());
        }
        if (q.tenantAttribute() != null) {
            // shared objects (attribute absent) and those of the caller's tenant
            sql.append(" AND (v.data->>'" + q.tenantAttribute().replaceAll("[^A-Za-z]", "") + "' IS NULL");
            if (q.tenantValue() != null) {
                sql.append(" OR v.data->>'" + q.tenantAttribute().replaceAll("[^A-Za-z]", "") + "' = :tenant");
                p.put("tenant", q.tenantValue());
            }
            sql.append(")");
        }
        if (q.after() != null) {
            sql.append(" AND v.object_id > :after");
            p.put("after", q.after());
        }
        sql.append(" ORDER BY v.object_id LIMIT :limit");
        p.put("limit", q.limit());
        return new Statement(sql.toString(), p);
    }

    /**
     * The object and every object that refers to it (names it among its references), valid at the
     * time point as known then, the object first and the rest in object id order, in one query; both
     * only among the objects owned by the one of type {@code ownerType} with the user key
     * {@code ownerKey} (an organisation by its CVR). What a login reads of a user: her account, her
     * engagements and her addresses.
     */
    public List<Version> withReferrers(UUID id, String ownerType, String ownerKey, TimePoint tp, int limit) {
        String sql = "SELECT " + COLUMNS + " FROM " + from()
                + " WHERE v.owner = (SELECT w.object_id FROM " + schema + ".object_version w"
                + "  WHERE w.type = :ownerType AND w.user_key = :ownerKey AND " + contains("w.valid", ":t")
                + "  AND " + searchedKnown("w", tp) + " ORDER BY w.object_id LIMIT 1)"
                + " AND (v.object_id = :id OR v.refs @> ARRAY[CAST(:id AS uuid)])"
                + " AND " + contains("v.valid", ":t") + " AND " + searchedKnown("v", tp)
                // the object itself first, whatever the limit cuts off of what refers to it
                + " ORDER BY v.object_id <> :id, v.object_id LIMIT :limit";
        return jdbc.sql(sql).param("id", id).param("ownerType", ownerType).param("ownerKey", ownerKey)
                .param("t", ts(tp.validAt())).param("k", ts(tp.knownAt())).param("limit", limit)
                .query(this::version).list();
    }

    /**
     * A node of a tree read: the object, its depth, valid period and name sort key, and its JSON.
     * {@code json} is the node's JSON object without its leading {@code {"id":...,"depth":n,}} part
     * (see {@link #json(String, String, Period)}), made once so that large trees are answered by copying.
     */
    public record TreeNode(UUID id, String type, int depth, Period valid, String sortKey, byte[] json) {

        static TreeNode of(UUID id, String type, int depth, Period valid, String name, String data) {
            return new TreeNode(id, type, depth, valid, DanishOrder.key(name), json(type, data, valid));
        }

        TreeNode atDepth(int d) {
            return new TreeNode(id, type, d, valid, sortKey, json);
        }

        /** {@code "type":"unit",<the data's members>,"validity":{"from":..,"to":..}}} in UTF-8. */
        static byte[] json(String type, String data, Period valid) {
            StringBuilder out = new StringBuilder(data.length() + 120).append("\"type\":\"");
            tools.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(type, out);
            out.append("\",");
            int from = data.indexOf('{') + 1;
            int to = data.lastIndexOf('}');
            if (!data.substring(from, to).isBlank()) {
                out.append(data, from, to).append(',');
            }
            out.append("\"validity\":{\"from\":");
            time(out, valid.from());
            out.append(",\"to\":");
            time(out, valid.to());
            return out.append("}}").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        private static void time(StringBuilder out, Instant t) {
            if (t == null) {
                out.append("null");
            } else {
                out.append('"').append(t).append('"');
            }
        }
    }

    /** Tree order: by depth, then name in Danish alphabetical order (see {@link DanishOrder}), then id. */
    private static final Comparator<TreeNode> TREE_ORDER = Comparator.comparingInt(TreeNode::depth)
            .thenComparing(TreeNode::sortKey).thenComparing(TreeNode::id);

    /**
     * The object and its descendants down to {@code maxDepth}, as of the time point, in depth then
     * (Danish) name order; depth 0 is the root. One recursive query over the parent indexes; the data is
     * returned as stored, unparsed, so large trees (thousands of units) are cheap to answer.
     * With a {@code tenantAttribute}, descendants whose data names another tenant there (and
     * everything below them) are left out; those without the attribute are shared.
     * Trees as known now of an owner's objects come from {@link CurrentTreeCache}, which checks
     * with the database on every read that it holds exactly what is stored.
     */
    public List<TreeNode> subtree(UUID root, TimePoint tp, int maxDepth, String tenantAttribute, String tenantValue) {
        if (tp.knownNow() && tenantAttribute == null) {
            CurrentTree tree = trees.tree(root);
            if (tree != null) {
                return tree.subtree(root, tp.validAt(), maxDepth).stream().sorted(TREE_ORDER).toList();
            }
        }
        String tenant = "";
        if (tenantAttribute != null) {
            String attribute = tenantAttribute.replaceAll("[^A-Za-z]", "");
            tenant = " AND (c.data->>'" + attribute + "' IS NULL"
                    + (tenantValue == null ? "" : " OR c.data->>'" + attribute + "' = :tenant") + ")";
        }
        String sql = "WITH RECURSIVE t AS ("
                + " SELECT v.object_id, v.type, v.valid, v.name, v.data, 0 AS depth FROM " + schema + ".object_version v"
                + "  WHERE v.object_id = :root AND v.valid @> :t AND " + known("v", tp)
                + " UNION ALL"
                + " SELECT c.object_id, c.type, c.valid, c.name, c.data, t.depth + 1"
                + "  FROM " + schema + ".object_version c JOIN t ON c.parent_id = t.object_id"
                + "  WHERE c.valid @> :t AND " + known("c", tp) + tenant + " AND t.depth < :max)"
                + " SELECT t.object_id, t.type, lower(t.valid) AS vf, upper(t.valid) AS vt, t.name, t.data::text AS data,"
                + " t.depth FROM t";
        List<TreeNode> nodes = jdbc.sql(sql).param("root", root).param("t", ts(tp.validAt())).param("k", ts(tp.knownAt()))
                .param("max", maxDepth).param("tenant", tenantValue == null ? "" : tenantValue)
                .query((rs, n) -> TreeNode.of(rs.getObject("object_id", UUID.class), rs.getString("type"),
                        rs.getInt("depth"), new Period(instant(rs, "vf"), instant(rs, "vt")), rs.getString("name"),
                        rs.getString("data"))).list();
        return nodes.stream().sorted(TREE_ORDER).toList();
    }

    /**
     * The current rows (as known now, every valid period) of the objects of one owner and type, held
     * in memory and checked against the database as {@link #currentTree} reads them: several tree
     * questions about one owner's objects (a user's units: their ancestors and their subunits) answered
     * after one round trip.
     */
    public interface CurrentTree {
        /** As {@link #subtree(UUID, TimePoint, int, String, String)} as known now, unsorted (breadth first). */
        List<TreeNode> subtree(UUID root, Instant validAt, int maxDepth);

        /** The ids of the objects' ancestors of the same type (not the objects themselves, unless one is another's). */
        java.util.Set<UUID> ancestorIds(Collection<UUID> ids, Instant validAt);
    }

    /**
     * The current tree of the owner of {@code member} among the objects of its type, exactly as stored
     * now (see {@link CurrentTreeCache}); empty when the object does not exist or has no owner.
     */
    public Optional<CurrentTree> currentTree(UUID member) {
        return Optional.ofNullable(trees.tree(member));
    }

    /**
     * The system-time condition of a search statement (rows found through another indexed condition):
     * as known now the current rows, otherwise {@code range_contains_elem} (see {@link #searchStatement}).
     */
    private static String searchedKnown(String alias, TimePoint tp) {
        return tp.knownNow() ? "upper_inf(" + alias + ".sys)" : contains(alias + ".sys", ":k");
    }

    /**
     * The system-time condition for rows as recorded at {@code tp.knownAt}; as known now that is
     * the current rows, which the b-tree indexes on {@code upper_inf(sys)} serve.
     */
    private static String known(String alias, TimePoint tp) {
        return tp.knownNow() ? "upper_inf(" + alias + ".sys)" : alias + ".sys @> :k";
    }

    /** The ids of the objects' ancestors (not the objects themselves, unless one is another's), in one query. */
    public java.util.Set<UUID> ancestorIds(Collection<UUID> ids, TimePoint tp) {
        if (ids.isEmpty()) {
            return java.util.Set.of();
        }
        String sql = "WITH RECURSIVE t(id, depth) AS ("
                + " SELECT v.parent_id, 1 FROM " + schema + ".object_version v"
                + "  WHERE v.object_id = ANY(:ids) AND v.valid @> :t AND " + known("v", tp) + " AND v.parent_id IS NOT NULL"
                + " UNION"
                + " SELECT p.parent_id, t.depth + 1 FROM " + schema + ".object_version p JOIN t ON p.object_id = t.id"
                + "  WHERE p.valid @> :t AND " + known("p", tp) + " AND p.parent_id IS NOT NULL AND t.depth < 10000)"
                + " SELECT DISTINCT id FROM t";
        return new java.util.HashSet<>(jdbc.sql(sql).param("ids", ids.toArray(UUID[]::new)).param("t", ts(tp.validAt()))
                .param("k", ts(tp.knownAt())).query((rs, n) -> rs.getObject(1, UUID.class)).list());
    }

    /** The object's ancestors, nearest first, as of the time point (the object itself not included). */
    public List<Version> ancestors(UUID id, TimePoint tp) {
        String sql = "WITH RECURSIVE t AS ("
                + " SELECT v.*, 0 AS depth FROM " + schema + ".object_version v"
                + "  WHERE v.object_id = :id AND v.valid @> :t AND " + known("v", tp)
                + " UNION ALL"
                + " SELECT p.*, t.depth + 1 FROM " + schema + ".object_version p JOIN t ON p.object_id = t.parent_id"
                + "  WHERE p.valid @> :t AND " + known("p", tp) + " AND t.depth < 10000)"
                + " SELECT " + COLUMNS + ", v.depth FROM t v JOIN " + schema + ".registration r ON r.id = v.registration_id"
                + " JOIN " + schema + ".registry_object o ON o.id = v.object_id"
                + " WHERE v.depth > 0 ORDER BY v.depth";
        return jdbc.sql(sql).param("id", id).param("t", ts(tp.validAt())).param("k", ts(tp.knownAt()))
                .query(this::treeVersion).list();
    }

    /**
     * An object as a snapshot import compares it: its id, type and lifecycle, and the digest
     * ({@link JsonbDigest}) of its data valid at a time as known now ({@code null} if none).
     */
    public record Current(UUID id, String type, Lifecycle lifecycle, String digest) {
    }

    /**
     * Every object of the owner of these types, with the digest of its data valid at {@code validAt}:
     * the database computes the digests, so a snapshot of 100,000 objects is compared without
     * reading and parsing 100,000 documents.
     */
    public List<Current> currentState(UUID owner, Collection<String> types, Instant validAt) {
        return jdbc.sql("SELECT o.id, o.type, o.lifecycle, " + JsonbDigest.sql("v.data") + " AS digest"
                        + " FROM " + schema + ".registry_object o"
                        + " LEFT JOIN " + schema + ".object_version v ON v.object_id = o.id AND upper_inf(v.sys)"
                        + " AND v.valid @> ? AND v.owner = o.owner AND v.type = o.type"
                        + " WHERE o.owner = ? AND o.type = ANY(?)")
                .param(ts(validAt)).param(owner).param(types.toArray(String[]::new))
                .query((rs, n) -> new Current(rs.getObject(1, UUID.class), rs.getString(2),
                        Lifecycle.valueOf(rs.getString(3)), rs.getString(4)))
                .list();
    }

    /** The data of these objects valid at {@code validAt} as known now; objects without any are left out. */
    public Map<UUID, ObjectNode> currentData(Collection<UUID> ids, Instant validAt) {
        Map<UUID, ObjectNode> out = new HashMap<>();
        if (!ids.isEmpty()) {
            jdbc.sql("SELECT object_id, data::text FROM " + schema + ".object_version"
                            + " WHERE object_id = ANY(?) AND upper_inf(sys) AND valid @> ?")
                    .param(ids.toArray(UUID[]::new)).param(ts(validAt))
                    .query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), (ObjectNode) json.readTree(rs.getString(2))))
                    .list().forEach(e -> out.put(e.getKey(), e.getValue()));
        }
        return out;
    }

    /**
     * Which of {@code ids} have a current version of one of {@code types} somewhere in {@code period}
     * (as known now). Used to check references.
     */
    public java.util.Set<UUID> existing(Collection<UUID> ids, Collection<String> types, UUID owner, Period period) {
        if (ids.isEmpty()) {
            return java.util.Set.of();
        }
        return new java.util.HashSet<>(jdbc.sql("SELECT DISTINCT object_id FROM " + schema + ".object_version"
                        + " WHERE object_id = ANY(?) AND type = ANY(?) AND upper_inf(sys) AND valid && CAST(? AS tstzrange)"
                        + (owner == null ? "" : " AND owner = '" + owner + "'"))
                .param(ids.toArray(UUID[]::new)).param(types.toArray(String[]::new)).param(period.toRangeLiteral())
                .query((rs, n) -> rs.getObject(1, UUID.class)).list());
    }

    /**
     * For each pair of {@code ids[i]} and {@code periods[i]}: whether the object has a current
     * version of one of {@code types}, owned by {@code owner}, valid somewhere in the period. One
     * query for a whole batch of references (an index checking the units its records name).
     */
    public boolean[] existingDuring(List<UUID> ids, List<Period> periods, Collection<String> types, UUID owner) {
        boolean[] out = new boolean[ids.size()];
        if (ids.isEmpty()) {
            return out;
        }
        List<Integer> found = jdbc.sql("SELECT r.n FROM unnest(CAST(:ids AS uuid[]), CAST(:ranges AS tstzrange[]))"
                        + " WITH ORDINALITY AS r(id, valid, n) WHERE EXISTS (SELECT 1 FROM " + schema + ".object_version v"
                        + " WHERE v.object_id = r.id AND v.type = ANY(:types) AND upper_inf(v.sys) AND v.valid && r.valid"
                        + " AND v.owner IS NOT DISTINCT FROM CAST(:owner AS uuid))")
                .param("ids", ids.toArray(UUID[]::new))
                .param("ranges", periods.stream().map(Period::toRangeLiteral).toArray(String[]::new))
                .param("types", types.toArray(String[]::new))
                .param("owner", owner)
                .query((rs, n) -> rs.getInt(1)).list();
        for (int n : found) {
            out[n - 1] = true;
        }
        return out;
    }

    /**
     * Which of {@code userKeys} name a current object of {@code type} owned by {@code owner}, valid at
     * any time (an index accepts a class that was in use when its record was made). Objects whose
     * data names a tenant in {@code tenantAttribute} count only for {@code tenantValue}.
     */
    public java.util.Set<String> knownUserKeys(String type, UUID owner, Collection<String> userKeys,
                                              String tenantAttribute, String tenantValue) {
        if (userKeys.isEmpty()) {
            return java.util.Set.of();
        }
        String attribute = tenantAttribute.replaceAll("[^A-Za-z]", "");
        return new java.util.HashSet<>(jdbc.sql("SELECT DISTINCT user_key FROM " + schema + ".object_version"
                        + " WHERE type = :type AND owner = :owner AND user_key = ANY(:keys) AND upper_inf(sys)"
                        + " AND (data->>'" + attribute + "' IS NULL OR data->>'" + attribute + "' = :tenant)")
                .param("type", type).param("owner", owner).param("keys", userKeys.toArray(String[]::new))
                .param("tenant", tenantValue == null ? "" : tenantValue)
                .query((rs, n) -> rs.getString(1)).list());
    }

    /** Throws {@link ErrorCode#BROKEN_REFERENCE} naming {@code field} unless every id exists as one of {@code types}. */
    public void requireExisting(String field, Collection<UUID> ids, Collection<String> types, UUID owner, Period period) {
        java.util.Set<UUID> wanted = new java.util.LinkedHashSet<>(ids);
        wanted.remove(null);
        wanted.removeAll(existing(wanted, types, owner, period));
        if (!wanted.isEmpty()) {
            throw ApiException.field(ErrorCode.BROKEN_REFERENCE, field, "no " + String.join(" or ", types)
                    + (owner == null ? "" : " of the same owner") + " valid in the period: " + wanted);
        }
    }

    /** Whether {@code candidate} is {@code newParent} or one of its ancestors anywhere in {@code period}. */
    public boolean isSelfOrAncestor(UUID candidate, UUID newParent, Period period) {
        String sql = "WITH RECURSIVE up(id) AS (SELECT CAST(:p AS uuid) UNION"
                + " SELECT v.parent_id FROM " + schema + ".object_version v JOIN up ON v.object_id = up.id"
                + "  WHERE upper_inf(v.sys) AND v.valid && CAST(:period AS tstzrange) AND v.parent_id IS NOT NULL)"
                + " SELECT EXISTS (SELECT 1 FROM up WHERE id = :c)";
        return Boolean.TRUE.equals(jdbc.sql(sql).param("p", newParent).param("period", period.toRangeLiteral())
                .param("c", candidate).query(Boolean.class).single());
    }

    /**
     * Consistency of the store's three tables, which the write path keeps without foreign keys:
     * every registration and version row has its head, every version row its registration, and
     * every head's version is its latest registration. Empty when all is well; meant for tests and
     * operators' checks (it reads the whole store).
     */
    public List<String> verify() {
        List<String> problems = new ArrayList<>();
        check(problems, "registrations without a head", "SELECT count(*) FROM " + schema + ".registration r"
                + " WHERE NOT EXISTS (SELECT 1 FROM " + schema + ".registry_object o WHERE o.id = r.object_id)");
        check(problems, "versions without a head", "SELECT count(*) FROM " + schema + ".object_version v"
                + " WHERE NOT EXISTS (SELECT 1 FROM " + schema + ".registry_object o WHERE o.id = v.object_id)");
        check(problems, "versions without their registration", "SELECT count(*) FROM " + schema + ".object_version v"
                + " WHERE NOT EXISTS (SELECT 1 FROM " + schema + ".registration r WHERE r.id = v.registration_id"
                + " AND r.object_id = v.object_id)");
        check(problems, "heads whose version is not their latest registration", "SELECT count(*) FROM " + schema
                + ".registry_object o WHERE o.version <> (SELECT max(r.version) FROM " + schema
                + ".registration r WHERE r.object_id = o.id)");
        return problems;
    }

    private void check(List<String> problems, String what, String countSql) {
        long n = jdbc.sql(countSql).query(Long.class).single();
        if (n > 0) {
            problems.add(schema + ": " + n + " " + what);
        }
    }

    // ------------------------------------------------------------------ writes

    /**
     * Applies the changes in one registration time: per object, the valid periods the change
     * alters are superseded (their system time closed) and replaced; nothing else is written.
     */
    public List<WriteResult> apply(List<Change> changes) {
        if (changes.isEmpty()) {
            return List.of();
        }
        Map<UUID, Change> byId = new LinkedHashMap<>();
        for (Change c : changes) {
            if (byId.put(c.objectId(), c) != null) {
                throw new ApiException(ErrorCode.VALIDATION_FAILED, "Object " + c.objectId() + " appears twice in one write");
            }
        }
        Map<UUID, ObjectHead> heads = lockHeads(byId.keySet());
        List<UUID> existingIds = new ArrayList<>();
        for (Change c : changes) {
            ObjectHead h = heads.get(c.objectId());
            if (h == null) {
                if (!c.create() && !c.fillGaps()) {
                    throw ApiException.notFound(c.type(), c.objectId());
                }
                continue;
            }
            if (c.create()) {
                throw new ApiException(ErrorCode.DUPLICATE, c.type() + " " + c.objectId() + " exists already");
            }
            if (!h.type().equals(c.type())) {
                throw new ApiException(ErrorCode.VALIDATION_FAILED,
                        "Object " + c.objectId() + " is a " + h.type() + ", not a " + c.type());
            }
            if (h.lifecycle() == Lifecycle.DELETED) {
                throw new ApiException(ErrorCode.GONE, c.type() + " " + c.objectId() + " has been deleted");
            }
            if (c.expectedVersion() != null && c.expectedVersion() != h.version()) {
                throw stale(h, c.expectedVersion());
            }
            existingIds.add(c.objectId());
        }
        Map<UUID, List<Version>> current = currentVersions(existingIds);

        Instant at = registrationTime(heads.values());
        String sys = Period.from(at).toRangeLiteral();
        List<WriteResult> results = new ArrayList<>();
        List<Planned> planned = new ArrayList<>();
        List<Long> closed = new ArrayList<>();
        List<Object[]> headUpdates = new ArrayList<>();
        int versionRows = 0;
        for (Change c : changes) {
            ObjectHead h = heads.get(c.objectId());
            List<PeriodAlgebra.Piece<Version>> pieces = current.getOrDefault(c.objectId(), List.of()).stream()
                    .map(v -> new PeriodAlgebra.Piece<>(v.valid(), v)).toList();
            PeriodAlgebra.Outcome<Version> outcome = PeriodAlgebra.apply(pieces, c.valid(),
                    old -> {
                        ObjectNode next = c.apply().apply(old == null ? null : old.data().deepCopy());
                        return next == null ? null : new Version(0, c.objectId(), c.type(), c.owner(), null, null, null,
                                c.validActor(), c.validNote(), next, null, 0, null, 0);
                    },
                    c.fillGaps(), (a, b) -> a.data().equals(b.data()) && Objects.equals(a.owner(), b.owner()));
            if (!outcome.changed()) {
                results.add(new WriteResult(h, false));
                continue;
            }
            int version = h == null ? 1 : h.version() + 1;
            for (PeriodAlgebra.Piece<Version> s : outcome.superseded()) {
                closed.add(s.value().vid());
            }
            planned.add(new Planned(c, h, version, UUID.randomUUID(), outcome.added()));
            versionRows += outcome.added().size();
            ObjectHead next;
            if (h == null) {
                next = new ObjectHead(c.objectId(), c.type(), c.owner(), version, c.lifecycle(), at, at);
            } else {
                next = new ObjectHead(h.id(), h.type(), c.owner(), version, c.lifecycle(), h.createdAt(), at);
                headUpdates.add(new Object[] {version, c.lifecycle().name(), ts(at), c.owner(), c.objectId()});
            }
            results.add(new WriteResult(next, true));
        }
        if (planned.isEmpty()) {
            return results;
        }
        // heads, then registrations, then the closing of superseded rows, then the new rows: the
        // exclusion constraint sees the superseded rows closed before their replacements arrive
        copy("registry_object (id, type, owner, version, lifecycle, created_at, registered_at)", out -> {
            for (Planned p : planned) {
                if (p.head() == null) {
                    out.row(p.change().objectId(), p.change().type(), p.change().owner(), p.version(),
                            p.change().lifecycle().name(), at, at);
                }
            }
        });
        if (!headUpdates.isEmpty()) {
            jdbcTemplate().batchUpdate("UPDATE " + schema + ".registry_object SET version = ?, lifecycle = ?,"
                    + " registered_at = ?, owner = ? WHERE id = ?", headUpdates);
        }
        copy("registration (id, object_id, version, registered_at, actor, note, lifecycle)", out -> {
            for (Planned p : planned) {
                Change c = p.change();
                out.row(p.registration(), c.objectId(), p.version(), at, c.actor(), c.note(), c.lifecycle().name());
            }
        });
        closeRows(closed, at);
        copy("object_version (object_id, type, owner, valid, sys, registration_id, valid_actor, valid_note,"
                + " user_key, name, parent_id, refs, data)", out -> {
            for (Planned p : planned) {
                Change c = p.change();
                for (PeriodAlgebra.Piece<Version> a : p.added()) {
                    Version v = a.value();
                    IndexFields idx = c.index().apply(v.data());
                    out.row(c.objectId(), c.type(), v.owner(), a.period().toRangeLiteral(), sys, p.registration(),
                            v.validActor(), v.validNote(), idx.userKey(), idx.name(), idx.parentId(),
                            uuidArray(idx.refs()), v.data().toString());
                }
            }
        });
        if (versionRows >= ANALYZE_AFTER_ROWS && isLargeAgainstStatistics(versionRows)) {
            analyzeAfterCommit();
        }
        return results;
    }

    /** A change that writes: its object's head before, its new version and registration, the pieces to add. */
    private record Planned(Change change, ObjectHead head, int version, UUID registration,
                           List<PeriodAlgebra.Piece<Version>> added) {
    }

    @FunctionalInterface
    private interface Rows {
        void write(CopyWriter out) throws SQLException;
    }

    private boolean isLargeAgainstStatistics(int rows) {
        double known = jdbc.sql("SELECT reltuples FROM pg_class WHERE oid = CAST(? AS regclass)")
                .param(schema + ".object_version").query(Double.class).single();
        return known < 0 || rows >= known / 10;
    }

    /**
     * After a bulk write commits, refresh the statistics of the store's tables at once rather than
     * when autovacuum gets to it: until then the planner takes the new rows for a handful and picks
     * nested loops that make tree walks take seconds.
     */
    private void analyzeAfterCommit() {
        if (!org.springframework.transaction.support.TransactionSynchronizationManager.isSynchronizationActive()) {
            return;
        }
        org.springframework.transaction.support.TransactionSynchronizationManager.registerSynchronization(
                new org.springframework.transaction.support.TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        ANALYZER.execute(() -> {
                            try {
                                jdbc.sql("ANALYZE " + schema + ".registry_object, " + schema + ".registration, "
                                        + schema + ".object_version").update();
                            } catch (RuntimeException e) {
                                org.slf4j.LoggerFactory.getLogger(BitemporalStore.class)
                                        .warn("ANALYZE of {} failed: {}", schema, e.getMessage());
                            }
                        });
                    }
                });
    }

    /** Passivates or deletes an object: its current versions end in system time now. */
    public WriteResult end(UUID id, String type, Lifecycle lifecycle, Integer expectedVersion, String actor, String note) {
        if (lifecycle != Lifecycle.PASSIVATED && lifecycle != Lifecycle.DELETED) {
            throw new IllegalArgumentException("end() passivates or deletes");
        }
        ObjectHead h = lockHeads(List.of(id)).get(id);
        if (h == null || !h.type().equals(type)) {
            throw ApiException.notFound(type, id);
        }
        if (h.lifecycle() == Lifecycle.DELETED) {
            throw new ApiException(ErrorCode.GONE, type + " " + id + " has been deleted");
        }
        if (expectedVersion != null && expectedVersion != h.version()) {
            throw stale(h, expectedVersion);
        }
        if (h.lifecycle() == lifecycle) {
            return new WriteResult(h, false);
        }
        Instant at = registrationTime(List.of(h));
        int version = h.version() + 1;
        jdbc.sql("INSERT INTO " + schema + ".registration (id, object_id, version, registered_at, actor, note, lifecycle)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)")
                .params(UUID.randomUUID(), id, version, ts(at), actor, note, lifecycle.name()).update();
        List<Long> vids = jdbc.sql("SELECT vid FROM " + schema + ".object_version WHERE object_id = ? AND upper_inf(sys)")
                .param(id).query(Long.class).list();
        closeRows(vids, at);
        jdbc.sql("UPDATE " + schema + ".registry_object SET version = ?, lifecycle = ?, registered_at = ? WHERE id = ?")
                .params(version, lifecycle.name(), ts(at), id).update();
        return new WriteResult(new ObjectHead(id, type, h.owner(), version, lifecycle, h.createdAt(), at), true);
    }

    private ApiException stale(ObjectHead h, int expected) {
        return new ApiException(ErrorCode.STALE_VERSION, "Version " + expected + " of " + h.type() + " " + h.id()
                + " is stale; the current version is " + h.version(), List.of(),
                Map.of("currentVersion", h.version()));
    }

    private Map<UUID, ObjectHead> lockHeads(Collection<UUID> ids) {
        Map<UUID, ObjectHead> heads = new HashMap<>();
        jdbc.sql("SELECT * FROM " + schema + ".registry_object WHERE id = ANY(?) ORDER BY id FOR UPDATE")
                .param(ids.toArray(UUID[]::new))
                .query((rs, n) -> head(rs)).list().forEach(h -> heads.put(h.id(), h));
        return heads;
    }

    private Map<UUID, List<Version>> currentVersions(List<UUID> ids) {
        Map<UUID, List<Version>> map = new HashMap<>();
        if (ids.isEmpty()) {
            return map;
        }
        jdbc.sql("SELECT " + COLUMNS + " FROM " + from() + " WHERE v.object_id = ANY(?) AND upper_inf(v.sys)")
                .param(ids.toArray(UUID[]::new)).query(this::version).list()
                .forEach(v -> map.computeIfAbsent(v.objectId(), k -> new ArrayList<>()).add(v));
        return map;
    }

    /** Now, but strictly after every registration already made of these objects. */
    private Instant registrationTime(Collection<ObjectHead> heads) {
        Instant at = now();
        for (ObjectHead h : heads) {
            if (!at.isAfter(h.registeredAt())) {
                at = h.registeredAt().plus(1, ChronoUnit.MICROS);
            }
        }
        return at;
    }

    private void closeRows(List<Long> vids, Instant at) {
        if (vids.isEmpty()) {
            return;
        }
        jdbc.sql("UPDATE " + schema + ".object_version SET sys = tstzrange(lower(sys), ?, '[)') WHERE vid = ANY(?)")
                .param(ts(at)).param(vids.toArray(Long[]::new)).update();
    }

    /** Streams rows into {@code schema.target} with COPY on the transaction's connection. */
    private void copy(String target, Rows rows) {
        Connection con = DataSourceUtils.getConnection(dataSource);
        try (CopyWriter out = new CopyWriter(con, "COPY " + schema + "." + target + " FROM STDIN")) {
            rows.write(out);
            out.finish();
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new ApiException(ErrorCode.DUPLICATE, "A unique key is taken: " + e.getMessage());
            }
            if ("23P01".equals(e.getSQLState())) {
                throw new ApiException(ErrorCode.STALE_VERSION,
                        "The object was changed concurrently; read it again and retry");
            }
            throw new org.springframework.dao.DataIntegrityViolationException("COPY into " + target + " failed", e);
        } finally {
            DataSourceUtils.releaseConnection(con, dataSource);
        }
    }

    private org.springframework.jdbc.core.JdbcTemplate jdbcTemplate() {
        return new org.springframework.jdbc.core.JdbcTemplate(dataSource);
    }

    // ------------------------------------------------------------------ mapping

    private String from() {
        return schema + ".object_version v JOIN " + schema + ".registration r ON r.id = v.registration_id"
                + " JOIN " + schema + ".registry_object o ON o.id = v.object_id";
    }

    private Version version(ResultSet rs, int n) throws SQLException {
        return versionAtDepth(rs, 0);
    }

    /** A row of a tree query, which has a depth column. */
    private Version treeVersion(ResultSet rs, int n) throws SQLException {
        return versionAtDepth(rs, rs.getInt("depth"));
    }

    private Version versionAtDepth(ResultSet rs, int depth) throws SQLException {
        return new Version(rs.getLong("vid"), rs.getObject("object_id", UUID.class), rs.getString("type"),
                rs.getObject("owner", UUID.class), new Period(instant(rs, "vf"), instant(rs, "vt")),
                instant(rs, "sf"), instant(rs, "st"), rs.getString("valid_actor"), rs.getString("valid_note"),
                (ObjectNode) json.readTree(rs.getString("data")), registration(rs, "r"),
                rs.getInt("current_version"), Lifecycle.valueOf(rs.getString("current_lifecycle")), depth);
    }

    private static Registration registration(ResultSet rs, String prefix) throws SQLException {
        boolean joined = !prefix.isEmpty();
        return new Registration(rs.getObject(joined ? "rid" : "id", UUID.class),
                rs.getObject("object_id", UUID.class), rs.getInt(joined ? "rv" : "version"),
                instant(rs, "registered_at"), rs.getString("actor"), rs.getString("note"),
                Lifecycle.valueOf(rs.getString("lifecycle")));
    }

    private static ObjectHead head(ResultSet rs) throws SQLException {
        return new ObjectHead(rs.getObject("id", UUID.class), rs.getString("type"), rs.getObject("owner", UUID.class),
                rs.getInt("version"), Lifecycle.valueOf(rs.getString("lifecycle")), instant(rs, "created_at"),
                instant(rs, "registered_at"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static OffsetDateTime ts(Instant t) {
        return t == null ? null : t.atOffset(java.time.ZoneOffset.UTC);
    }

    private static String likePrefix(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private static String uuidArray(List<UUID> ids) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < ids.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(ids.get(i));
        }
        return sb.append('}').toString();
    }
}
