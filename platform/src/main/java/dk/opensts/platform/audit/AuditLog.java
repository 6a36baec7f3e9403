package dk.opensts.platform.audit;

import dk.opensts.platform.security.Actor;
import dk.opensts.platform.web.Correlation;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records every use of personal data: who, for which municipality, what, when, which objects and
 * the correlation id. Called in the transaction of the write, or before a read answers: if the
 * record cannot be written, the data is not handed out.
 */
public class AuditLog {

    public enum Action { READ, SEARCH, WRITE }

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
                .params(UUID.randomUUID(), java.sql.Timestamp.from(clock.instant()), actor.id(), actor.municipality(),
                        action.name(), resource, objectIds.toArray(UUID[]::new), Correlation.current(),
                        json.writeValueAsString(details))
                .update();
    }
}
