package dk.opensts.platform.index;

import dk.opensts.platform.audit.AuditLog;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.Unstorable;
import dk.opensts.platform.events.RegistryChanged;
import dk.opensts.platform.security.Actor;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies publications (single requests and batches alike) to an index: binds and checks each
 * record, checks the references of all records of a kind at once, decides each against the stored
 * version ({@link Publication}), and writes what changed in one transaction with its outbox event
 * and audit record. Items that fail are answered one by one and leave the rest unharmed; a fault in
 * the write itself rolls the whole batch back.
 */
public class IndexWriter {

    /** One kind of record an index holds (case, document, grant), with its SQL. */
    public interface Kind<T> {

        /** The {@code type} of a batch item and in events, for example {@code case}. */
        String type();

        Class<T> recordType();

        /** The publisher's version the record carries. */
        int version(T record);

        /** Rules of one record beyond bean validation (municipality of the token, formats). */
        void check(T record, Actor actor);

        /** References of all records of the batch (units, classes, parents); calls {@link Pending#fail} per bad one. */
        void checkReferences(List<Pending<T>> items, Actor actor);

        /** What is stored for the publisher's local ids, by local id. */
        Map<String, Publication.Stored> stored(String systemId, Set<String> localIds);

        /** The stored record (for an update), or {@code null}. */
        ObjectNode storedBody(String systemId, String localId);

        /** Writes the decided items (creations, replacements, removals) of this kind. */
        void write(String systemId, List<Pending<T>> items, Instant now);

        /** The owner to name in the change event (the municipality's organisation, or a fixed id). */
        UUID owner(Actor actor);
    }

    /** An item on its way: the parsed record, then the decision, or the refusal. */
    public static final class Pending<T> {
        public final BatchItem item;
        public final T record;
        public final String canonical;
        public final byte[] hash;
        public UUID id;
        public int version;
        public Publication.Outcome outcome;
        ApiException failure;

        Pending(BatchItem item, T record, String canonical) {
            this.item = item;
            this.record = record;
            this.canonical = canonical;
            this.hash = canonical == null ? null : Publication.hash(canonical);
        }

        public void fail(ApiException e) {
            if (failure == null) {
                failure = e;
            }
        }

        public boolean failed() {
            return failure != null;
        }
    }

    private final String registry;
    private final List<Kind<?>> kinds;
    private final RecordBinder binder;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final AuditLog audit;
    private final Clock clock;

    /** {@code kinds} in the order they are written (parents before children). */
    public IndexWriter(String registry, List<Kind<?>> kinds, RecordBinder binder, TransactionTemplate tx,
                       ApplicationEventPublisher events, AuditLog audit, Clock clock) {
        this.registry = registry;
        this.kinds = List.copyOf(kinds);
        this.binder = binder;
        this.tx = tx;
        this.events = events;
        this.audit = audit;
        this.clock = clock;
    }

    public Set<String> types() {
        Set<String> out = new java.util.LinkedHashSet<>();
        kinds.forEach(k -> out.add(k.type()));
        return out;
    }

    public BatchItem.Answer batch(Actor actor, List<String> lines) {
        List<BatchItem.Result> failedLines = new ArrayList<>();
        List<BatchItem> items = new ArrayList<>();
        Set<String> types = types();
        for (int i = 0; i < lines.size(); i++) {
            try {
                items.add(BatchItem.parse(i + 1, lines.get(i), binder.json(), types));
            } catch (ApiException e) {
                failedLines.add(BatchItem.Result.failed(i + 1, null, null, e));
            }
        }
        List<BatchItem.Result> results = new ArrayList<>(apply(actor, items).values());
        results.addAll(failedLines);
        results.sort(java.util.Comparator.comparingInt(BatchItem.Result::line));
        return BatchItem.Answer.of(results);
    }

    /** One publication; a refusal is thrown as the problem a single request answers with. */
    public BatchItem.Result single(Actor actor, BatchItem item) {
        Pending<?>[] failed = new Pending<?>[1];
        BatchItem.Result r = apply(actor, List.of(item), failed).get(item.line());
        if (failed[0] != null) {
            throw failed[0].failure;
        }
        return r;
    }

    private Map<Integer, BatchItem.Result> apply(Actor actor, List<BatchItem> items) {
        return apply(actor, items, null);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Map<Integer, BatchItem.Result> apply(Actor actor, List<BatchItem> items, Pending<?>[] firstFailure) {
        String systemId = actor.id();
        Map<Kind<?>, List<Pending<?>>> byKind = new LinkedHashMap<>();
        kinds.forEach(k -> byKind.put(k, new ArrayList<>()));
        List<Pending<?>> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (BatchItem item : items) {
            Kind kind = kinds.stream().filter(k -> k.type().equals(item.type())).findFirst().orElseThrow();
            Pending p = prepare(kind, item, actor, systemId);
            if (!seen.add(item.type() + "\u0000" + item.localId())) {
                p.fail(ApiException.field(ErrorCode.VALIDATION_FAILED, "/localId",
                        "the batch names " + item.type() + " " + item.localId() + " more than once"));
            }
            byKind.get(kind).add(p);
            all.add(p);
        }
        Instant now = clock.instant();
        tx.executeWithoutResult(status -> {
            List<RegistryChanged.ChangedObject> changed = new ArrayList<>();
            for (Map.Entry<Kind<?>, List<Pending<?>>> e : byKind.entrySet()) {
                Kind kind = e.getKey();
                List<Pending> pending = (List) e.getValue();
                if (pending.isEmpty()) {
                    continue;
                }
                List<Pending> live = pending.stream().filter(p -> !p.failed() && p.item.op() != Publication.Op.REMOVE)
                        .toList();
                if (!live.isEmpty()) {
                    kind.checkReferences((List) live, actor);
                }
                Set<String> ids = new HashSet<>();
                pending.stream().filter(p -> !p.failed()).forEach(p -> ids.add(p.item.localId()));
                Map<String, Publication.Stored> stored = ids.isEmpty() ? Map.of() : kind.stored(systemId, ids);
                List<Pending> writes = new ArrayList<>();
                for (Pending p : pending) {
                    if (p.failed()) {
                        continue;
                    }
                    Publication.Stored s = stored.get(p.item.localId());
                    int version = p.item.op() == Publication.Op.REMOVE ? p.item.version() : kind.version(p.record);
                    try {
                        p.outcome = Publication.decide(p.item.op(), s, version, p.hash, kind.type(), p.item.localId());
                    } catch (ApiException ex) {
                        p.fail(ex);
                        continue;
                    }
                    p.id = s == null ? UUID.randomUUID() : s.id();
                    p.version = version;
                    if (p.outcome != Publication.Outcome.UNCHANGED) {
                        writes.add(p);
                    }
                }
                if (!writes.isEmpty()) {
                    kind.write(systemId, (List) writes, now);
                    UUID owner = kind.owner(actor);
                    for (Pending p : writes) {
                        changed.add(new RegistryChanged.ChangedObject(p.id, kind.type(), p.version,
                                lifecycle(p.outcome), owner));
                    }
                }
            }
            for (int from = 0; from < changed.size(); from += RegistryChanged.MAX_OBJECTS) {
                List<RegistryChanged.ChangedObject> part = changed.subList(from,
                        Math.min(changed.size(), from + RegistryChanged.MAX_OBJECTS));
                events.publishEvent(new RegistryChanged(registry, now, List.copyOf(part), actor.municipality()));
            }
            if (!changed.isEmpty()) {
                audit.record(actor, AuditLog.Action.WRITE, registry,
                        changed.stream().map(RegistryChanged.ChangedObject::id).toList(),
                        Map.of("items", items.size(), "changed", changed.size()));
            }
        });
        Map<Integer, BatchItem.Result> out = new LinkedHashMap<>();
        for (Pending<?> p : all) {
            if (p.failed()) {
                if (firstFailure != null && firstFailure[0] == null) {
                    firstFailure[0] = p;
                }
                out.put(p.item.line(), BatchItem.Result.failed(p.item.line(), p.item.type(), p.item.localId(), p.failure));
            } else {
                out.put(p.item.line(), BatchItem.Result.done(p.item, p.outcome, p.id, p.version));
            }
        }
        return out;
    }

    private static String lifecycle(Publication.Outcome outcome) {
        return switch (outcome) {
            case CREATED -> "IMPORTED";
            case REPLACED -> "CORRECTED";
            case REMOVED -> "DELETED";
            case UNCHANGED -> throw new IllegalStateException();
        };
    }

    private <T> Pending<T> prepare(Kind<T> kind, BatchItem item, Actor actor, String systemId) {
        try {
            BatchItem.localId("/localId", item.localId());
            if (item.op() == Publication.Op.REMOVE) {
                return new Pending<>(item, null, null);
            }
            JsonNode data = item.data();
            if (item.op() == Publication.Op.UPDATE) {
                ObjectNode current = kind.storedBody(systemId, item.localId());
                if (current == null) {
                    throw ApiException.notFound(kind.type(), item.localId());
                }
                data = mergePatch(current, item.data());
            }
            Unstorable.refuseNul(data);
            T record = binder.bind(data, kind.recordType());
            kind.check(record, actor);
            return new Pending<>(item, record, binder.canonical(record));
        } catch (ApiException e) {
            Pending<T> p = new Pending<>(item, null, null);
            p.fail(e);
            return p;
        }
    }

    /** RFC 7396 JSON merge patch. */
    static ObjectNode mergePatch(ObjectNode target, ObjectNode patch) {
        ObjectNode out = target.deepCopy();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            JsonNode value = e.getValue();
            if (value.isNull()) {
                out.remove(e.getKey());
            } else if (value instanceof ObjectNode po && out.get(e.getKey()) instanceof ObjectNode to) {
                out.set(e.getKey(), mergePatch(to, po));
            } else {
                out.set(e.getKey(), value.deepCopy());
            }
        }
        return out;
    }
}
