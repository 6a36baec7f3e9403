package dk.opensts.platform.registry;

import dk.opensts.platform.audit.AuditLog;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.bitemporal.Change;
import dk.opensts.platform.bitemporal.JsonbDigest;
import dk.opensts.platform.bitemporal.Lifecycle;
import dk.opensts.platform.bitemporal.ObjectHead;
import dk.opensts.platform.bitemporal.Period;
import dk.opensts.platform.bitemporal.WriteResult;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.events.RegistryChanged;
import dk.opensts.platform.security.Actor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies a complete snapshot of an owner's objects (a municipality's feed, a classification):
 * compares each object with what is stored valid at {@code validFrom} and writes only the
 * differences, as new registrations valid from then on; objects of the snapshot's types that the
 * snapshot no longer holds are passivated. A re-import of an unchanged snapshot writes nothing.
 * The caller validates the snapshot as a whole first; this runs in one transaction.
 */
public class SnapshotImport {

    /**
     * One object of the snapshot with validated attributes and, when the caller made it already
     * (say while parsing in parallel), their JSON form as stored.
     */
    public record Item<A>(UUID id, ObjectTypeSpec<A> spec, A attributes, ObjectNode data) {
        public Item(UUID id, ObjectTypeSpec<A> spec, A attributes) {
            this(id, spec, attributes, null);
        }
    }

    /** What an import did. */
    public record Result(int objects, int created, int changed, int unchanged, int passivated) {
    }

    private final RegistryService registry;
    private final AuditLog audit;
    private final JsonMapper json;

    public SnapshotImport(RegistryService registry, AuditLog audit, JsonMapper json) {
        this.registry = registry;
        this.audit = audit;
        this.json = json;
    }

    public Result apply(UUID owner, List<? extends ObjectTypeSpec<?>> types, List<Item<?>> items, Instant validFrom,
                        boolean passivateMissing, Actor actor, String note) {
        return apply(owner, types, items, validFrom, passivateMissing, v -> true, actor, note);
    }

    /** As above; only current objects whose data {@code covered} accepts are passivated when missing. */
    public Result apply(UUID owner, List<? extends ObjectTypeSpec<?>> types, List<Item<?>> items, Instant validFrom,
                        boolean passivateMissing, java.util.function.Predicate<ObjectNode> covered, Actor actor,
                        String note) {
        BitemporalStore store = registry.store();
        return registry.tx().execute(s -> {
            List<String> typeNames = types.stream().map(ObjectTypeSpec::name).toList();
            Map<UUID, BitemporalStore.Current> current = new HashMap<>();
            for (BitemporalStore.Current c : store.currentState(owner, typeNames, validFrom)) {
                current.put(c.id(), c);
            }
            List<Change> changes = new ArrayList<>();
            Map<UUID, ObjectTypeSpec<?>> specOf = new LinkedHashMap<>();
            int created = 0;
            int unchanged = 0;
            for (Item<?> item : items) {
                ObjectNode data = item.data() != null ? item.data() : json.valueToTree(item.attributes());
                BitemporalStore.Current c = current.get(item.id());
                // compared by digest: what is stored is not read and parsed object by object
                if (c != null && c.digest() != null && c.type().equals(item.spec().name())
                        && c.digest().equals(JsonbDigest.of(data))) {
                    unchanged++;
                    continue;
                }
                if (c != null && c.lifecycle() == Lifecycle.DELETED) {
                    throw new ApiException(ErrorCode.IMPORT_REJECTED, item.spec().name() + " " + item.id()
                            + " was deleted and cannot be imported again");
                }
                if (c == null) {
                    created++;
                }
                changes.add(change(item, owner, data, validFrom, actor, note));
                specOf.put(item.id(), item.spec());
            }
            List<WriteResult> results = new ArrayList<>(store.apply(changes));
            int passivated = 0;
            if (passivateMissing) {
                Set<UUID> inSnapshot = new java.util.HashSet<>();
                items.forEach(i -> inSnapshot.add(i.id()));
                List<BitemporalStore.Current> missing = current.values().stream()
                        .filter(c -> c.digest() != null && !inSnapshot.contains(c.id())).toList();
                Map<UUID, ObjectNode> missingData = store.currentData(
                        missing.stream().map(BitemporalStore.Current::id).toList(), validFrom);
                for (BitemporalStore.Current c : missing) {
                    ObjectNode data = missingData.get(c.id());
                    if (data != null && covered.test(data)) {
                        results.add(store.end(c.id(), c.type(), Lifecycle.PASSIVATED, null, actor.id(),
                                "not in the imported snapshot"));
                        specOf.put(c.id(), types.stream().filter(t -> t.name().equals(c.type())).findFirst().orElseThrow());
                        passivated++;
                    }
                }
            }
            List<RegistryChanged.ChangedObject> changed = new ArrayList<>();
            Map<String, List<UUID>> personal = new LinkedHashMap<>();
            for (WriteResult r : results) {
                if (!r.changed()) {
                    continue;
                }
                ObjectHead h = r.head();
                changed.add(new RegistryChanged.ChangedObject(h.id(), h.type(), h.version(), h.lifecycle().name(), h.owner()));
                if (specOf.get(h.id()).personal()) {
                    personal.computeIfAbsent(h.type(), k -> new ArrayList<>()).add(h.id());
                }
            }
            registry.publish(changed, actor.municipality());
            personal.forEach((type, ids) -> audit.record(actor, AuditLog.Action.WRITE,
                    registry.registry() + "." + type, ids, Map.of("import", note == null ? "" : note)));
            int changedCount = (int) results.stream().filter(WriteResult::changed).count() - passivated - created;
            return new Result(items.size(), created, changedCount, unchanged, passivated);
        });
    }

    private static <A> Change change(Item<A> item, UUID owner, ObjectNode data, Instant validFrom, Actor actor, String note) {
        var index = item.spec().index(item.attributes());
        return new Change(item.id(), item.spec().name(), owner, null, false, Lifecycle.IMPORTED, actor.id(), note,
                Period.from(validFrom), actor.id(), note, old -> data, true, n -> index);
    }
}
