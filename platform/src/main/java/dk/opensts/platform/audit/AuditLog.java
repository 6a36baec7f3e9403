package dk.opensts.platform.audit;

import dk.opensts.platform.security.Actor;
import dk.opensts.platform.web.Correlation;
import io.swagger.v3.oas.annotations.media.Schema;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records every use of personal data: who, for which municipality, what, when, which objects and
 * the correlation id. Called in the transaction of the write, or before a read answers: if the
 * record cannot be written, the data is not handed out.
 */
public class AuditLog {

    public enum Action { READ, SEARCH, WRITE }

    /** One record as the audit log API shows it. */
    public record Entry(UUID id, Instant at, String actor, String municipality, Action action, String resource,
                        List<UUID> objectIds, String correlationId,
                        @Schema(description = "what was searched or read: party (CPR "
                                + "or CVR), case number, purpose, filters, how many were shown") JsonNode details) {
    }

    /**
     * What to find ({@code null}: any). {@code municipality} limits a municipal administrator to her own;
     * {@code party} is the CPR or CVR searched for or read.
     */
    public record Filter(String municipality, String actor, String party, Action action, Instant from,
                         Instant to) {
    }

    /** Records matching the filter, newest first, after the record {@code after} (its id), at most {@code limit}. */
    public List<Entry> search(Filter f, UUID after, int limit) {
        StringBuilder sql = new StringBuilder("SELECT id, at, actor, municipality, action, resource, object_ids,"
                + " correlation_id, details::text AS details FROM platform.audit_log WHERE true");
        List<Object> params = new ArrayList<>();
        if (f.municipality() != null) {
            sql.append(" AND municipality = ?");
            params.add(f.municipality());
        }
        if (f.actor() != null) {
            sql.append(" AND actor = ?");
            params.add(f.actor());
        }
        if (f.party() != null) {
            sql.append(" AND coalesce(details->>'party', details->>'cpr') = ?");
            params.add(f.party());
        }
        if (f.action() != null) {
            sql.append(" AND action = ?");
            params.add(f.action().name());
        }
        if (f.from() != null) {
            sql.append(" AND at >= ?");
            params.add(Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            sql.append(" AND at < ?");
            params.add(Timestamp.from(f.to()));
        }
        if (after != null) {
            sql.append(" AND (at, id) < (SELECT at, id FROM platform.audit_log WHERE id = ?)");
            params.add(after);
        }
        sql.append(" ORDER BY at DESC, id DESC LIMIT ?");
        params.add(limit);
        return jdbc.sql(sql.toString()).params(params).query((rs, i) -> new Entry(rs.getObject("id", UUID.class),
                rs.getTimestamp("at").toInstant(), rs.getString("actor"), rs.getString("municipality"),
                Action.valueOf(rs.getString("action")), rs.getString("resource"),
                Arrays.asList((UUID[]) rs.getArray("object_ids").getArray()), rs.getString("correlation_id"),
                json.readTree(rs.getString("details")))).list();
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;

    public AuditLog(JdbcClient jdbc, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void record(Actor actor, Action action, String resource, Collection<UUID> objectIds, Map<String, ?> details) {
        jdbc.sql("INSERT INTO platform.audit_log (id, at, actor, municipality, action, resource, object_ids,"
                        + " correlation_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb))")
                .params(UUID.randomUUID(), Timestamp.from(clock.instant()), actor.id(), actor.municipality(),
                        action.name(), resource, objectIds.toArray(UUID[]::new), Correlation.current(),
                        json.writeValueAsString(details))
                .update();
    }
}
