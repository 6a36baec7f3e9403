package dk.opensts.messaging.store;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The messages and the dueslag rows (one per message and receiver) in PostgreSQL. Every method runs
 * in the caller's transaction. Leasing keeps the order per receiver for messages about the same
 * object: a delivery is handed out only when no earlier one with the same order key is waiting or
 * leased.
 */
public class DeliveryStore {

    /** A message as stored. */
    public record StoredMessage(UUID id, String messageType, String authority, UUID sender, String channel,
                                byte[] envelope, byte[] contentHash, Instant receivedAt, Instant validTo,
                                int receivers) {
    }

    /** A delivery handed to a consumer until {@code leasedUntil}. */
    public record Leased(long id, UUID receiver, String municipality, UUID messageId, UUID leaseId,
                         Instant leasedUntil, int attempts, Instant receivedAt, byte[] envelope) {
    }

    /** One receiver's delivery of a message, for the sender's status and the error queue. */
    public record Delivery(long id, UUID receiver, String municipality, UUID messageId, String state, int attempts,
                           Instant createdAt, Instant deliveredAt, Instant failedAt, String lastError) {
    }

    /** A delivery that has just gone to the error queue, with what the sender must be told. */
    public record Failed(long id, UUID receiver, UUID messageId, UUID sender, String authority, String messageType,
                         int attempts, String lastError) {
    }

    private static final String DELIVERY_COLUMNS = "d.seq, d.receiver, d.municipality, d.message_id, d.state,"
            + " d.attempts, d.created_at, d.delivered_at, d.failed_at, d.last_error";
    /**
     * Each id with its own lease: the lease at the id's position in the leases array. A row holds a
     * lease id exactly while it is leased (a constraint), so this alone says it still is, and the
     * statement goes by the primary key.
     */
    private static final String SAME_LEASE =
            "d.lease_id = (CAST(:leases AS uuid[]))[array_position(CAST(:ids AS bigint[]), d.seq)]";

    /** Attempts before the error queue, for a receiver that set none. */
    public static final int DEFAULT_MAX_ATTEMPTS = 10;

    /** The attempts row {@code d}'s receiver allows. */
    private static final String MAX_ATTEMPTS = "COALESCE((SELECT q.max_attempts FROM messaging.dueslag q"
            + " WHERE q.receiver = d.receiver), " + DEFAULT_MAX_ATTEMPTS + ")";
    private static final String PENDING = "('READY', 'LEASED')";

    /**
     * Writes a batch of deliveries (see {@link #addDeliveries}). Public for the tests of its plan.
     * Whether a row goes to the relay is decided once per row, in a materialised step (a plain
     * sub-select would be evaluated again in each expression that uses it). A
     * line's earlier waiting row is looked for on the index of waiting rows by line
     * ({@code delivery_pending_order}); the other indexes of waiting rows hold only rows with a
     * stated {@code available_at}, a condition this statement does not state, so that the planner
     * cannot take one of them, read whole, instead (V5__order_check_on_its_own_index.sql).
     */
    public static final String ADD_DELIVERIES = "WITH t AS MATERIALIZED (SELECT t.*, t.f AND EXISTS (SELECT 1"
            + " FROM messaging.dueslag q WHERE q.receiver = t.r AND q.amqp) AND NOT EXISTS (SELECT 1"
            + " FROM messaging.delivery e WHERE e.order_key = t.key AND e.state IN " + PENDING + ") AS l"
            + " FROM unnest(CAST(:rs AS uuid[]), CAST(:ms AS text[]), CAST(:ids AS uuid[]), CAST(:keys AS text[]),"
            + " CAST(:xs AS timestamptz[]), CAST(:fs AS boolean[])) WITH ORDINALITY AS t(r, m, id, key, x, f, n))"
            + " INSERT INTO messaging.delivery (receiver, municipality, message_id, order_key, state, available_at,"
            + " created_at, expires_at, lease_id, attempts)"
            + " SELECT r, m, id, key, CASE WHEN l THEN 'LEASED' ELSE 'READY' END,"
            + " CASE WHEN l THEN CAST(:until AS timestamptz) ELSE :now END, :now, x,"
            + " CASE WHEN l THEN CAST(:lease AS uuid) END, CASE WHEN l THEN 1 ELSE 0 END"
            + " FROM t ORDER BY n ON CONFLICT (receiver, message_id) DO NOTHING"
            + " RETURNING seq, receiver, municipality, message_id, lease_id IS NOT NULL";

    /**
     * How the lease is planned, set for its transaction in one round trip (as {@code SET LOCAL} would,
     * twice). For the values at hand: a generic plan of the
     * statement scans every waiting row. And each receiver's rows read in order from the index,
     * stopping at its share: a bitmap scan reads every entry of the receiver's waiting rows, also
     * those of rows that have moved on since the last vacuum, and marks none of them dead (seen:
     * 7,000 entries a receiver and a lease, 90 ms a lease, and the distributor at half its rate after
     * two minutes of load).
     */
    public static final String LEASE_SETTINGS = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
            + " set_config('enable_bitmapscan', 'off', true)";

    /**
     * Plans this transaction's statements with {@link #LEASE_SETTINGS}: the lease's, and the sweep's
     * for the same reason. The sweep finds leased rows on {@code delivery_leased}, which holds an
     * entry for every row handed to the relay, and under load most of those rows were delivered
     * since the last vacuum. A bitmap scan fetched all of them at every sweep (73 ms, five sweeps a
     * second); an index scan marks the entries of rows that are gone, and the next sweep skips them.
     */
    public void leaseSettings() {
        jdbc.sql(LEASE_SETTINGS).query().singleRow();
    }

    /**
     * Leases the oldest deliveries of each of {@code :receivers} (of municipality {@code :m} when
     * {@code byMunicipality}) that are first in their line; see {@link #lease}. Public for the tests
     * of its plan. The rows are found on an index of waiting rows by receiver, whose condition
     * ({@code available_at} stated) the statement implies; the order check finds a line's first
     * waiting row on the index by line, the only one whose condition it implies
     * (V5__order_check_on_its_own_index.sql).
     * <p>A receiver that pulls (by municipality) also takes rows whose lease ran out. The relay and
     * the pusher take waiting rows only, on an index that leaves out the rows they hold leased
     * (V6__relay_reads_waiting_rows_only.sql): their leases that ran out wait again once the sweep
     * gives them back ({@link #returnExpired}).
     */
    public static String leaseStatement(boolean byMunicipality) {
        return "WITH picked AS (SELECT p.seq FROM unnest(CAST(:receivers AS uuid[])) AS r(receiver)"
                + " CROSS JOIN LATERAL (SELECT d.seq FROM messaging.delivery d WHERE d.receiver = r.receiver"
                + (byMunicipality ? " AND d.municipality = :m AND d.state IN " + PENDING + " AND d.available_at <= :now"
                // a lease that ran out on the last allowed attempt waits for the error queue
                + " AND (d.state = 'READY' OR d.attempts < " + MAX_ATTEMPTS + ")"
                : " AND d.state = 'READY' AND d.available_at <= :now")
                + " AND (d.expires_at IS NULL OR d.expires_at >= :now)"
                // the order per object: nothing earlier about it still waiting or leased, that is,
                // the row is the first waiting one of its line (the key names the receiver); a
                // sub-select with LIMIT is looked up by (order_key, seq) per row whatever the
                // statistics say (as a NOT EXISTS the planner may join it and compare every waiting row)
                + " AND d.seq = (SELECT e.seq FROM messaging.delivery e WHERE e.order_key = d.order_key"
                + " AND e.state IN " + PENDING + " ORDER BY e.seq LIMIT 1)"
                + " ORDER BY d.seq LIMIT :max FOR UPDATE SKIP LOCKED) p),"
                // by the primary key (a join with the CTE may scan the whole table)
                + " leased AS (UPDATE messaging.delivery d SET state = 'LEASED', lease_id = :lease,"
                + " available_at = :until, attempts = d.attempts + 1"
                + " WHERE d.seq = ANY(ARRAY(SELECT seq FROM picked)) RETURNING d.*)"
                + " SELECT l.seq, l.receiver, l.municipality, l.message_id, l.attempts, m.received_at, m.envelope"
                + " FROM leased l JOIN messaging.message m ON m.id = l.message_id ORDER BY l.seq";
    }

    private final JdbcClient jdbc;
    private final org.springframework.jdbc.core.JdbcTemplate template;

    public DeliveryStore(JdbcClient jdbc, org.springframework.jdbc.core.JdbcTemplate template) {
        this.jdbc = jdbc;
        this.template = template;
    }

    /** A message's delivery to one receiver, about to be written ({@code expiresAt}: the message's end of validity). */
    public record NewDelivery(UUID receiver, String municipality, UUID messageId, String orderKey, Instant expiresAt) {
    }

    /** Stores the messages whose ids are free, in one round trip; returns for each whether it was stored now. */
    public boolean[] insertAll(List<StoredMessage> messages) {
        int[] counts = template.batchUpdate("INSERT INTO messaging.message (id, message_type, authority, sender, channel,"
                        + " envelope, content_hash, received_at, valid_to, receivers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (id) DO NOTHING",
                messages.stream().map(m -> new Object[] {m.id(), m.messageType(), m.authority(), m.sender(), m.channel(),
                        m.envelope(), m.contentHash(), ts(m.receivedAt()), ts(m.validTo()), m.receivers()}).toList());
        boolean[] out = new boolean[counts.length];
        for (int i = 0; i < counts.length; i++) {
            out[i] = counts[i] == 1;
        }
        return out;
    }

    /** The stored message's content hash, sender and receiver count, when the id is taken. */
    public Optional<StoredMessage> head(UUID id) {
        return jdbc.sql("SELECT id, message_type, authority, sender, channel, content_hash, received_at, valid_to,"
                        + " receivers FROM messaging.message WHERE id = ?")
                .param(id)
                .query((rs, n) -> new StoredMessage(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        rs.getObject(4, UUID.class), rs.getString(5), null, rs.getBytes(6), instant(rs.getTimestamp(7)),
                        instant(rs.getTimestamp(8)), rs.getInt(9)))
                .optional();
    }

    /** The row's order key: the receiver's line of messages about one object. */
    private static String line(NewDelivery d) {
        return d.receiver() + "/" + d.orderKey();
    }

    /** A lease the deliveries take as they are written, for a relay that sends them on at once. */
    public record DirectLease(UUID leaseId, Instant until) {
    }

    /**
     * Puts messages into their receivers' dueslag, in the order given, in one statement. With a
     * {@code lease} (a relay runs here), the first delivery of each line to a receiver whose dueslag
     * is an AMQP queue is written leased under it when nothing earlier of that line waits (the order
     * per object): those are returned, for the caller to relay after the commit.
     */
    public List<Leased> addDeliveries(List<NewDelivery> deliveries, DirectLease lease, Instant now) {
        if (deliveries.isEmpty()) {
            return List.of();
        }
        // the first of each line in this batch may go to the relay; the ones after it wait in line
        Boolean[] direct = new Boolean[deliveries.size()];
        Set<String> lines = new java.util.HashSet<>();
        for (int i = 0; i < direct.length; i++) {
            direct[i] = lease != null && lines.add(line(deliveries.get(i)));
        }
        return jdbc.sql(ADD_DELIVERIES)
                .param("now", ts(now))
                .param("until", lease == null ? null : ts(lease.until()))
                .param("lease", lease == null ? null : lease.leaseId())
                .param("rs", deliveries.stream().map(NewDelivery::receiver).toArray(UUID[]::new))
                .param("ms", deliveries.stream().map(NewDelivery::municipality).toArray(String[]::new))
                .param("ids", deliveries.stream().map(NewDelivery::messageId).toArray(UUID[]::new))
                .param("keys", deliveries.stream().map(DeliveryStore::line).toArray(String[]::new))
                .param("xs", deliveries.stream().map(d -> ts(d.expiresAt())).toArray(Timestamp[]::new))
                .param("fs", direct)
                .query((rs, n) -> rs.getBoolean(5) ? new Leased(rs.getLong(1), rs.getObject(2, UUID.class),
                        rs.getString(3), rs.getObject(4, UUID.class), lease.leaseId(), lease.until(), 1, now, null) : null)
                .list().stream().filter(java.util.Objects::nonNull).sorted(java.util.Comparator.comparingLong(Leased::id))
                .toList();
    }

    /** Who reads deliveries: a receiver pulling its own, or OpenSTS for every push or AMQP receiver. */
    public enum Reader {
        PULL, PUSH, AMQP
    }

    /**
     * Leases up to {@code max} deliveries, oldest first, skipping any whose object has an earlier
     * delivery still waiting or leased, and rows another consumer is leasing right now: of one
     * receiver and municipality ({@link Reader#PULL}), or of every receiver with a push endpoint
     * (and no AMQP queue) or an AMQP queue.
     */
    public List<Leased> lease(UUID receiver, String municipality, Reader reader, int max, Duration leaseTime,
                              Instant now) {
        UUID leaseId = UUID.randomUUID();
        Instant until = now.plus(leaseTime);
        leaseSettings();
        if (reader == Reader.PULL) {
            return lease(new UUID[] {receiver}, municipality, max, leaseId, until, now);
        }
        // the receivers first (a small table), then each one's oldest rows, in one statement: every
        // scan is one receiver's waiting rows in order and stops at its share
        UUID[] receivers = jdbc.sql("SELECT receiver FROM messaging.dueslag WHERE "
                        + (reader == Reader.PUSH ? "push_url IS NOT NULL AND NOT amqp" : "amqp") + " ORDER BY receiver")
                .query(UUID.class).list().toArray(UUID[]::new);
        if (receivers.length == 0) {
            return List.of();
        }
        return lease(receivers, null, Math.max(20, max / receivers.length), leaseId, until, now);
    }

    /** Leases up to {@code max} rows of each receiver (of one municipality when given). */
    private List<Leased> lease(UUID[] receivers, String municipality, int max, UUID leaseId, Instant until,
                               Instant now) {
        return jdbc.sql(leaseStatement(municipality != null))
                .param("receivers", receivers).param("m", municipality).param("now", ts(now)).param("max", max)
                .param("lease", leaseId).param("until", ts(until))
                .query((rs, n) -> new Leased(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3),
                        rs.getObject(4, UUID.class), leaseId, until, rs.getInt(5), instant(rs.getTimestamp(6)),
                        rs.getBytes(7)))
                .list();
    }

    /**
     * Acknowledges leased deliveries (of {@code receiver}, or of anyone when it is null: the relay to
     * AMQP queues); returns the ids acknowledged (a lease that ran out and was taken again is not).
     */
    public List<Long> ack(UUID receiver, Map<Long, UUID> leases, Instant now) {
        if (leases.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("UPDATE messaging.delivery d SET state = 'DELIVERED', delivered_at = :now, lease_id = NULL"
                        + " WHERE d.seq = ANY(CAST(:ids AS bigint[])) AND " + SAME_LEASE
                        + " AND (CAST(:receiver AS uuid) IS NULL OR d.receiver = :receiver) RETURNING d.seq")
                .param("now", ts(now)).param("receiver", receiver)
                .param("ids", leases.keySet().toArray(Long[]::new))
                .param("leases", leases.values().toArray(UUID[]::new))
                .query(Long.class).list();
    }

    /** Gives a leased delivery back to wait until {@code retryAt}, noting why. */
    public boolean retry(long id, UUID leaseId, Instant retryAt, String error) {
        return jdbc.sql("UPDATE messaging.delivery SET state = 'READY', available_at = :at, lease_id = NULL,"
                        + " last_error = :error WHERE seq = :id AND lease_id = :lease AND state = 'LEASED'")
                .param("at", ts(retryAt)).param("error", error).param("id", id).param("lease", leaseId)
                .update() == 1;
    }

    /**
     * Gives leased deliveries back, waiting again from {@code now} (not from when their lease would
     * have run out), without counting the attempt: the transport, not the receiver, failed.
     */
    public int release(Map<Long, UUID> leases, Instant now) {
        if (leases.isEmpty()) {
            return 0;
        }
        return jdbc.sql("UPDATE messaging.delivery d SET state = 'READY', lease_id = NULL, attempts = d.attempts - 1,"
                        + " available_at = :now WHERE d.seq = ANY(CAST(:ids AS bigint[])) AND " + SAME_LEASE)
                .param("now", ts(now)).param("ids", leases.keySet().toArray(Long[]::new))
                .param("leases", leases.values().toArray(UUID[]::new))
                .update();
    }

    /** Deliveries the receiver rejected on the broker go to the error queue. */
    public List<Failed> failRelayed(Collection<Long> ids, String error, Instant now) {
        return jdbc.sql("WITH f AS (UPDATE messaging.delivery d SET state = 'FAILED', failed_at = :now, last_error = :error"
                        + " WHERE d.seq = ANY(CAST(:ids AS bigint[])) AND d.state = 'DELIVERED' RETURNING d.*)"
                        + failedSelect())
                .param("now", ts(now)).param("error", error).param("ids", ids.toArray(Long[]::new))
                .query(this::failed).list();
    }

    /**
     * Moves deliveries to the error queue: the given ones (by a receiver, or after a failed last
     * attempt), and every lease that ran out on its last allowed attempt. Returns what moved, with
     * the sender of each message.
     */
    public List<Failed> fail(UUID receiver, String municipality, Collection<Long> ids, String error, Instant now) {
        return jdbc.sql("WITH f AS (UPDATE messaging.delivery d SET state = 'FAILED', failed_at = :now,"
                        + " lease_id = NULL, last_error = COALESCE(:error, d.last_error)"
                        + " WHERE d.seq = ANY(CAST(:ids AS bigint[])) AND d.receiver = :receiver AND d.municipality = :m"
                        + " AND d.state IN " + PENDING + " RETURNING d.*)" + failedSelect())
                .param("now", ts(now)).param("error", error).param("ids", ids.toArray(Long[]::new))
                .param("receiver", receiver).param("m", municipality)
                .query(this::failed).list();
    }

    /**
     * Leases that ran out before their last allowed attempt wait again (from when they ran out, so
     * at once): the relay's and the pusher's (a receiver that pulls takes its own back as it leases).
     * Returns how many. Run after {@link #leaseSettings}.
     */
    public int returnExpired(Instant now, int limit) {
        return jdbc.sql(RETURN_EXPIRED).param("now", ts(now)).param("limit", limit).update();
    }

    /** {@link #returnExpired}'s statement (parameters {@code :now}, {@code :limit}); public for the tests of its plan. */
    public static final String RETURN_EXPIRED = "UPDATE messaging.delivery d SET state = 'READY', lease_id = NULL"
            + " FROM (SELECT d.seq FROM messaging.delivery d WHERE d.state = 'LEASED' AND d.available_at <= :now"
            + " AND d.attempts < " + MAX_ATTEMPTS + " ORDER BY d.available_at LIMIT :limit FOR UPDATE SKIP LOCKED) x"
            + " WHERE d.seq = x.seq";

    /** Leases that ran out on their last allowed attempt go to the error queue. Run after {@link #leaseSettings}. */
    public List<Failed> failExhausted(Instant now, int limit) {
        return jdbc.sql(FAIL_EXHAUSTED).param("now", ts(now)).param("limit", limit).query(this::failed).list();
    }

    /** {@link #failExhausted}'s statement (parameters {@code :now}, {@code :limit}); public for the tests of its plan. */
    public static final String FAIL_EXHAUSTED = "WITH x AS (SELECT d.seq FROM messaging.delivery d"
            + " WHERE d.state = 'LEASED' AND d.available_at <= :now AND d.attempts >= " + MAX_ATTEMPTS
            + " ORDER BY d.available_at LIMIT :limit FOR UPDATE SKIP LOCKED),"
            + " f AS (UPDATE messaging.delivery d SET state = 'FAILED', failed_at = :now, lease_id = NULL,"
            + " last_error = COALESCE(d.last_error, 'not acknowledged within the lease')"
            + " FROM x WHERE d.seq = x.seq RETURNING d.*)" + failedSelect();

    /** Waiting deliveries of messages whose validity ended go to the error queue. Run after {@link #leaseSettings}. */
    public List<Failed> failExpired(Instant now, int limit) {
        return jdbc.sql("WITH x AS (SELECT d.seq FROM messaging.delivery d WHERE d.expires_at < :now"
                        + " AND d.state IN " + PENDING + " ORDER BY d.expires_at LIMIT :limit FOR UPDATE SKIP LOCKED),"
                        + " f AS (UPDATE messaging.delivery d SET state = 'FAILED', failed_at = :now, lease_id = NULL,"
                        + " last_error = 'the message expired before it was delivered'"
                        + " FROM x WHERE d.seq = x.seq RETURNING d.*)" + failedSelect())
                .param("now", ts(now)).param("limit", limit)
                .query(this::failed).list();
    }

    private static String failedSelect() {
        return " SELECT f.seq, f.receiver, f.message_id, m.sender, m.authority, m.message_type, f.attempts, f.last_error"
                + " FROM f JOIN messaging.message m ON m.id = f.message_id ORDER BY f.seq";
    }

    private Failed failed(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Failed(rs.getLong(1), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                rs.getObject(4, UUID.class), rs.getString(5), rs.getString(6), rs.getInt(7), rs.getString(8));
    }

    /** Puts deliveries from the error queue back in line (all of the receiver's when {@code ids} is null). */
    public int requeue(UUID receiver, String municipality, Collection<Long> ids, Instant now) {
        return jdbc.sql("UPDATE messaging.delivery SET state = 'READY', attempts = 0, available_at = :now,"
                        + " failed_at = NULL WHERE receiver = :receiver AND municipality = :m AND state = 'FAILED'"
                        + (ids == null ? "" : " AND seq = ANY(CAST(:ids AS bigint[]))"))
                .param("now", ts(now)).param("receiver", receiver).param("m", municipality)
                .param("ids", ids == null ? new Long[0] : ids.toArray(Long[]::new))
                .update();
    }

    /**
     * A replay's first phase, one step (parameters {@code :receiver}, {@code :m}, {@code :until},
     * {@code :at}, {@code :after}, {@code :hold}, {@code :limit}): the next delivered rows of the
     * dueslag created before {@code :until}, after ({@code :at}, {@code :after}) in order of
     * creation, wait again, but held until {@code :hold}. The first step starts after
     * ({@code from}, 0). A held row blocks its object's
     * line as any waiting row does, and no lease takes it yet, so a line's order holds however the
     * steps cut it. Public for the tests of its plan.
     */
    public static final String REPLAY_HOLD = "WITH step AS MATERIALIZED (SELECT d.seq, d.created_at FROM messaging.delivery d"
            + " WHERE d.receiver = :receiver AND d.municipality = :m AND (d.created_at, d.seq) > (:at, :after)"
            + " AND d.created_at < :until AND d.state = 'DELIVERED'"
            + " ORDER BY d.created_at, d.seq LIMIT :limit),"
            + " held AS (UPDATE messaging.delivery d SET state = 'READY', available_at = :hold, attempts = 0,"
            + " delivered_at = NULL WHERE d.seq = ANY(ARRAY(SELECT seq FROM step)) AND d.state = 'DELIVERED' RETURNING 1)"
            + " SELECT s.created_at, s.seq, (SELECT count(*) FROM held), (SELECT count(*) FROM step) FROM step s"
            + " ORDER BY s.created_at DESC, s.seq DESC LIMIT 1";

    /**
     * A replay's second phase, one step (parameters {@code :receiver}, {@code :m}, {@code :hold},
     * {@code :after}, {@code :now}, {@code :limit}): the next rows it held, in {@code seq} order, are
     * due now. Public for the tests of its plan.
     */
    public static final String REPLAY_RELEASE = "WITH step AS MATERIALIZED (SELECT d.seq FROM messaging.delivery d"
            + " WHERE d.receiver = :receiver AND d.municipality = :m AND d.state = 'READY' AND d.available_at = :hold"
            + " AND d.seq > :after ORDER BY d.seq LIMIT :limit),"
            + " released AS (UPDATE messaging.delivery d SET available_at = :now WHERE d.seq = ANY(ARRAY(SELECT seq FROM step))"
            + " AND d.state = 'READY' AND d.available_at = :hold RETURNING 1)"
            + " SELECT max(s.seq), (SELECT count(*) FROM released), count(*) FROM step s";

    /** One step of a replay's first phase; see {@link #REPLAY_HOLD}. */
    public Step replayHold(UUID receiver, String municipality, Instant until, Instant afterAt, long afterSeq,
                           Instant hold, int limit) {
        return jdbc.sql(REPLAY_HOLD).param("receiver", receiver).param("m", municipality).param("until", ts(until)).param("at", ts(afterAt)).param("after", afterSeq).param("hold", ts(hold))
                .param("limit", limit)
                .query((rs, n) -> new Step(instant(rs.getTimestamp(1)), rs.getLong(2), rs.getInt(3),
                        rs.getInt(4) < limit))
                .optional().orElse(new Step(afterAt, afterSeq, 0, true));
    }

    /** One step of a replay's second phase; see {@link #REPLAY_RELEASE}. */
    public Step replayRelease(UUID receiver, String municipality, Instant hold, long afterSeq, Instant now,
                              int limit) {
        return jdbc.sql(REPLAY_RELEASE).param("receiver", receiver).param("m", municipality).param("hold", ts(hold))
                .param("after", afterSeq).param("now", ts(now)).param("limit", limit)
                .query((rs, n) -> {
                    long last = rs.getLong(1);
                    boolean empty = rs.wasNull();
                    return new Step(null, last, rs.getInt(2), empty || rs.getInt(3) < limit);
                }).single();
    }

    /** Deliveries of a receiver and municipality in one state, oldest first, after {@code afterId}. */
    public List<Delivery> list(UUID receiver, String municipality, String state, long afterId, int limit) {
        return jdbc.sql("SELECT " + DELIVERY_COLUMNS + " FROM messaging.delivery d WHERE d.receiver = :receiver"
                        + " AND d.municipality = :m AND d.state = :state AND d.seq > :after ORDER BY d.seq LIMIT :limit")
                .param("receiver", receiver).param("m", municipality).param("state", state).param("after", afterId)
                .param("limit", limit)
                .query(this::delivery).list();
    }

    /** Every receiver's delivery of a message. */
    public List<Delivery> deliveries(UUID messageId) {
        return jdbc.sql("SELECT " + DELIVERY_COLUMNS + " FROM messaging.delivery d WHERE d.message_id = ? ORDER BY d.seq")
                .param(messageId).query(this::delivery).list();
    }

    /**
     * What waits in a dueslag (parameters {@code :receiver}, {@code :m}): how many of its deliveries
     * wait ({@code READY}, also those held or waiting for a retry, and {@code LEASED}) and are in the
     * error queue ({@code FAILED}), each read on the partial index of those rows, and when the oldest
     * waiting delivery was made. Every row's {@code available_at} is after {@code -infinity}: saying
     * so implies what {@code delivery_pending} requires (V5), so the planner may read it, and not read
     * {@code delivery_pending_order} whole (PostgreSQL 17 drops an {@code IS NOT NULL} of a column
     * that is never null before it matches indexes). Delivered rows are not counted: a busy dueslag keeps millions of
     * them for replay, and counting them reads them all. Public for the tests of its plan.
     */
    public static final String WAITING = "SELECT count(*) FILTER (WHERE d.state = 'READY'),"
            + " count(*) FILTER (WHERE d.state = 'LEASED'),"
            + " (SELECT count(*) FROM messaging.delivery f WHERE f.receiver = :receiver AND f.municipality = :m"
            + " AND f.state = 'FAILED'),"
            + " (SELECT o.created_at FROM messaging.delivery o WHERE o.receiver = :receiver AND o.municipality = :m"
            + " AND o.state IN ('READY', 'LEASED') AND o.available_at > '-infinity' ORDER BY o.seq LIMIT 1)"
            + " FROM messaging.delivery d WHERE d.receiver = :receiver AND d.municipality = :m"
            + " AND d.state IN ('READY', 'LEASED') AND d.available_at > '-infinity'";

    /** What waits in a dueslag: deliveries waiting, leased and in the error queue; when the oldest waiting one was made. */
    public record Waiting(long ready, long leased, long failed, Instant oldestWaiting) {
    }

    /** What waits in the dueslag; see {@link #WAITING}. */
    public Waiting waiting(UUID receiver, String municipality) {
        return jdbc.sql(WAITING).param("receiver", receiver).param("m", municipality)
                .query((rs, n) -> new Waiting(rs.getLong(1), rs.getLong(2), rs.getLong(3), instant(rs.getTimestamp(4))))
                .single();
    }

    /**
     * What waits in every dueslag, by receiving system (for the distributor's metrics): rows waiting
     * and leased, read on the index of waiting rows by receiver, and rows in the error queue, read on
     * theirs; a receiver's municipalities are added up. As {@link #WAITING}, delivered rows are not
     * read, and the waiting rows' condition states {@code available_at} so that the indexes that
     * require it match. Public for the tests of its plan.
     */
    public static final String BACKLOG = "SELECT b.receiver, sum(b.ready), sum(b.leased), sum(b.failed), min(b.oldest)"
            + " FROM (SELECT w.receiver, count(*) FILTER (WHERE w.state = 'READY') AS ready,"
            + " count(*) FILTER (WHERE w.state = 'LEASED') AS leased, 0 AS failed, min(w.created_at) AS oldest"
            + " FROM messaging.delivery w WHERE w.state IN " + PENDING + " AND w.available_at > '-infinity'"
            + " GROUP BY w.receiver"
            + " UNION ALL SELECT f.receiver, 0, 0, count(*), NULL FROM messaging.delivery f WHERE f.state = 'FAILED'"
            + " GROUP BY f.receiver) b GROUP BY b.receiver";

    /** What waits for one receiving system, over all its municipalities; see {@link #BACKLOG}. */
    public record Backlog(UUID receiver, long ready, long leased, long failed, Instant oldestWaiting) {
    }

    /** What waits in every dueslag, by receiving system; see {@link #BACKLOG}. */
    public List<Backlog> backlog() {
        return jdbc.sql(BACKLOG).query((rs, n) -> new Backlog(rs.getObject(1, UUID.class), rs.getLong(2),
                rs.getLong(3), rs.getLong(4), instant(rs.getTimestamp(5)))).list();
    }

    /**
     * Where a step of the retention purge or of a replay ended: the last row it read
     * ({@code created_at} where the step goes in order of creation, and {@code seq}), how many rows
     * it changed, and whether there are no more (for the purge: it met rows newer than retention).
     * The next step goes on after that row.
     */
    public record Step(Instant lastAt, long lastSeq, int changed, boolean done) {

        /** Before the first step: from {@code at} on (null where the step goes by {@code seq} alone). */
        public static Step start(Instant at) {
            return new Step(at, 0, 0, false);
        }
    }

    /**
     * The purge's step over deliveries (parameters {@code :from}, {@code :limit}, {@code :before}):
     * of the next {@code :limit} rows in {@code seq} order, read on the primary key, it deletes the
     * finished ones created before {@code :before}. A row is numbered as it is written, so once a
     * step meets a row newer than retention the rest are newer too, but for the clocks of several
     * nodes apart: what such a step leaves, the next purge takes. Public for the tests of its plan.
     */
    public static final String PURGE_DELIVERIES = "WITH batch AS MATERIALIZED (SELECT seq, created_at"
            + " FROM messaging.delivery WHERE seq >= :from ORDER BY seq LIMIT :limit),"
            + " gone AS (DELETE FROM messaging.delivery d WHERE d.seq BETWEEN :from AND (SELECT max(seq) FROM batch)"
            + " AND d.created_at < :before AND d.state IN ('DELIVERED', 'FAILED') RETURNING 1)"
            + " SELECT max(b.seq), (SELECT count(*) FROM gone), count(*) FILTER (WHERE b.created_at >= :before)"
            + " FROM batch b";

    /**
     * The purge's step over messages, as {@link #PURGE_DELIVERIES}: of the next rows in {@code seq}
     * order, those received before {@code :before} that no delivery refers to any more (a message
     * still waiting for a receiver stays, and so does one replayed). Public for the tests of its plan.
     */
    public static final String PURGE_MESSAGES = "WITH batch AS MATERIALIZED (SELECT seq, received_at"
            + " FROM messaging.message WHERE seq >= :from ORDER BY seq LIMIT :limit),"
            + " gone AS (DELETE FROM messaging.message m WHERE m.seq BETWEEN :from AND (SELECT max(seq) FROM batch)"
            + " AND m.received_at < :before"
            + " AND NOT EXISTS (SELECT 1 FROM messaging.delivery d WHERE d.message_id = m.id) RETURNING 1)"
            + " SELECT max(b.seq), (SELECT count(*) FROM gone), count(*) FILTER (WHERE b.received_at >= :before)"
            + " FROM batch b";

    /** One step of the purge of finished deliveries created before {@code before}, after row {@code afterSeq}. */
    public Step purgeDeliveries(long afterSeq, Instant before, int limit) {
        return purgeStep(PURGE_DELIVERIES, afterSeq, before, limit);
    }

    /** One step of the purge of messages received before {@code before} that nobody waits for any more. */
    public Step purgeMessages(long afterSeq, Instant before, int limit) {
        return purgeStep(PURGE_MESSAGES, afterSeq, before, limit);
    }

    private Step purgeStep(String statement, long afterSeq, Instant before, int limit) {
        return jdbc.sql(statement).param("from", afterSeq + 1).param("limit", limit).param("before", ts(before))
                .query((rs, n) -> {
                    long last = rs.getLong(1);
                    boolean empty = rs.wasNull();
                    return new Step(null, last, rs.getInt(2), empty || rs.getLong(3) > 0);
                }).single();
    }

    private Delivery delivery(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Delivery(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getObject(4, UUID.class),
                rs.getString(5), rs.getInt(6), instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8)),
                instant(rs.getTimestamp(9)), rs.getString(10));
    }

    static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
