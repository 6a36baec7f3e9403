package dk.opensts.messaging.store;

import static dk.opensts.messaging.store.DeliveryStore.instant;
import static dk.opensts.messaging.store.DeliveryStore.ts;

import dk.opensts.messaging.domain.Subscription;
import dk.opensts.messaging.domain.ValueList;
import dk.opensts.platform.security.Sensitivity;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Subscriptions and value lists in PostgreSQL; every method runs in the caller's transaction. */
public class SubscriptionStore {

    private static final String COLUMNS = "id, receiver, municipality, name, message_types, kle, object_types,"
            + " actions, max_sensitivity, cpr_list, version, created_at, created_by, updated_at, updated_by, ended_at";

    private final JdbcClient jdbc;

    public SubscriptionStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(Subscription s) {
        jdbc.sql("INSERT INTO messaging.subscription (" + COLUMNS + ") VALUES (:id, :receiver, :m, :name, :types, :kle,"
                        + " :objectTypes, :actions, :max, :cprList, :version, :at, :by, :at, :by, NULL)")
                .param("id", s.id()).param("receiver", s.receiver()).param("m", s.municipality())
                .param("name", s.name()).param("types", s.messageTypes().toArray(String[]::new))
                .param("kle", s.kle().toArray(String[]::new)).param("objectTypes", s.objectTypes().toArray(String[]::new))
                .param("actions", s.actions().toArray(String[]::new))
                .param("max", s.maxSensitivity() == null ? null : s.maxSensitivity().name())
                .param("cprList", s.cprList()).param("version", s.version()).param("at", ts(s.createdAt()))
                .param("by", s.createdBy())
                .update();
    }

    /** Replaces a subscription's filters if it is still at {@code expectedVersion}; returns whether it was. */
    public boolean update(Subscription s, int expectedVersion) {
        return jdbc.sql("UPDATE messaging.subscription SET name = :name, message_types = :types, kle = :kle,"
                        + " object_types = :objectTypes, actions = :actions, max_sensitivity = :max, cpr_list = :cprList,"
                        + " version = :version, updated_at = :at, updated_by = :by"
                        + " WHERE id = :id AND version = :expected AND ended_at IS NULL")
                .param("id", s.id()).param("name", s.name()).param("types", s.messageTypes().toArray(String[]::new))
                .param("kle", s.kle().toArray(String[]::new)).param("objectTypes", s.objectTypes().toArray(String[]::new))
                .param("actions", s.actions().toArray(String[]::new))
                .param("max", s.maxSensitivity() == null ? null : s.maxSensitivity().name())
                .param("cprList", s.cprList()).param("version", s.version()).param("at", ts(s.updatedAt()))
                .param("by", s.updatedBy()).param("expected", expectedVersion)
                .update() == 1;
    }

    public boolean end(UUID id, int expectedVersion, Instant at, String by) {
        return jdbc.sql("UPDATE messaging.subscription SET ended_at = :at, updated_at = :at, updated_by = :by,"
                        + " version = version + 1 WHERE id = :id AND version = :expected AND ended_at IS NULL")
                .param("at", ts(at)).param("by", by).param("id", id).param("expected", expectedVersion)
                .update() == 1;
    }

    public Optional<Subscription> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM messaging.subscription WHERE id = ?").param(id)
                .query(this::subscription).optional();
    }

    /** A receiver's subscriptions for a municipality, the ended ones too when asked. */
    public List<Subscription> list(UUID receiver, String municipality, boolean ended) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM messaging.subscription WHERE receiver = ? AND municipality = ?"
                        + (ended ? "" : " AND ended_at IS NULL") + " ORDER BY created_at, id")
                .params(receiver, municipality).query(this::subscription).list();
    }

    /** The active subscriptions of a municipality to a message type. */
    public List<Subscription> forType(String municipality, String messageType) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM messaging.subscription WHERE municipality = ?"
                        + " AND ended_at IS NULL AND ? = ANY(message_types)")
                .params(municipality, messageType).query(this::subscription).list();
    }

    private Subscription subscription(ResultSet rs, int n) throws SQLException {
        String max = rs.getString(9);
        return new Subscription(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                rs.getString(4), strings(rs.getArray(5)), strings(rs.getArray(6)), strings(rs.getArray(7)),
                strings(rs.getArray(8)), max == null ? null : Sensitivity.valueOf(max), rs.getObject(10, UUID.class),
                rs.getInt(11), instant(rs.getTimestamp(12)), rs.getString(13), instant(rs.getTimestamp(14)),
                rs.getString(15), instant(rs.getTimestamp(16)));
    }

    private static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : Arrays.asList((String[]) a.getArray());
    }

    // value lists

    public void insertList(ValueList l) {
        jdbc.sql("INSERT INTO messaging.value_list (id, owner, municipality, name, kind, version, updated_at, updated_by)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .params(l.id(), l.owner(), l.municipality(), l.name(), l.kind().name(), l.version(), ts(l.updatedAt()),
                        l.updatedBy())
                .update();
    }

    /** Moves a list to its next version if it is at {@code expectedVersion}. */
    public boolean touchList(UUID id, int expectedVersion, String name, Instant at, String by) {
        return jdbc.sql("UPDATE messaging.value_list SET version = version + 1, name = COALESCE(?, name),"
                        + " updated_at = ?, updated_by = ? WHERE id = ? AND version = ?")
                .params(name, ts(at), by, id, expectedVersion).update() == 1;
    }

    public void clearList(UUID id) {
        jdbc.sql("DELETE FROM messaging.value_list_entry WHERE list_id = ?").param(id).update();
    }

    public void addValues(UUID id, Collection<String> values) {
        if (!values.isEmpty()) {
            jdbc.sql("INSERT INTO messaging.value_list_entry (list_id, value) SELECT ?, unnest(CAST(? AS text[]))"
                            + " ON CONFLICT DO NOTHING")
                    .params(id, values.toArray(String[]::new)).update();
        }
    }

    public void removeValues(UUID id, Collection<String> values) {
        if (!values.isEmpty()) {
            jdbc.sql("DELETE FROM messaging.value_list_entry WHERE list_id = ? AND value = ANY(CAST(? AS text[]))")
                    .params(id, values.toArray(String[]::new)).update();
        }
    }

    public void deleteList(UUID id) {
        jdbc.sql("DELETE FROM messaging.value_list WHERE id = ?").param(id).update();
    }

    public Optional<ValueList> findList(UUID id) {
        return jdbc.sql("SELECT l.id, l.owner, l.municipality, l.name, l.kind, l.version,"
                        + " (SELECT count(*) FROM messaging.value_list_entry e WHERE e.list_id = l.id), l.updated_at,"
                        + " l.updated_by FROM messaging.value_list l WHERE l.id = ?")
                .param(id).query(this::valueList).optional();
    }

    public List<ValueList> lists(UUID owner, String municipality) {
        return jdbc.sql("SELECT l.id, l.owner, l.municipality, l.name, l.kind, l.version,"
                        + " (SELECT count(*) FROM messaging.value_list_entry e WHERE e.list_id = l.id), l.updated_at,"
                        + " l.updated_by FROM messaging.value_list l WHERE l.owner = ? AND l.municipality = ? ORDER BY l.name")
                .params(owner, municipality).query(this::valueList).list();
    }

    /** A page of a list's values in order, after {@code after}. */
    public List<String> values(UUID id, String after, int limit) {
        return jdbc.sql("SELECT value FROM messaging.value_list_entry WHERE list_id = ? AND value > ? ORDER BY value LIMIT ?")
                .params(id, after == null ? "" : after, limit).query(String.class).list();
    }

    /** Which of the lists hold at least one of the values. */
    public Set<UUID> listsHolding(Collection<UUID> lists, Collection<String> values) {
        if (lists.isEmpty() || values.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.sql("SELECT DISTINCT list_id FROM messaging.value_list_entry"
                        + " WHERE list_id = ANY(CAST(? AS uuid[])) AND value = ANY(CAST(? AS text[]))")
                .params(lists.toArray(UUID[]::new), values.toArray(String[]::new)).query(UUID.class).list());
    }

    public boolean listInUse(UUID id) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM messaging.subscription WHERE cpr_list = ? AND ended_at IS NULL)")
                .param(id).query(Boolean.class).single();
    }

    private ValueList valueList(ResultSet rs, int n) throws SQLException {
        return new ValueList(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                ValueList.Kind.valueOf(rs.getString(5)), rs.getInt(6), rs.getLong(7), instant(rs.getTimestamp(8)),
                rs.getString(9));
    }
}
