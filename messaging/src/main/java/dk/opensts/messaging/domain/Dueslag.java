package dk.opensts.messaging.domain;

import dk.opensts.messaging.store.DeliveryStore;
import dk.opensts.messaging.store.ReplayStore;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.index.RecordBinder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A receiving system's dueslag for one municipality: lease and acknowledge (REST pull), the error
 * queue, replay within retention, and the push endpoint settings. A lease that runs out brings the
 * message back; after the receiver's last allowed attempt it goes to the error queue and its
 * sender is told.
 */
public class Dueslag {

    /** A message handed out under a lease: acknowledge it with {@code id} and {@code leaseId}. */
    public record Lease(long id, UUID leaseId, Instant leasedUntil, int attempt, Envelope envelope) {
    }

    /**
     * A receiver's delivery settings: push endpoint (the HMAC secret is shown only when it is made),
     * attempts before the error queue, and whether its dueslag is an AMQP queue.
     */
    public record PushSettings(String url, String auth, String secret, int maxAttempts, boolean amqp,
                               Instant updatedAt) {
    }

    public static final int MAX_LEASE = 500;
    public static final Duration MAX_LEASE_TIME = Duration.ofHours(1);

    private final DeliveryStore store;
    private final Distributor distributor;
    private final RecordBinder binder;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final Duration retention;
    private final SecureRandom random = new SecureRandom();
    private final dk.opensts.platform.security.SealedSecrets secrets;
    private final dk.opensts.platform.audit.AuditLog audit;
    private final ReplayStore replays;
    private final dk.opensts.platform.idempotency.Idempotency idempotency;
    private final DistributorMeters meters;

    public Dueslag(DeliveryStore store, Distributor distributor, RecordBinder binder, JdbcClient jdbc,
                   TransactionTemplate tx, Clock clock, Duration retention,
                   dk.opensts.platform.security.SealedSecrets secrets, dk.opensts.platform.audit.AuditLog audit,
                   dk.opensts.platform.idempotency.Idempotency idempotency, DistributorMeters meters) {
        this.meters = meters;
        this.secrets = secrets;
        this.audit = audit;
        this.store = store;
        this.distributor = distributor;
        this.binder = binder;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.retention = retention;
        this.replays = new ReplayStore(jdbc);
        this.idempotency = idempotency;
    }

    public List<Lease> lease(UUID receiver, String municipality, int max, Duration leaseTime) {
        if (max < 1 || max > MAX_LEASE) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "max", "must be 1 to " + MAX_LEASE);
        }
        if (leaseTime.isNegative() || leaseTime.isZero() || leaseTime.compareTo(MAX_LEASE_TIME) > 0) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "leaseSeconds", "must be 1 to 3600");
        }
        return tx.execute(s -> {
            List<Lease> leases = store.lease(receiver, municipality, DeliveryStore.Reader.PULL, max, leaseTime,
                    clock.instant()).stream().map(this::lease).toList();
            audit(leases, "PULL");
            return leases;
        });
    }

    /**
     * Writes who was handed personal data (messages about a person, or above the least sensitive
     * level): one audit record per receiver and municipality, in the transaction that hands them out.
     */
    public void audit(List<Lease> leases, String channel) {
        record Reader(UUID receiver, String municipality) {
        }
        java.util.Map<Reader, List<UUID>> byReader = new java.util.LinkedHashMap<>();
        for (Lease l : leases) {
            Envelope e = l.envelope();
            if (!e.cprNumbers().isEmpty() || e.sensitivity() != dk.opensts.platform.security.Sensitivity.IKKE_FORTROLIGE_DATA) {
                byReader.computeIfAbsent(new Reader(e.delivery().routes().get(0).receiver(), e.filter().authority()),
                        k -> new java.util.ArrayList<>()).add(e.messageId());
            }
        }
        byReader.forEach((reader, ids) -> audit.record(new dk.opensts.platform.security.Actor(
                        reader.receiver().toString(), null, reader.municipality(),
                        dk.opensts.platform.security.Services.MESSAGING, List.of()),
                dk.opensts.platform.audit.AuditLog.Action.READ, "messaging.message", ids, java.util.Map.of("channel", channel)));
    }

    /** The envelope as the receiver gets it, with its route. */
    public Lease lease(DeliveryStore.Leased l) {
        return lease(l, envelope(l.envelope()));
    }

    /** As above, with the stored envelope already read (one message leased to several receivers). */
    public Lease lease(DeliveryStore.Leased l, Envelope stored) {
        return new Lease(l.id(), l.leaseId(), l.leasedUntil(), l.attempts(), stored.routed(
                new Envelope.Route(l.receiver(), l.receivedAt(), null, l.attempts())));
    }

    public Envelope envelope(byte[] stored) {
        return binder.json().readValue(new String(stored, StandardCharsets.UTF_8), Envelope.class);
    }

    /** Acknowledges leased messages; returns the ids acknowledged (not those whose lease ran out and was taken again). */
    public List<Long> ack(UUID receiver, Map<Long, UUID> leases) {
        return tx.execute(s -> {
            List<Long> acked = store.ack(receiver, leases, clock.instant());
            meters.delivered(DistributorMeters.Via.PULL, acked.size());
            return acked;
        });
    }

    /** Moves waiting or leased messages to the error queue, telling their senders. */
    public int fail(UUID receiver, String municipality, Collection<Long> ids, String reason) {
        return tx.execute(s -> {
            List<DeliveryStore.Failed> failed = store.fail(receiver, municipality, ids,
                    reason == null ? "moved to the error queue by the receiver" : reason, clock.instant());
            distributor.notifySenders(failed);
            return failed.size();
        });
    }

    /**
     * Leases that ran out on their last attempt, and waiting messages whose validity ended, go to
     * the error queue; their senders are told. Other leases that ran out wait again. Returns how
     * many rows moved.
     */
    public int sweep(int limit) {
        return tx.execute(s -> {
            Instant now = clock.instant();
            store.leaseSettings();
            List<DeliveryStore.Failed> failed = new java.util.ArrayList<>(store.failExhausted(now, limit));
            failed.addAll(store.failExpired(now, limit));
            distributor.notifySenders(failed);
            return failed.size() + store.returnExpired(now, limit);
        });
    }

    public int requeue(UUID receiver, String municipality, Collection<Long> ids) {
        return tx.execute(s -> {
            int requeued = store.requeue(receiver, municipality, ids, clock.instant());
            meters.requeued(requeued);
            return requeued;
        });
    }

    /** How long reading {@link #backlog} may take before it is given up. */
    static final Duration BACKLOG_LIMIT = Duration.ofSeconds(10);

    /**
     * What waits in every dueslag, by receiving system, and the replays running, for the metrics.
     * Its cost grows with what waits (delivered rows are not read), so it is given up after
     * {@link #BACKLOG_LIMIT}: a backlog of millions must not keep a connection busy at every reading.
     */
    public DistributorMeters.Backlog backlog() {
        return tx.execute(s -> {
            jdbc.sql("SELECT set_config('statement_timeout', :ms, true)")
                    .param("ms", String.valueOf(BACKLOG_LIMIT.toMillis())).query(String.class).single();
            return new DistributorMeters.Backlog(store.backlog(), replays.runningCount());
        });
    }

    /**
     * How long a replay holds the rows it makes wait again before they are due of themselves, counted
     * from its request: should no node go on with it (ADR 16), its rows come after this time.
     */
    public static final Duration REPLAY_HOLD = Duration.ofHours(1);

    /**
     * Records a replay of the dueslag to {@code from}: everything delivered since comes again, in its
     * first order. The replay runs as steps ({@link #replayStep}) after the request, on whichever
     * node steps it; the answer is the replay as recorded. A dueslag runs one replay at a time: a
     * second request while one runs is refused, naming the running one. With an
     * {@code idempotencyKey}, a retry of the same request by {@code actor} gets the replay the first
     * made (as {@link Recorded#again}) and records none.
     */
    public Recorded replay(UUID receiver, String municipality, Instant from, String actor, String idempotencyKey) {
        Instant now = clock.instant();
        if (from.isBefore(now.minus(retention))) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "from", "lies before the retention of "
                    + retention.toDays() + " days");
        }
        if (from.isAfter(now)) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "from", "lies in the future");
        }
        return tx.execute(s -> {
            if (idempotencyKey != null) {
                var kept = idempotency.claim(actor, idempotencyKey, "POST /dueslag/replay " + municipality + " " + from);
                if (kept.isPresent()) {
                    // the answer kept is the replay's id: the retry gets the replay as far as it has come
                    UUID id = UUID.fromString(kept.get().body());
                    // a replay older than retention is gone, and so is what it answered
                    return new Recorded(replays.find(receiver, municipality, id)
                            .orElseThrow(() -> ApiException.notFound("replay", id)), true);
                }
            }
            // the database keeps microseconds: the held rows are found again by this very value
            Instant until = now.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            Instant since = from.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            ReplayStore.Replay r = new ReplayStore.Replay(UUID.randomUUID(), receiver, municipality, since, until,
                    until.plus(REPLAY_HOLD), ReplayStore.Phase.HOLDING, since, 0, 0, 0, null);
            if (!replays.insert(r)) {
                UUID running = replays.running(receiver, municipality).map(ReplayStore.Replay::id).orElse(null);
                throw new ApiException(ErrorCode.ALREADY_RUNNING, "A replay of this dueslag is running (" + running
                        + "); ask again when it is done", List.of(),
                        running == null ? Map.of() : Map.of("replayId", running.toString()));
            }
            if (idempotencyKey != null) {
                idempotency.complete(actor, idempotencyKey, new dk.opensts.platform.idempotency.Idempotency.StoredResponse(
                        202, null, r.id().toString()));
            }
            return new Recorded(r, false);
        });
    }

    /** A replay as a request recorded it; {@code again} when a retry with the same key found it. */
    public record Recorded(ReplayStore.Replay replay, boolean again) {
    }

    /** One of the dueslag's replays, as far as it has come. */
    public Optional<ReplayStore.Replay> replay(UUID receiver, String municipality, UUID id) {
        return tx.execute(s -> replays.find(receiver, municipality, id));
    }

    /** The dueslag's running replay. */
    public Optional<ReplayStore.Replay> runningReplay(UUID receiver, String municipality) {
        return tx.execute(s -> replays.running(receiver, municipality));
    }

    /** The dueslag's replays within retention, newest first, after the one named {@code before}. */
    public List<ReplayStore.Replay> replays(UUID receiver, String municipality, UUID before, int limit) {
        return tx.execute(s -> replays.list(receiver, municipality, before, limit));
    }

    /**
     * One step of the running replay that waited longest for one and that no other node is stepping,
     * in a transaction of its own that also records where the step ended; false when there was none.
     * <p>A replay has two phases of steps of {@value #STEP} rows, so that a replay of the whole
     * retention neither runs into the statement timeout nor holds a long transaction on the dueslag's
     * table: first every delivered row waits again, held (not yet due, but blocking its object's
     * line), in order of creation; then the held rows are due, in {@code seq} order.
     */
    public boolean replayStep() {
        return Boolean.TRUE.equals(tx.execute(s -> {
            Optional<ReplayStore.Replay> next = replays.next();
            if (next.isEmpty()) {
                return false;
            }
            ReplayStore.Replay r = next.get();
            // planned as the lease: each step reads on in order from where the last ended, and stops
            store.leaseSettings();
            Instant now = clock.instant();
            DeliveryStore.Step step = r.phase() == ReplayStore.Phase.HOLDING
                    ? store.replayHold(r.receiver(), r.municipality(), r.until(), r.lastAt(), r.lastSeq(), r.heldUntil(), STEP)
                    : store.replayRelease(r.receiver(), r.municipality(), r.heldUntil(), r.lastSeq(), now, STEP);
            replays.stepped(r, step, now);
            return true;
        }));
    }

    /** Steps replays until none is left or {@code going} says to stop; returns how many steps it took. */
    public int replaySteps(java.util.function.BooleanSupplier going) {
        int steps = 0;
        while (going.getAsBoolean() && replayStep()) {
            steps++;
        }
        return steps;
    }

    public List<DeliveryStore.Delivery> errors(UUID receiver, String municipality, long after, int limit) {
        return store.list(receiver, municipality, "FAILED", after, limit);
    }

    public DeliveryStore.Waiting waiting(UUID receiver, String municipality) {
        return tx.execute(s -> store.waiting(receiver, municipality));
    }

    /** Rows a step of the purge or of a replay reads, and so the most it changes in one transaction. */
    public static final int STEP = 5000;

    /** Deletes what retention no longer keeps, to the end; returns how many deliveries it deleted. */
    public int purge() {
        return purge(() -> true);
    }

    /**
     * Deletes what retention no longer keeps: finished deliveries, then messages nobody waits for any
     * more. It reads each table from its oldest row in steps of {@value #STEP} rows, each in a
     * transaction of its own, until it meets rows newer than retention. So it takes time for what it
     * deletes rather than for the whole table, never runs into the statement timeout, and holds back
     * no vacuum of the queue's rows for longer than a step. Stops early once {@code going} says so
     * (the server stops); the next purge goes on. Returns how many deliveries it deleted.
     */
    public int purge(java.util.function.BooleanSupplier going) {
        Instant before = clock.instant().minus(retention);
        int deleted = inSteps(DeliveryStore.Step.start(null),
                last -> store.purgeDeliveries(last.lastSeq(), before, STEP), going);
        inSteps(DeliveryStore.Step.start(null), last -> store.purgeMessages(last.lastSeq(), before, STEP), going);
        tx.execute(s -> replays.purge(before));
        return deleted;
    }

    /**
     * Runs {@code next} step by step from {@code first}, each step in a transaction of its own, until
     * a step says it is done or {@code going} says to stop; returns how many rows the steps changed.
     */
    private int inSteps(DeliveryStore.Step first, java.util.function.UnaryOperator<DeliveryStore.Step> next,
                        java.util.function.BooleanSupplier going) {
        int changed = 0;
        DeliveryStore.Step step = first;
        while (!step.done() && going.getAsBoolean()) {
            DeliveryStore.Step last = step;
            step = tx.execute(s -> next.apply(last));
            changed += step.changed();
        }
        return changed;
    }

    public Duration retention() {
        return retention;
    }

    // push settings

    /** The receiver's HMAC secret, opened. */
    public String secret(UUID receiver, String sealed) {
        try {
            return new String(secrets.open("push:" + receiver, sealed), StandardCharsets.UTF_8);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("the push secret of " + receiver + " cannot be opened (wrong key-encryption key?)", e);
        }
    }

    public Optional<PushSettings> push(UUID receiver) {
        return jdbc.sql("SELECT push_url, push_auth, max_attempts, amqp, updated_at FROM messaging.dueslag"
                        + " WHERE receiver = ?")
                .param(receiver)
                .query((rs, n) -> new PushSettings(rs.getString(1), rs.getString(2), null, rs.getInt(3),
                        rs.getBoolean(4), rs.getTimestamp(5).toInstant()))
                .optional();
    }

    /** Makes the receiver's dueslag an AMQP queue (its deliveries are relayed to the broker) or not. */
    public void setAmqp(UUID receiver, boolean amqp, String actor) {
        Instant now = clock.instant();
        tx.executeWithoutResult(t -> jdbc.sql("INSERT INTO messaging.dueslag (receiver, amqp, updated_at, updated_by)"
                        + " VALUES (:r, :amqp, :at, :by) ON CONFLICT (receiver) DO UPDATE SET amqp = :amqp,"
                        + " updated_at = :at, updated_by = :by")
                .param("r", receiver).param("amqp", amqp).param("at", java.sql.Timestamp.from(now)).param("by", actor)
                .update());
    }

    /**
     * Sets the push endpoint ({@code url} null: pull only). HMAC makes a new secret each time, shown
     * once; MTLS presents OpenSTS's client certificate.
     */
    public PushSettings setPush(UUID receiver, String url, String auth, int maxAttempts, String actor) {
        if (url != null) {
            java.net.URI uri;
            try {
                uri = java.net.URI.create(url);
            } catch (IllegalArgumentException e) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/url", "not a URL");
            }
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/url", "must be an http(s) URL with a host");
            }
            if (!"HMAC".equals(auth) && !"MTLS".equals(auth)) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/auth", "must be HMAC or MTLS");
            }
            if ("MTLS".equals(auth) && !"https".equals(uri.getScheme())) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/url", "mutual TLS needs an https URL");
            }
        }
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/maxAttempts", "must be 1 to 100");
        }
        String secret = null;
        if ("HMAC".equals(auth) && url != null) {
            byte[] b = new byte[32];
            random.nextBytes(b);
            secret = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        }
        Instant now = clock.instant();
        // kept sealed: the database alone does not give away a receiver's secret
        String s = secret == null ? null : secrets.seal("push:" + receiver, secret.getBytes(StandardCharsets.UTF_8));
        tx.executeWithoutResult(t -> jdbc.sql("INSERT INTO messaging.dueslag (receiver, push_url, push_auth, push_secret,"
                        + " max_attempts, updated_at, updated_by) VALUES (:r, :url, :auth, :secret, :max, :at, :by)"
                        + " ON CONFLICT (receiver) DO UPDATE SET push_url = :url, push_auth = :auth, push_secret = :secret,"
                        + " max_attempts = :max, updated_at = :at, updated_by = :by")
                .param("r", receiver).param("url", url).param("auth", url == null ? null : auth).param("secret", s)
                .param("max", maxAttempts).param("at", java.sql.Timestamp.from(now)).param("by", actor)
                .update());
        return new PushSettings(url, url == null ? null : auth, secret, maxAttempts,
                push(receiver).map(PushSettings::amqp).orElse(false), now);
    }
}
