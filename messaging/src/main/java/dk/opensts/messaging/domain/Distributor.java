package dk.opensts.messaging.domain;

import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.classification.api.Classifications;
import dk.opensts.messaging.store.DeliveryStore;
import dk.opensts.messaging.store.SubscriptionStore;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.Unstorable;
import dk.opensts.platform.index.RecordBinder;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.DataScope;
import dk.opensts.platform.security.Services;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Publishing: checks an envelope, finds the receivers whose subscriptions match it under an
 * approved agreement, and stores the message with one dueslag row per receiver in one transaction.
 * Only then is the publish confirmed; the same message id again is confirmed without storing twice.
 */
public class Distributor {

    /** The classification whose classes are the message types. */
    public static final String MESSAGE_TYPES = "BESKEDTYPE";
    /** The sender of OpenSTS's own messages (failed-delivery notices, registry changes). */
    public static final UUID OPENSTS = UUID.nameUUIDFromBytes("opensts:system".getBytes(StandardCharsets.UTF_8));
    /** OpenSTS's message type telling a sender that a receiver never took its message. */
    public static final String DELIVERY_FAILED = "LeveranceFejlet";
    public static final int MAX_PAYLOAD = 1024 * 1024;

    /** How a publish ended: {@code STORED} the first time, {@code DUPLICATE} when the id was stored before. */
    public record Outcome(UUID messageId, String status, int receivers, Instant receivedAt) {
    }

    private final DeliveryStore deliveries;
    private final SubscriptionStore subscriptions;
    private final ServiceAgreements agreements;
    private final Classifications classifications;
    private final RecordBinder binder;
    private final EnvelopeXml xml;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final Map<String, Cached<List<ServiceAgreements.Grant>>> grants = new ConcurrentHashMap<>();
    private final Map<String, Cached<Boolean>> types = new ConcurrentHashMap<>();
    private final Duration cacheFor;
    private final DistributorMeters meters;
    private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private record Cached<T>(T value, Instant until, long generation) {
        Cached(T value, Instant until) {
            this(value, until, 0);
        }
    }

    private final Map<String, Cached<List<Subscription>>> subscriptionCache = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong subscriptionGeneration = new java.util.concurrent.atomic.AtomicLong();

    public Distributor(DeliveryStore deliveries, SubscriptionStore subscriptions, ServiceAgreements agreements,
                       Classifications classifications, RecordBinder binder, EnvelopeXml xml, TransactionTemplate tx,
                       Clock clock, Duration cacheFor, DistributorMeters meters) {
        this.meters = meters;
        this.deliveries = deliveries;
        this.subscriptions = subscriptions;
        this.agreements = agreements;
        this.classifications = classifications;
        this.binder = binder;
        this.xml = xml;
        this.tx = tx;
        this.clock = clock;
        this.cacheFor = cacheFor;
    }

    /** An envelope from its JSON form, strictly bound and validated. */
    public Envelope bind(JsonNode json) {
        // the payload is kept as sent and may hold any JSON; every other text is stored as text
        for (Map.Entry<String, JsonNode> field : json.properties()) {
            String at = field.getKey().equals("payload") ? null : Unstorable.nulAt(field.getValue(), "/" + field.getKey());
            if (at != null) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, at, Unstorable.NUL_REASON);
            }
        }
        return binder.bind(json, Envelope.class);
    }

    /** An envelope from its XML form ({@code Haendelsesbesked}). */
    public Envelope bindXml(String document) {
        return bind(xml.read(document));
    }

    public EnvelopeXml xml() {
        return xml;
    }

    /**
     * Publishes for an IT system: it must hold {@code publish} for the envelope's sending authority
     * (the token's municipality), the message type must exist and the payload fit.
     */
    public Outcome publish(Envelope envelope, Actor actor, String channel) {
        UUID sender = authorize(envelope, actor);
        check(envelope);
        return store(envelope, sender, channel, null);
    }

    private UUID authorize(Envelope envelope, Actor actor) {
        if (!actor.hasRole(Services.PUBLISH)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "Publishing needs the role 'publish' of the message distributor");
        }
        if (!envelope.filter().authority().equals(actor.municipality())) {
            throw ApiException.field(ErrorCode.FORBIDDEN, "/filter/authority", "the token acts for municipality "
                    + actor.municipality() + ", not " + envelope.filter().authority());
        }
        UUID sender;
        try {
            sender = UUID.fromString(actor.id());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.FORBIDDEN, "Only IT systems publish messages");
        }
        return sender;
    }


    /**
     * Publishes OpenSTS's own messages (registry changes) in one transaction, routed by subscriptions
     * like any other; a message no one receives is not stored. Messages that agree on type,
     * authority, object type and action and carry no KLE, sensitivity or CPR are routed once.
     */
    public int publishInternal(List<Envelope> messages) {
        if (messages.isEmpty()) {
            return 0;
        }
        messages.forEach(this::check);
        int count = tx.execute(s -> {
            Instant now = clock.instant();
            Map<String, Set<UUID>> routes = new java.util.HashMap<>();
            Map<String, List<Subscription>> subscriptionsOf = new java.util.HashMap<>();
            List<Pending> pending = new ArrayList<>();
            for (Envelope e : messages) {
                Envelope.ObjectRegistration o = e.filter().object();
                boolean shared = e.kle() == null && e.cprNumbers().isEmpty() && e.filter().allowedReceivers().isEmpty();
                String key = e.messageType() + " " + e.filter().authority() + " " + e.sensitivity() + " "
                        + (o == null ? "" : o.type() + " " + o.action());
                Set<UUID> receivers = shared ? routes.computeIfAbsent(key, k -> route(e, now, subscriptionsOf))
                        : route(e, now, subscriptionsOf);
                if (!receivers.isEmpty()) {
                    pending.add(new Pending(e, OPENSTS, receivers));
                }
            }
            if (!pending.isEmpty()) {
                storeAll(pending, "INTERNAL");
            }
            return pending.size();
        });
        if (count > 0) {
            stored();
        }
        return count;
    }

    private void check(Envelope e) {
        Instant now = clock.instant();
        if (!knownType(e.messageType(), e.filter().authority(), now)) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/messageType",
                    "'" + e.messageType() + "' is not a message type of classification " + MESSAGE_TYPES);
        }
        if (e.validity() != null) {
            if (e.validity().from() != null && e.validity().to() != null && e.validity().from().isAfter(e.validity().to())) {
                throw ApiException.field(ErrorCode.INVALID_PERIOD, "/validity", "from lies after to");
            }
            if (e.validity().to() != null && e.validity().to().isBefore(now)) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/validity/to", "the message is no longer valid");
            }
        }
        Envelope.Payload p = e.payload();
        String body = p.data().isString() ? p.data().asString() : binder.canonical(p.data());
        if (body.length() > MAX_PAYLOAD) {
            throw ApiException.field(ErrorCode.TOO_LARGE, "/payload", "the payload is larger than 1 MB");
        }
        if (p.contentType().equals("application/xml")) {
            if (!p.data().isString()) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/payload/data", "an XML payload is a string");
            }
            EnvelopeXml.parse(body);
        }
    }

    private boolean knownType(String type, String cvr, Instant now) {
        String key = cvr + " " + type;
        Cached<Boolean> c = types.get(key);
        if (c == null || c.until().isBefore(now)) {
            c = new Cached<>(!classifications.knownClasses(MESSAGE_TYPES, List.of(type), cvr).isEmpty(),
                    now.plus(cacheFor));
            types.put(key, c);
        }
        return c.value();
    }

    /**
     * Stores and routes the message in its own transaction. {@code to}, when given, are the
     * receivers (a notice to a sender) instead of the subscriptions'.
     */
    private Outcome store(Envelope envelope, UUID sender, String channel, Set<UUID> to) {
        Outcome o = tx.execute(s -> storeInTransaction(envelope, sender, channel, to));
        if (o.status().equals(CONFLICT)) {
            throw conflict(envelope.messageId());
        }
        stored();
        return o;
    }

    private static ApiException conflict(UUID id) {
        return new ApiException(ErrorCode.DUPLICATE, "Message " + id
                + " was published before with other content or by another system");
    }

    private static final String CONFLICT = "CONFLICT";

    /** Stores and routes within the caller's transaction; an id taken by other content is {@code CONFLICT}, not thrown. */
    private Outcome storeInTransaction(Envelope envelope, UUID sender, String channel, Set<UUID> to) {
        return storeAll(List.of(new Pending(envelope, sender, to)), channel).get(0);
    }

    /** A message about to be stored: its envelope, sender, and receivers when they are already known. */
    private record Pending(Envelope envelope, UUID sender, Set<UUID> to) {
    }

    /**
     * Stores and routes messages within the caller's transaction, in three round trips to the
     * database whatever their number: the messages, then (for those stored now) their deliveries.
     */
    private List<Outcome> storeAll(List<Pending> pending, String channel) {
        Instant now = clock.instant();
        List<DeliveryStore.StoredMessage> rows = new ArrayList<>(pending.size());
        List<Set<UUID>> receivers = new ArrayList<>(pending.size());
        Map<UUID, Envelope> accepted = new java.util.HashMap<>();
        Map<String, List<Subscription>> subscriptionsOf = new java.util.HashMap<>();
        for (Pending p : pending) {
            Envelope e = p.envelope();
            Set<UUID> to = p.to() != null ? p.to() : route(e, now, subscriptionsOf);
            receivers.add(to);
            Envelope a = e.accepted(p.sender(), now);
            accepted.put(e.messageId(), a);
            rows.add(new DeliveryStore.StoredMessage(e.messageId(), e.messageType(), e.filter().authority(), p.sender(),
                    channel, binder.canonical(a).getBytes(StandardCharsets.UTF_8),
                    sha256(binder.canonical(e.normalized()).getBytes(StandardCharsets.UTF_8)), now, e.validTo(),
                    to.size()));
        }
        boolean[] inserted = deliveries.insertAll(rows);
        List<Outcome> out = new ArrayList<>(pending.size());
        int stored = 0;
        int duplicates = 0;
        List<DeliveryStore.NewDelivery> newDeliveries = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            Envelope e = pending.get(i).envelope();
            if (inserted[i]) {
                for (UUID r : receivers.get(i)) {
                    newDeliveries.add(new DeliveryStore.NewDelivery(r, e.filter().authority(), e.messageId(), e.orderKey(),
                            e.validTo()));
                }
                out.add(new Outcome(e.messageId(), "STORED", receivers.get(i).size(), now));
                stored++;
                continue;
            }
            DeliveryStore.StoredMessage earlier = deliveries.head(e.messageId()).orElseThrow();
            if (!earlier.sender().equals(pending.get(i).sender()) || !Arrays.equals(earlier.contentHash(), rows.get(i).contentHash())) {
                out.add(new Outcome(e.messageId(), CONFLICT, 0, earlier.receivedAt()));
            } else {
                out.add(new Outcome(e.messageId(), "DUPLICATE", earlier.receivers(), earlier.receivedAt()));
                duplicates++;
            }
        }
        // counted once the transaction commits; a conflict is counted as the refusal it becomes
        meters.published(channel, DistributorMeters.Published.STORED, stored);
        meters.published(channel, DistributorMeters.Published.DUPLICATE, duplicates);
        meters.made(newDeliveries.size());
        DirectRelay relay = directRelay;
        List<DeliveryStore.Leased> leased = deliveries.addDeliveries(newDeliveries, relay == null ? null
                : new DeliveryStore.DirectLease(UUID.randomUUID(), now.plus(relay.leaseTime())), now);
        if (!leased.isEmpty()) {
            relay.leased(leased.stream().map(l -> new Handoff(l, accepted.get(l.messageId()))).toList());
        }
        return out;
    }

    /** A delivery leased to the direct relay as it was stored, with the message as stored. */
    public record Handoff(DeliveryStore.Leased delivery, Envelope stored) {
    }

    /**
     * A transport that sends deliveries on the moment they are stored (the AMQP relay), so that they
     * need not be looked for and leased again. It is called in the storing transaction with the
     * deliveries leased to it for {@link #leaseTime()}; they are its to send once that commits, and
     * come back by themselves when the lease runs out unsent.
     */
    public interface DirectRelay {
        Duration leaseTime();

        void leased(List<Handoff> deliveries);
    }

    private volatile DirectRelay directRelay;

    /** Registers the direct relay (one per node). */
    public void directRelay(DirectRelay relay) {
        this.directRelay = relay;
    }

    /** A message for {@link #publishAll}: the envelope and who publishes it. */
    public record Item(Envelope envelope, Actor actor) {
    }

    /**
     * Publishes many messages in one transaction (one commit for all: the AMQP ingress takes what
     * has arrived in one go). Returns, in order, each one's {@link Outcome} or the
     * {@link ApiException} that refused it; a refused message does not keep the others out.
     */
    public List<Object> publishAll(List<Item> items, String channel) {
        List<Object> out = new ArrayList<>(items.size());
        List<Integer> valid = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            try {
                authorize(items.get(i).envelope(), items.get(i).actor());
                check(items.get(i).envelope());
                out.add(null);
                valid.add(i);
            } catch (ApiException e) {
                out.add(e);
            }
        }
        if (!valid.isEmpty()) {
            List<Pending> pending = new ArrayList<>(valid.size());
            for (int i : valid) {
                pending.add(new Pending(items.get(i).envelope(), UUID.fromString(items.get(i).actor().id()), null));
            }
            List<Object> stored = storeOrRefuse(pending, channel);
            for (int k = 0; k < valid.size(); k++) {
                Object o = stored.get(k);
                out.set(valid.get(k), o instanceof Outcome c && c.status().equals(CONFLICT) ? conflict(c.messageId()) : o);
            }
            stored();
        }
        return out;
    }

    /**
     * Stores a batch in one commit. If the database refuses a value of one of its messages (a NUL
     * character, a time out of its range), each is stored alone and only that one is refused: it must not hold back the others
     * of its batch, which over AMQP would come back, and fail again, until the broker gave up on them.
     */
    private List<Object> storeOrRefuse(List<Pending> pending, String channel) {
        try {
            return new ArrayList<>(tx.execute(s -> storeAll(pending, channel)));
        } catch (RuntimeException e) {
            if (!Unstorable.isCause(e)) {
                throw e;
            }
            if (pending.size() == 1) {
                return List.of(Unstorable.refusal(e));
            }
            List<Object> out = new ArrayList<>(pending.size());
            for (Pending p : pending) {
                out.addAll(storeOrRefuse(List.of(p), channel));
            }
            return out;
        }
    }

    /** Called after messages were committed: transports waiting for work look at once. */
    public void onStored(Runnable listener) {
        listeners.add(listener);
    }

    private void stored() {
        listeners.forEach(Runnable::run);
    }

    /** The receivers with a matching subscription, within what their agreement for the municipality allows. */
    Set<UUID> route(Envelope e, Instant now, Map<String, List<Subscription>> subscriptionsOf) {
        String municipality = e.filter().authority();
        List<Subscription> candidates = new ArrayList<>();
        Set<UUID> lists = new LinkedHashSet<>();
        List<Subscription> all = subscriptionsOf.computeIfAbsent(municipality + " " + e.messageType(),
                k -> subscriptionsFor(municipality, e.messageType(), now));
        for (Subscription s : all) {
            if (s.matches(e)) {
                candidates.add(s);
                if (s.cprList() != null) {
                    lists.add(s.cprList());
                }
            }
        }
        Set<UUID> holding = lists.isEmpty() ? Set.of() : subscriptions.listsHolding(lists, e.cprNumbers());
        Set<UUID> out = new LinkedHashSet<>();
        for (Subscription s : candidates) {
            if ((s.cprList() == null || holding.contains(s.cprList())) && !out.contains(s.receiver())
                    && admitted(s.receiver(), municipality, e, now)) {
                out.add(s.receiver());
            }
        }
        return out;
    }

    /**
     * The active subscriptions of a municipality to a message type, cached for {@code cacheFor}; a
     * change made through this node is seen at once ({@link #subscriptionsChanged}), one made on
     * another node within {@code cacheFor}.
     */
    private List<Subscription> subscriptionsFor(String municipality, String type, Instant now) {
        String key = municipality + " " + type;
        Cached<List<Subscription>> c = subscriptionCache.get(key);
        long generation = subscriptionGeneration.get();
        if (c == null || c.until().isBefore(now) || c.generation() != generation) {
            c = new Cached<>(subscriptions.forType(municipality, type), now.plus(cacheFor), generation);
            subscriptionCache.put(key, c);
        }
        return c.value();
    }

    /** A subscription was created, changed or ended here: route by the new ones at once. */
    public void subscriptionsChanged() {
        subscriptionGeneration.incrementAndGet();
    }

    /** Whether an approved agreement lets the receiver get this message (role subscribe, its KLE and sensitivity). */
    private boolean admitted(UUID receiver, String municipality, Envelope e, Instant now) {
        String key = receiver + " " + municipality;
        Cached<List<ServiceAgreements.Grant>> c = grants.get(key);
        if (c == null || c.until().isBefore(now)) {
            c = new Cached<>(agreements.approvedGrants(receiver, Services.MESSAGING, municipality, now), now.plus(cacheFor));
            grants.put(key, c);
        }
        for (ServiceAgreements.Grant g : c.value()) {
            if (g.role().equals(Services.SUBSCRIBE) && DataScope.Privilege.of(g.constraints()).admits(e.kle(), e.sensitivity())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Deliveries went to the error queue: tells each sender, in its own dueslag, that a receiver
     * never took its message, and counts them. Every move to the error queue comes through here, in
     * its transaction.
     */
    public void notifySenders(List<DeliveryStore.Failed> failed) {
        meters.failed(failed.size());
        for (DeliveryStore.Failed f : failed) {
            if (f.sender().equals(OPENSTS)) {
                continue;
            }
            UUID id = UUID.randomUUID();
            tools.jackson.databind.node.ObjectNode data = binder.json().createObjectNode();
            data.put("messageId", f.messageId().toString());
            data.put("messageType", f.messageType());
            data.put("receiver", f.receiver().toString());
            data.put("attempts", f.attempts());
            data.put("lastError", f.lastError());
            Envelope notice = new Envelope(id, Envelope.VERSION, DELIVERY_FAILED,
                    new Envelope.FilterData(f.authority(), List.of(f.sender()), List.of(),
                            new Envelope.ObjectRegistration(f.messageId().toString(), "Haendelsesbesked",
                                    "LeveranceFejlet", null, null)),
                    null, null, new Envelope.Payload("application/json", data));
            storeInTransaction(notice, OPENSTS, "INTERNAL", Set.of(f.sender()));
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
