package dk.opensts.access.saml;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What the context handler remembers between the hops of a login, in the database so that any node
 * can take the answer and a restart loses nothing: the logins under way, and the message IDs seen.
 */
public class SamlState {

    /** A login waiting for the municipal IdP's answer. */
    public record Login(String id, String sp, String requestId, String acsUrl, String relayState, String cvr,
                        String minimumLoa, Instant expiresAt) {
    }

    private static final long PURGE_EVERY_MS = 300_000;

    private final JdbcClient jdbc;
    private final Clock clock;
    private final java.util.concurrent.atomic.AtomicLong lastPurge = new java.util.concurrent.atomic.AtomicLong();

    public SamlState(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Starts a login for a request and records the request's ID as seen, in one statement (one
     * commit); false, and nothing written, when the request was seen before (a replay).
     */
    public boolean start(Login l, String requestKey, Instant keepRequestUntil) {
        long now = clock.millis();
        long last = lastPurge.get();
        if (now - last > PURGE_EVERY_MS && lastPurge.compareAndSet(last, now)) {
            purge();
        }
        return jdbc.sql("WITH seen AS (INSERT INTO access.saml_seen (id, expires_at) VALUES (?, ?)"
                        + " ON CONFLICT (id) DO NOTHING RETURNING id)"
                        + " INSERT INTO access.saml_login (id, sp, request_id, acs_url, relay_state, cvr, min_loa, created_at, expires_at)"
                        + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? FROM seen")
                .params(requestKey, Timestamp.from(keepRequestUntil), l.id(), l.sp(), l.requestId(), l.acsUrl(),
                        l.relayState(), l.cvr(), l.minimumLoa(), Timestamp.from(clock.instant()),
                        Timestamp.from(l.expiresAt()))
                .update() == 1;
    }

    /** How a login ended with its answer. */
    public enum Completion {
        /** The login was taken and the answer's assertion is recorded as seen. */
        DONE,
        /** The login was taken (or expired) before: by another copy of the same answer. */
        GONE,
        /** The login was taken now, but the assertion was seen before (a replay). */
        REPLAY
    }

    /**
     * Ends a login with its verified answer: the login is taken and the assertion's ID recorded as
     * seen in one statement (one commit), so neither the login nor the assertion can be used again.
     */
    public Completion complete(String loginId, String assertionKey, Instant keepAssertionUntil) {
        return jdbc.sql("WITH taken AS (DELETE FROM access.saml_login WHERE id = ? AND expires_at > ? RETURNING id),"
                        + " seen AS (INSERT INTO access.saml_seen (id, expires_at) SELECT ?, ? FROM taken"
                        + " ON CONFLICT (id) DO NOTHING RETURNING id)"
                        + " SELECT (SELECT count(*) FROM taken) AS taken, (SELECT count(*) FROM seen) AS seen")
                .params(loginId, Timestamp.from(clock.instant()), assertionKey, Timestamp.from(keepAssertionUntil))
                .query((rs, n) -> rs.getLong("taken") == 0 ? Completion.GONE
                        : rs.getLong("seen") == 0 ? Completion.REPLAY : Completion.DONE)
                .single();
    }

    /** Sets the municipality of a login whose user chose it; false when the login is unknown or expired. */
    public boolean choose(String id, String cvr) {
        return jdbc.sql("UPDATE access.saml_login SET cvr = ? WHERE id = ? AND cvr IS NULL AND expires_at > ?")
                .params(cvr, id, Timestamp.from(clock.instant())).update() == 1;
    }

    public Optional<Login> find(String id) {
        return jdbc.sql("SELECT * FROM access.saml_login WHERE id = ? AND expires_at > ?")
                .params(id, Timestamp.from(clock.instant())).query((rs, n) -> login(rs)).optional();
    }

    /** Takes the login without an answer (its answer was refused): at most once, and only before it expires. */
    public Optional<Login> take(String id) {
        return jdbc.sql("DELETE FROM access.saml_login WHERE id = ? RETURNING *").param(id)
                .query((rs, n) -> login(rs)).optional()
                .filter(l -> l.expiresAt().isAfter(clock.instant()));
    }

    /** Forgets what has expired (done every few minutes as logins start). */
    public int purge() {
        Timestamp now = Timestamp.from(clock.instant());
        return jdbc.sql("DELETE FROM access.saml_login WHERE expires_at < ?").param(now).update()
                + jdbc.sql("DELETE FROM access.saml_seen WHERE expires_at < ?").param(now).update();
    }

    private static Login login(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Login(rs.getString("id"), rs.getString("sp"), rs.getString("request_id"), rs.getString("acs_url"),
                rs.getString("relay_state"), rs.getString("cvr"), rs.getString("min_loa"),
                rs.getTimestamp("expires_at").toInstant());
    }
}
