package dk.opensts.platform.securitylog;

import dk.opensts.platform.web.Correlation;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The append-only security log. Every entry carries the keyed hash (HMAC-SHA256) of the entry
 * before it and of its own fields; the newest entry's number and hash are kept as an anchor.
 * {@link #verify()} walks the whole chain and says where an entry was changed, fabricated,
 * inserted or deleted, or the tail cut off. The key lives outside the database, so someone with
 * only database access cannot rebuild the chain after a change.
 *
 * <p>Entries are written in a transaction of their own: a refusal is logged even when the
 * request's own work is rolled back. Entries arriving together are written together, in one
 * statement that moves the anchor only from where they were chained onto (see {@link #record}).
 */
public class SecurityLog {

    private static final String GENESIS = "genesis";
    private static final int MAX_PROBLEMS = 100;
    /** At most this many entries in one append transaction. */
    private static final int MAX_BATCH = 500;
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() { };

    private final JdbcTemplate jdbc;
    private final JdbcTemplate streaming;
    private final TransactionTemplate readTx;
    private final JsonMapper json;
    private final Clock clock;
    private final SecretKeySpec key;
    private final ReentrantLock appendLock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Pending> waiting = new ConcurrentLinkedQueue<>();
    private final DataSource dataSource;
    /** The anchor as this node last wrote or read it (under the append lock); {@code null} until read. */
    private long anchorSeq;
    private String anchorHash;

    public SecurityLog(DataSource dataSource, JsonMapper json, Clock clock, byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("the security log key must have at least 32 bytes");
        }
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
        this.streaming = new JdbcTemplate(dataSource);
        this.streaming.setFetchSize(1000);
        DataSourceTransactionManager tm = new DataSourceTransactionManager(dataSource);
        this.readTx = new TransactionTemplate(tm);
        this.readTx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.readTx.setReadOnly(true);
        this.json = json;
        this.clock = clock;
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    /** Who and where, as far as the caller knows it; ip and correlation id come from the request being served. */
    public record Subject(String actor, String system, String municipality) {
        public static final Subject ANONYMOUS = new Subject("anonymous", null, null);
    }

    /**
     * Appends an entry and answers it as written (committed). Entries that arrive while another
     * append is being written wait and are then written together, in one statement that moves the
     * anchor once (group commit); each caller still returns only after its own entry is
     * committed, so durability is the same as one transaction each, but a burst of logins or
     * refusals no longer queues one commit behind the other on the anchor row.
     */
    public SecurityEvent record(SecurityEventType type, String outcome, Subject who, Map<String, ?> details) {
        return recordAll(List.of(new NewEntry(type, outcome, who, details))).get(0);
    }

    /** An entry to append: what {@link #record} takes. */
    public record NewEntry(SecurityEventType type, String outcome, Subject who, Map<String, ?> details) {

        /** A refusal or rejection, with its reason first among the details (as {@link #denied} writes it). */
        public static NewEntry denied(SecurityEventType type, Subject who, String reason, Map<String, ?> details) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("reason", reason);
            if (details != null) {
                all.putAll(details);
            }
            return new NewEntry(type, SecurityEvent.DENIED, who, all);
        }
    }

    /**
     * Appends entries in the order given and answers them as written, once every one is committed:
     * with the group commit of {@link #record}, up to {@value #MAX_BATCH} in one statement, so a caller
     * with many at once (a batch of refused messages) waits for one commit rather than one each.
     * Should the database refuse one, the others are still written; the first failure is thrown
     * after all of them are settled.
     */
    public List<SecurityEvent> recordAll(List<NewEntry> entries) {
        List<Pending> mine = new ArrayList<>(entries.size());
        for (NewEntry e : entries) {
            mine.add(new Pending(new Entry(UUID.randomUUID(), clock.instant().truncatedTo(ChronoUnit.MICROS), e.type(),
                    storable(e.outcome()), storable(e.who().actor()), storable(e.who().system()),
                    storable(e.who().municipality()), storable(remoteAddress()), storable(Correlation.current()),
                    json.writeValueAsString(e.details() == null ? Map.of() : e.details()))));
        }
        waiting.addAll(mine);
        appendLock.lock();
        try {
            // each entry is either still waiting or was written (or failed) by a holder before us
            while (!mine.stream().allMatch(Pending::done) && appendWaiting()) {
                // appendWaiting wrote at most MAX_BATCH entries; go on until ours are among them
            }
        } finally {
            appendLock.unlock();
        }
        List<SecurityEvent> written = new ArrayList<>(mine.size());
        for (Pending p : mine) {
            if (p.failed != null) {
                throw p.failed;
            }
            if (p.written == null) {
                throw new IllegalStateException("the security log entry " + p.entry.id() + " was not written");
            }
            written.add(p.written);
        }
        return written;
    }

    /** What an entry says, ready to be chained. */
    private record Entry(UUID id, Instant at, SecurityEventType type, String outcome, String actor, String system,
                         String municipality, String ip, String correlation, String details) {
    }

    /** An entry on its way in; {@code written} or {@code failed} is set under the append lock. */
    private static final class Pending {
        final Entry entry;
        SecurityEvent written;
        RuntimeException failed;

        Pending(Entry entry) {
            this.entry = entry;
        }

        boolean done() {
            return written != null || failed != null;
        }
    }

    /**
     * Under the append lock: writes what is waiting (at most {@link #MAX_BATCH}) in one
     * transaction. Should that fail, each entry is tried in a transaction of its own, so an entry
     * the database refuses fails alone and the others are still written. Answers whether there
     * was anything to write.
     */
    private boolean appendWaiting() {
        List<Pending> batch = new ArrayList<>();
        for (Pending p; batch.size() < MAX_BATCH && (p = waiting.poll()) != null; ) {
            batch.add(p);
        }
        if (batch.isEmpty()) {
            return false;
        }
        try {
            try {
                List<SecurityEvent> events = append(batch);
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).written = events.get(i);
                }
            } catch (RuntimeException failure) {
                if (batch.size() == 1) {
                    batch.get(0).failed = failure;
                } else {
                    for (Pending p : batch) {
                        try {
                            p.written = append(List.of(p)).get(0);
                        } catch (RuntimeException e) {
                            p.failed = e;
                        }
                    }
                }
            }
        } finally {
            for (Pending p : batch) {
                if (!p.done()) {
                    p.failed = new IllegalStateException("the security log entry " + p.entry.id() + " was not written");
                }
            }
        }
        return true;
    }

    /**
     * The entries chained onto the anchor and written with the anchor's move in one statement on a
     * connection of its own. Usually that statement is all (one round trip, committed as it runs):
     * the anchor moves only from the number and hash this node wrote last. When another node
     * appended in between, nothing is written by it; the entries are then chained again in a
     * transaction that holds the anchor row while it reads and writes, so a node that keeps losing
     * to busier ones still gets its entries in.
     */
    private List<SecurityEvent> append(List<Pending> entries) {
        if (anchorHash != null) {
            Chained chained = chain(entries, anchorSeq, anchorHash);
            try (Connection c = ownConnection()) {
                if (write(c, anchorSeq, anchorHash, chained) == entries.size()) {
                    return moved(chained);
                }
            } catch (SQLException e) {
                throw appendFailed(e);
            }
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                long seq;
                String hash;
                try (var st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT seq, hash FROM platform.security_log_head WHERE one FOR UPDATE")) {
                    rs.next();
                    seq = rs.getLong(1);
                    hash = rs.getString(2);
                }
                Chained chained = chain(entries, seq, hash);
                if (write(c, seq, hash, chained) != entries.size()) {
                    throw new IllegalStateException("the security log's anchor moved while held");
                }
                c.commit();
                return moved(chained);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw appendFailed(e);
        }
    }

    /** Entries chained onto an anchor: as answered, and as columns for the statement. */
    private record Chained(List<SecurityEvent> events, Long[] seqs, UUID[] ids, String[] ats, String[][] texts) {
        SecurityEvent last() {
            return events.get(events.size() - 1);
        }
    }

    private Chained chain(List<Pending> entries, long seq, String prev) {
        int n = entries.size();
        Long[] seqs = new Long[n];
        UUID[] ids = new UUID[n];
        String[] ats = new String[n];
        // type, outcome, actor, system, municipality, ip, correlation id, details, previous hash, hash
        String[][] texts = new String[10][n];
        List<SecurityEvent> events = new ArrayList<>(n);
        Mac mac = mac();
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i).entry;
            seq++;
            String hash = hash(mac, prev, seq, e.id(), e.at(), e.type().name(), e.outcome(), e.actor(), e.system(),
                    e.municipality(), e.ip(), e.correlation(), e.details());
            seqs[i] = seq;
            ids[i] = e.id();
            ats[i] = e.at().toString();
            String[] row = {e.type().name(), e.outcome(), e.actor(), e.system(), e.municipality(), e.ip(),
                    e.correlation(), e.details(), prev, hash};
            for (int c = 0; c < row.length; c++) {
                texts[c][i] = row[c];
            }
            events.add(new SecurityEvent(seq, e.id(), e.at(), e.type(), e.outcome(), e.actor(), e.system(),
                    e.municipality(), e.ip(), e.correlation(), readDetails(e.details()), prev, hash));
            prev = hash;
        }
        return new Chained(events, seqs, ids, ats, texts);
    }

    /** The entries are written: the anchor is now their last. */
    private List<SecurityEvent> moved(Chained chained) {
        anchorSeq = chained.last().seq();
        anchorHash = chained.last().hash();
        return chained.events();
    }

    private RuntimeException appendFailed(SQLException e) {
        anchorHash = null;
        return new org.springframework.dao.DataIntegrityViolationException("the security log append failed: "
                + e.getMessage(), e);
    }

    /** A connection outside any transaction of the caller's, each statement committed as it runs. */
    private Connection ownConnection() throws SQLException {
        Connection c = dataSource.getConnection();
        if (!c.getAutoCommit()) {
            c.setAutoCommit(true);
        }
        return c;
    }

    /** Runs {@link #APPEND}; answers how many entries it wrote (none when the anchor had moved). */
    private static int write(Connection c, long expectedSeq, String expectedHash, Chained chained) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(APPEND)) {
            ps.setLong(1, chained.last().seq());
            ps.setString(2, chained.last().hash());
            ps.setLong(3, expectedSeq);
            ps.setString(4, expectedHash);
            ps.setArray(5, c.createArrayOf("bigint", chained.seqs()));
            ps.setArray(6, c.createArrayOf("uuid", chained.ids()));
            ps.setArray(7, c.createArrayOf("text", chained.ats()));
            for (int col = 0; col < chained.texts().length; col++) {
                ps.setArray(8 + col, c.createArrayOf("text", chained.texts()[col]));
            }
            return ps.executeUpdate();
        }
    }

    /** Moves the anchor and inserts the entries only when the anchor is where the entries were chained onto. */
    private static final String APPEND = "WITH moved AS (UPDATE platform.security_log_head SET seq = ?, hash = ?"
            + " WHERE one AND seq = ? AND hash = ? RETURNING seq)"
            + " INSERT INTO platform.security_log (seq, id, at, type, outcome, actor, system, municipality, ip,"
            + " correlation_id, details, prev_hash, hash)"
            + " SELECT e.seq, e.id, CAST(e.at AS timestamptz), e.type, e.outcome, e.actor, e.system, e.municipality, e.ip,"
            + " e.correlation_id, e.details, e.prev_hash, e.hash"
            + " FROM unnest(CAST(? AS bigint[]), CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),"
            + " CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),"
            + " CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))"
            + " AS e(seq, id, at, type, outcome, actor, system, municipality, ip, correlation_id, details, prev_hash, hash)"
            + " WHERE EXISTS (SELECT 1 FROM moved) ORDER BY e.seq";

    /**
     * A text field as PostgreSQL can store it: the NUL character, which a text column refuses, is
     * replaced by U+FFFD, so a name or header carrying one cannot keep its own refusal out of the log.
     */
    static String storable(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    }

    /** A refusal or rejection. */
    public SecurityEvent denied(SecurityEventType type, Subject who, String reason, Map<String, ?> details) {
        return recordAll(List.of(NewEntry.denied(type, who, reason, details))).get(0);
    }

    /** What to find: any of the fields may be {@code null}; {@code to} is exclusive. */
    public record Filter(Instant from, Instant to, SecurityEventType type, String actor, String municipality) {
        public static final Filter ALL = new Filter(null, null, null, null, null);
    }

    /** Newest first; {@code beforeSeq} continues a page. */
    public List<SecurityEvent> search(Filter f, Long beforeSeq, int limit) {
        List<Object> args = new ArrayList<>();
        String where = where(f, args);
        if (beforeSeq != null) {
            where += " AND seq < ?";
            args.add(beforeSeq);
        }
        args.add(limit);
        return jdbc.query("SELECT * FROM platform.security_log WHERE " + where + " ORDER BY seq DESC LIMIT ?",
                (rs, n) -> event(rs), args.toArray());
    }

    /** Every matching entry, oldest first, streamed from the database (for export). */
    public void export(Filter f, Consumer<SecurityEvent> sink) {
        List<Object> args = new ArrayList<>();
        String where = where(f, args);
        readTx.executeWithoutResult(s -> streaming.query(
                "SELECT * FROM platform.security_log WHERE " + where + " ORDER BY seq", rs -> {
                    sink.accept(event(rs));
                }, args.toArray()));
    }

    private static String where(Filter f, List<Object> args) {
        StringBuilder w = new StringBuilder("true");
        if (f.from() != null) {
            w.append(" AND at >= ?");
            args.add(Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            w.append(" AND at < ?");
            args.add(Timestamp.from(f.to()));
        }
        if (f.type() != null) {
            w.append(" AND type = ?");
            args.add(f.type().name());
        }
        if (f.actor() != null) {
            w.append(" AND actor = ?");
            args.add(f.actor());
        }
        if (f.municipality() != null) {
            w.append(" AND municipality = ?");
            args.add(f.municipality());
        }
        return w.toString();
    }

    /** A place where the chain is not as written. */
    public record Problem(long seq, String kind, String detail) {
        public static final String CHANGED = "CHANGED";
        public static final String MISSING = "MISSING";
        public static final String BROKEN_LINK = "BROKEN_LINK";
        public static final String UNANCHORED = "UNANCHORED";
    }

    /** The outcome of a verification: {@code intact} when the chain has no problem. */
    public record Verification(boolean intact, long entries, long lastSeq, long anchorSeq, long problemCount,
                               List<Problem> problems) {
    }

    /** Walks the whole chain in order and recomputes every hash. */
    public Verification verify() {
        return readTx.execute(s -> {
            Map<String, Object> head = jdbc.queryForMap("SELECT seq, hash FROM platform.security_log_head WHERE one");
            long anchorSeq = ((Number) head.get("seq")).longValue();
            String anchorHash = (String) head.get("hash");
            var walk = new Object() {
                long entries;
                long expectedSeq = 1;
                long lastSeq;
                String lastHash = GENESIS;
                long problemCount;
                final List<Problem> problems = new ArrayList<>();

                void problem(long seq, String kind, String detail) {
                    problemCount++;
                    if (problems.size() < MAX_PROBLEMS) {
                        problems.add(new Problem(seq, kind, detail));
                    }
                }
            };
            Mac mac = mac();
            streaming.query("SELECT * FROM platform.security_log ORDER BY seq", rs -> {
                long seq = rs.getLong("seq");
                String prev = rs.getString("prev_hash");
                String stored = rs.getString("hash");
                walk.entries++;
                if (seq > walk.expectedSeq) {
                    walk.problem(walk.expectedSeq, Problem.MISSING, seq - walk.expectedSeq == 1
                            ? "entry " + walk.expectedSeq + " is missing (deleted)"
                            : "entries " + walk.expectedSeq + " to " + (seq - 1) + " are missing (deleted)");
                } else if (!prev.equals(walk.lastHash)) {
                    walk.problem(seq, Problem.BROKEN_LINK, "entry " + seq
                            + " does not follow the entry before it (an entry was inserted, deleted or changed before it)");
                }
                String recomputed = hash(mac, prev, seq, rs.getObject("id", UUID.class),
                        rs.getTimestamp("at").toInstant(), rs.getString("type"), rs.getString("outcome"),
                        rs.getString("actor"), rs.getString("system"), rs.getString("municipality"),
                        rs.getString("ip"), rs.getString("correlation_id"), rs.getString("details"));
                if (!recomputed.equals(stored)) {
                    walk.problem(seq, Problem.CHANGED, "entry " + seq + " does not match its hash (changed or fabricated)");
                }
                walk.lastSeq = seq;
                walk.lastHash = stored;
                walk.expectedSeq = seq + 1;
            });
            if (anchorSeq > walk.lastSeq) {
                walk.problem(walk.lastSeq + 1, Problem.MISSING, "entries " + (walk.lastSeq + 1) + " to " + anchorSeq
                        + " are missing (cut from the end)");
            } else if (anchorSeq < walk.lastSeq) {
                walk.problem(anchorSeq + 1, Problem.UNANCHORED, "entries after " + anchorSeq
                        + " were added outside the log");
            } else if (!anchorHash.equals(walk.lastHash)) {
                walk.problem(anchorSeq, Problem.CHANGED, "the newest entry does not match the anchor");
            }
            return new Verification(walk.problemCount == 0, walk.entries, walk.lastSeq, anchorSeq, walk.problemCount,
                    List.copyOf(walk.problems));
        });
    }

    private Mac mac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hash(Mac mac, String prev, long seq, UUID id, Instant at, String type, String outcome,
                               String actor, String system, String municipality, String ip, String correlation,
                               String details) {
        {
            for (String field : new String[] {prev, Long.toString(seq), id.toString(), at.toString(), type, outcome,
                    actor, system, municipality, ip, correlation, details}) {
                if (field == null) {
                    mac.update((byte) 0);
                } else {
                    byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                    mac.update(intBytes(bytes.length));
                    mac.update(bytes);
                }
                mac.update((byte) 0x1f);
            }
            return HexFormat.of().formatHex(mac.doFinal());
        }
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private SecurityEvent event(ResultSet rs) throws SQLException {
        return new SecurityEvent(rs.getLong("seq"), rs.getObject("id", UUID.class), rs.getTimestamp("at").toInstant(),
                SecurityEventType.valueOf(rs.getString("type")), rs.getString("outcome"), rs.getString("actor"),
                rs.getString("system"), rs.getString("municipality"), rs.getString("ip"), rs.getString("correlation_id"),
                readDetails(rs.getString("details")), rs.getString("prev_hash"), rs.getString("hash"));
    }

    private Map<String, Object> readDetails(String text) {
        return json.readValue(text, MAP);
    }

    private static String remoteAddress() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attrs) {
            HttpServletRequest request = attrs.getRequest();
            return request.getRemoteAddr();
        }
        return null;
    }
}
