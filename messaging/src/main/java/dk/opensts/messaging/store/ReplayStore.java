package dk.opensts.messaging.store;

import static dk.opensts.messaging.store.DeliveryStore.instant;
import static dk.opensts.messaging.store.DeliveryStore.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Replays of dueslag as jobs (ADR 16): each row says how far its replay has come, and is written in
 * the transaction of the step that got it there. Every method runs in the caller's transaction.
 */
public class ReplayStore {

    /** A replay's phase: its rows wait again but held, then the held rows become due, then it is done. */
    public enum Phase { HOLDING, RELEASING, DONE }

    /**
     * A replay: the dueslag's rows created from {@code from} and before {@code until} come again; the
     * rows it holds are due of themselves at {@code heldUntil}; where its last step ended
     * ({@code lastAt}, {@code lastSeq}); how many rows wait again and how many of them are due.
     */
    public record Replay(UUID id, UUID receiver, String municipality, Instant from, Instant until, Instant heldUntil,
                         Phase phase, Instant lastAt, long lastSeq, long replayed, long released, Instant finishedAt) {
    }

    private static final String COLUMNS = "id, receiver, municipality, from_at, until_at, held_until, phase, last_at,"
            + " last_seq, replayed, released, finished_at";

    private final JdbcClient jdbc;

    public ReplayStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records a new replay unless one of the same dueslag is running; returns whether it was
     * recorded. A concurrent second request waits on the first's row and then finds it.
     */
    public boolean insert(Replay r) {
        return jdbc.sql("INSERT INTO messaging.replay (id, receiver, municipality, from_at, until_at, held_until, phase,"
                        + " last_at) VALUES (:id, :receiver, :m, :from, :until, :held, 'HOLDING', :from)"
                        + " ON CONFLICT (receiver, municipality) WHERE phase <> 'DONE' DO NOTHING")
                .param("id", r.id()).param("receiver", r.receiver()).param("m", r.municipality())
                .param("from", ts(r.from())).param("until", ts(r.until())).param("held", ts(r.heldUntil()))
                .update() == 1;
    }

    /** Replays not yet done, over every dueslag (on the index of running replays). */
    public long runningCount() {
        return jdbc.sql("SELECT count(*) FROM messaging.replay WHERE phase <> 'DONE'").query(Long.class).single();
    }

    /** The dueslag's running replay. */
    public Optional<Replay> running(UUID receiver, String municipality) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM messaging.replay WHERE receiver = ? AND municipality = ?"
                        + " AND phase <> 'DONE'")
                .params(receiver, municipality).query(this::replay).optional();
    }

    /** One of the dueslag's replays. */
    public Optional<Replay> find(UUID receiver, String municipality, UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM messaging.replay WHERE id = ? AND receiver = ? AND municipality = ?")
                .params(id, receiver, municipality).query(this::replay).optional();
    }

    /** The dueslag's replays, newest first, after the one named {@code before} (null: from the newest). */
    public List<Replay> list(UUID receiver, String municipality, UUID before, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM messaging.replay r WHERE receiver = :receiver AND municipality = :m"
                        + (before == null ? "" : " AND (until_at, id) < (SELECT until_at, id FROM messaging.replay"
                        + " WHERE id = :before AND receiver = :receiver AND municipality = :m)")
                        + " ORDER BY until_at DESC, id DESC LIMIT :limit")
                .param("receiver", receiver).param("m", municipality).param("before", before).param("limit", limit)
                .query(this::replay).list();
    }

    /**
     * The running replay that has waited longest for a step and that no other transaction is stepping,
     * locked until the caller's transaction ends: nodes that step replays at once take turns.
     */
    public Optional<Replay> next() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM messaging.replay WHERE phase <> 'DONE'"
                        + " ORDER BY stepped_at NULLS FIRST, until_at LIMIT 1 FOR UPDATE SKIP LOCKED")
                .query(this::replay).optional();
    }

    /**
     * Writes where the replay's step ended: on in its phase, or on to the next phase (from its
     * start) when the step was the phase's last.
     */
    public void stepped(Replay r, DeliveryStore.Step step, Instant now) {
        Phase phase = !step.done() ? r.phase() : r.phase() == Phase.HOLDING ? Phase.RELEASING : Phase.DONE;
        boolean same = phase == r.phase();
        jdbc.sql("UPDATE messaging.replay SET phase = :phase, last_at = :at, last_seq = :seq,"
                        + " replayed = replayed + :held, released = released + :released, stepped_at = :now,"
                        + " finished_at = :finished WHERE id = :id")
                .param("id", r.id()).param("phase", phase.name())
                .param("at", same ? ts(step.lastAt()) : null).param("seq", same ? step.lastSeq() : 0)
                .param("held", r.phase() == Phase.HOLDING ? step.changed() : 0)
                .param("released", r.phase() == Phase.RELEASING ? step.changed() : 0)
                .param("now", ts(now)).param("finished", phase == Phase.DONE ? ts(now) : null)
                .update();
    }

    /** Deletes the replays finished before {@code before}; returns how many. */
    public int purge(Instant before) {
        return jdbc.sql("DELETE FROM messaging.replay WHERE phase = 'DONE' AND finished_at < ?")
                .params(ts(before)).update();
    }

    private Replay replay(ResultSet rs, int n) throws SQLException {
        return new Replay(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                instant(rs.getTimestamp(4)), instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)),
                Phase.valueOf(rs.getString(7)), instant(rs.getTimestamp(8)), rs.getLong(9), rs.getLong(10),
                rs.getLong(11), instant(rs.getTimestamp(12)));
    }
}
