package dk.opensts.platform.registry;

import dk.opensts.platform.audit.AuditLog;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.bitemporal.Change;
import dk.opensts.platform.bitemporal.Lifecycle;
import dk.opensts.platform.bitemporal.ObjectHead;
import dk.opensts.platform.bitemporal.Period;
import dk.opensts.platform.bitemporal.TimePoint;
import dk.opensts.platform.bitemporal.Version;
import dk.opensts.platform.bitemporal.WriteResult;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.Unstorable;
import dk.opensts.platform.error.FieldProblem;
import dk.opensts.platform.events.RegistryChanged;
import dk.opensts.platform.idempotency.Idempotency;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.web.TimeParams;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The operations every registry object type has: create, import (PUT), read as of any time,
 * history, search, correct (merge patch), passivate and delete. Each write validates first,
 * writes only the changed valid periods, publishes a {@link RegistryChanged} event to the outbox
 * and, for personal data, an audit record — all in one transaction.
 */
public class RegistryService {

    private final String registry;
    private final BitemporalStore store;
    private final AuditLog audit;
    private final Idempotency idempotency;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate tx;
    private final Validator validator;
    private final JsonMapper strict;
    private final JsonMapper json;

    public RegistryService(String registry, BitemporalStore store, AuditLog audit, Idempotency idempotency,
                           ApplicationEventPublisher events, TransactionTemplate tx, Validator validator, JsonMapper json) {
        this.registry = registry;
        this.store = store;
        this.audit = audit;
        this.idempotency = idempotency;
        this.events = events;
        this.tx = tx;
        this.validator = validator;
        this.json = json;
        this.strict = dk.opensts.platform.web.StrictJson.of(json);
    }

    /**
     * Which municipality's objects a caller may read and change. A token's {@code cvr} limits it to
     * one owner; the limit is part of every search query and checked on every object read or written
     * by id (another municipality's object is "not found"). Internal actors (no token audience) are
     * not limited.
     */
    public interface Tenancy {
        /**
         * The owner of the actor's municipality, {@link #NO_OWNER} when it has none here yet, or
         * {@code null} when owners are shared (then only {@link #belongs} limits writes).
         */
        UUID ownerOf(Actor actor);

        /** Whether a write with these attributes (and the owner they give) stays in the actor's municipality. */
        default boolean belongs(Actor actor, UUID actorOwner, UUID owner, Object attributes) {
            return actorOwner == null || actorOwner.equals(owner);
        }
    }

    /** The owner no object has: a caller whose municipality has no data sees nothing. */
    public static final UUID NO_OWNER = new UUID(0, 0);

    private volatile Tenancy tenancy;

    public void setTenancy(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    /** The owner the actor is limited to, or {@code null} when it is not limited. */
    public UUID limit(Actor actor) {
        Tenancy t = tenancy;
        return t == null || actor.audience() == null ? null : t.ownerOf(actor);
    }

    /** The query, limited to the actor's municipality (in the query itself). */
    public BitemporalStore.Query limited(BitemporalStore.Query q, Actor actor) {
        UUID mine = limit(actor);
        if (mine == null) {
            return q;
        }
        UUID owner = q.owner() == null || q.owner().equals(mine) ? mine : NO_OWNER;
        return new BitemporalStore.Query(q.type(), owner, q.ownerOrNational(), q.userKey(), q.namePrefix(), q.parentId(),
                q.ref(), q.at(), q.after(), q.limit(), q.tenantAttribute(), q.tenantValue());
    }

    /** Refuses (as not found) an object of another municipality than the actor's. */
    public void requireVisible(ObjectTypeSpec<?> spec, UUID id, UUID owner, Actor actor) {
        UUID mine = limit(actor);
        if (mine != null && !mine.equals(owner)) {
            throw ApiException.notFound(spec.name(), id);
        }
    }

    /** Refuses a write whose attributes would place the object in another municipality. */
    private <A> void requireBelongs(ObjectTypeSpec<A> spec, UUID id, A attributes, Actor actor) {
        Tenancy t = tenancy;
        if (t != null && actor.audience() != null
                && !t.belongs(actor, t.ownerOf(actor), spec.owner(id, attributes), attributes)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "The " + spec.name() + " would belong to another municipality "
                    + "than the token's (" + actor.municipality() + ")");
        }
    }

    private void requireVisibleHead(ObjectTypeSpec<?> spec, UUID id, Actor actor) {
        if (limit(actor) != null) {
            ObjectHead head = store.head(id).orElseThrow(() -> ApiException.notFound(spec.name(), id));
            requireVisible(spec, id, head.owner(), actor);
        }
    }

    public String registry() {
        return registry;
    }

    public BitemporalStore store() {
        return store;
    }

    public TransactionTemplate tx() {
        return tx;
    }

    // ------------------------------------------------------------------ parsing

    /** A write body split into validated attributes and the write's period and notes. */
    public record Parsed<A>(UUID id, A attributes, WriteInput input) {
    }

    public <A> Parsed<A> parse(ObjectTypeSpec<A> spec, ObjectNode body, Instant now) {
        ObjectNode copy = body.deepCopy();
        JsonNode id = copy.remove("id");
        WriteInput input = input(copy.remove("validity"), copy.remove("note"), now);
        A attributes = attributes(spec, copy);
        UUID uuid = null;
        if (id != null && !id.isNull()) {
            try {
                uuid = dk.opensts.platform.web.Uuids.parse(id);
            } catch (IllegalArgumentException e) {
                throw ApiException.field(ErrorCode.WRONG_TYPE, "/id", e.getMessage());
            }
        }
        return new Parsed<>(uuid, attributes, input);
    }

    public <A> A attributes(ObjectTypeSpec<A> spec, ObjectNode node) {
        A a = strict.treeToValue(node, spec.attributes());
        List<FieldProblem> problems = new ArrayList<>();
        for (ConstraintViolation<A> v : validator.validate(a)) {
            problems.add(new FieldProblem("/" + v.getPropertyPath(), v.getMessage()));
        }
        if (!problems.isEmpty()) {
            problems.sort(Comparator.comparing(FieldProblem::field));
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "Invalid " + spec.name() + ": "
                    + problems.get(0).field() + " " + problems.get(0).reason(), problems);
        }
        return a;
    }

    /** The {@code validity} object ({@code from}, {@code to}, {@code note}) and registration {@code note}. */
    public WriteInput input(JsonNode validity, JsonNode note, Instant now) {
        Instant from = now;
        Instant to = null;
        String validNote = null;
        if (validity != null && !validity.isNull()) {
            if (!validity.isObject()) {
                throw ApiException.field(ErrorCode.WRONG_TYPE, "/validity", "must be an object with from, to and note");
            }
            for (var it = validity.propertyNames().iterator(); it.hasNext(); ) {
                String f = it.next();
                if (!List.of("from", "to", "note").contains(f)) {
                    throw new ApiException(ErrorCode.UNKNOWN_FIELD, "Unknown field /validity/" + f,
                            List.of(new FieldProblem("/validity/" + f, "unknown field")));
                }
            }
            from = time(validity, "from", now);
            to = time(validity, "to", null);
            validNote = text(validity.get("note"), "/validity/note");
            if (validity.has("from") && validity.get("from").isNull()) {
                from = null; // explicitly unbounded
            }
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new ApiException(ErrorCode.INVALID_PERIOD, "validity.from " + from + " is not before validity.to " + to,
                    List.of(new FieldProblem("/validity", "from must be before to")));
        }
        return new WriteInput(new Period(from, to), validNote, text(note, "/note"));
    }

    private static Instant time(JsonNode validity, String field, Instant fallback) {
        JsonNode n = validity.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isString()) {
            throw ApiException.field(ErrorCode.WRONG_TYPE, "/validity/" + field, "must be an ISO-8601 string");
        }
        Instant t = TimeParams.instant(n.asString());
        if (t == null) {
            throw ApiException.field(ErrorCode.WRONG_TYPE, "/validity/" + field,
                    "not an ISO-8601 date or date-time with offset");
        }
        if (!Unstorable.inRange(t)) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/validity/" + field, Unstorable.TIME_REASON);
        }
        return t;
    }

    private static String text(JsonNode n, String field) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isString()) {
            throw ApiException.field(ErrorCode.WRONG_TYPE, field, "must be a string");
        }
        if (n.asString().length() > 2000) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, field, "at most 2000 characters");
        }
        return n.asString();
    }

    // ------------------------------------------------------------------ writes

    /** Runs {@code write} once per {@code Idempotency-Key}; a retry gets the kept answer. */
    public ApiResponse idempotent(Actor actor, String key, String fingerprint, Supplier<ApiResponse> write) {
        return tx.execute(status -> {
            if (key == null) {
                return write.get();
            }
            Optional<Idempotency.StoredResponse> kept = idempotency.claim(actor.id(), key, fingerprint);
            if (kept.isPresent()) {
                var r = kept.get();
                ObjectNode body = (ObjectNode) json.readTree(r.body());
                return new ApiResponse(r.status(), r.location(), body, body.path("version").asInt());
            }
            ApiResponse response = write.get();
            idempotency.complete(actor.id(), key,
                    new Idempotency.StoredResponse(response.status(), response.location(), response.body().toString()));
            return response;
        });
    }

    /**
     * Creates a new object (POST); it must not exist. With the source system's {@code localId}
     * (the actor is the source system), a create whose local id names an object already made
     * answers that object when the attributes are the same (200, nothing written) and refuses
     * otherwise (409 {@code DUPLICATE} with its id).
     */
    public <A> ApiResponse create(ObjectTypeSpec<A> spec, Parsed<A> p, Actor actor, String basePath, String localId) {
        UUID id = p.id() == null ? UUID.randomUUID() : p.id();
        requireBelongs(spec, id, p.attributes(), actor);
        return tx.execute(s -> {
            if (localId != null) {
                Optional<UUID> made = idempotency.claimLocalId(actor.id(), registry, spec.name(), localId, id);
                if (made.isPresent()) {
                    return alreadyMade(spec, p, made.get(), localId, basePath);
                }
            }
            spec.validate(id, p.attributes(), p.input().valid());
            WriteResult r = write(spec, id, p.attributes(), p.input(), null, true, Lifecycle.CREATED, actor);
            return new ApiResponse(201, basePath + "/" + id, render(id, r.head().version()), r.head().version());
        });
    }

    private <A> ApiResponse alreadyMade(ObjectTypeSpec<A> spec, Parsed<A> p, UUID made, String localId, String basePath) {
        Instant now = store.now();
        Optional<Version> current = store.at(made, TimePoint.at(now));
        ObjectNode wanted = json.valueToTree(p.attributes());
        if (current.isPresent() && current.get().data().equals(wanted)) {
            Version v = current.get();
            return new ApiResponse(200, basePath + "/" + made, render(made, v.currentVersion()), v.currentVersion());
        }
        throw new ApiException(ErrorCode.DUPLICATE, "Local-Id " + localId + " of this system is " + spec.name() + " "
                + made + (current.isPresent() ? ", with other attributes; change it with PUT or PATCH"
                : ", which is no longer current"), List.of(), Map.of("objectId", made.toString()));
    }

    /** Imports the object's state over the period (PUT by id): creates it or corrects what differs. */
    public <A> ApiResponse put(ObjectTypeSpec<A> spec, UUID id, Parsed<A> p, Integer expectedVersion, Actor actor,
                               String basePath) {
        if (p.id() != null && !p.id().equals(id)) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/id", "differs from the id in the path");
        }
        requireBelongs(spec, id, p.attributes(), actor);
        return tx.execute(s -> {
            spec.validate(id, p.attributes(), p.input().valid());
            Optional<ObjectHead> before = store.head(id);
            if (before.isPresent()) {
                requireVisible(spec, id, before.get().owner(), actor);
            }
            Lifecycle lifecycle = before.isEmpty() ? Lifecycle.IMPORTED : Lifecycle.CORRECTED;
            WriteResult r = write(spec, id, p.attributes(), p.input(), expectedVersion, false, lifecycle, actor);
            return new ApiResponse(before.isEmpty() ? 201 : 200, basePath + "/" + id, render(id, r.head().version()),
                    r.head().version());
        });
    }

    /** Applies a JSON merge patch (RFC 7396) to the object's attributes over the period. */
    public <A> ApiResponse patch(ObjectTypeSpec<A> spec, UUID id, ObjectNode patch, int expectedVersion, Actor actor,
                                 String basePath, Instant now) {
        ObjectNode attributesPatch = patch.deepCopy();
        WriteInput input = input(attributesPatch.remove("validity"), attributesPatch.remove("note"), now);
        if (attributesPatch.has("id")) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/id", "cannot be changed");
        }
        return tx.execute(s -> {
            Change change = new Change(id, spec.name(), null, expectedVersion, false, Lifecycle.CORRECTED, actor.id(),
                    input.note(), input.valid(), actor.id(), input.validNote(), old -> {
                        ObjectNode merged = mergePatch(old, attributesPatch);
                        A a = attributes(spec, merged);
                        requireBelongs(spec, id, a, actor);
                        spec.validate(id, a, input.valid());
                        return json.valueToTree(a);
                    }, false, node -> spec.index(strict.treeToValue(node, spec.attributes())));
            ObjectHead head = store.head(id).orElseThrow(() -> ApiException.notFound(spec.name(), id));
            requireVisible(spec, id, head.owner(), actor);
            change = withOwner(change, head.owner());
            WriteResult r = store.apply(List.of(change)).get(0);
            afterWrite(spec, List.of(r), actor);
            return new ApiResponse(200, basePath + "/" + id, render(id, r.head().version()), r.head().version());
        });
    }

    public <A> ApiResponse end(ObjectTypeSpec<A> spec, UUID id, Lifecycle lifecycle, int expectedVersion, String note,
                               Actor actor, String basePath) {
        return tx.execute(s -> {
            requireVisibleHead(spec, id, actor);
            WriteResult r = store.end(id, spec.name(), lifecycle, expectedVersion, actor.id(), note);
            afterWrite(spec, List.of(r), actor);
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("id", id.toString());
            body.put("type", spec.name());
            body.put("version", r.head().version());
            body.put("lifecycle", r.head().lifecycle().name());
            body.put("registeredAt", r.head().registeredAt().toString());
            return new ApiResponse(200, basePath + "/" + id, body, r.head().version());
        });
    }

    private <A> WriteResult write(ObjectTypeSpec<A> spec, UUID id, A attributes, WriteInput input,
                                  Integer expectedVersion, boolean create, Lifecycle lifecycle, Actor actor) {
        ObjectNode data = json.valueToTree(attributes);
        var index = spec.index(attributes);
        Change change = new Change(id, spec.name(), spec.owner(id, attributes), expectedVersion, create, lifecycle,
                actor.id(), input.note(), input.valid(), actor.id(), input.validNote(), old -> data, true, n -> index);
        WriteResult r = store.apply(List.of(change)).get(0);
        afterWrite(spec, List.of(r), actor);
        return r;
    }

    private static Change withOwner(Change c, UUID owner) {
        return new Change(c.objectId(), c.type(), owner, c.expectedVersion(), c.create(), c.lifecycle(), c.actor(),
                c.note(), c.valid(), c.validActor(), c.validNote(), c.apply(), c.fillGaps(), c.index());
    }

    /** Events and audit for written objects; call inside the writing transaction. */
    public void afterWrite(ObjectTypeSpec<?> spec, List<WriteResult> results, Actor actor) {
        List<RegistryChanged.ChangedObject> changed = new ArrayList<>();
        for (WriteResult r : results) {
            if (r.changed()) {
                ObjectHead h = r.head();
                changed.add(new RegistryChanged.ChangedObject(h.id(), h.type(), h.version(), h.lifecycle().name(), h.owner()));
            }
        }
        publish(changed, actor.municipality());
        if (spec.personal() && !changed.isEmpty()) {
            audit.record(actor, AuditLog.Action.WRITE, registry + "." + spec.name(),
                    changed.stream().map(RegistryChanged.ChangedObject::id).toList(), Map.of());
        }
    }

    /** Publishes changes to the outbox in events of at most {@link RegistryChanged#MAX_OBJECTS} objects. */
    public void publish(List<RegistryChanged.ChangedObject> changed, String municipality) {
        for (int i = 0; i < changed.size(); i += RegistryChanged.MAX_OBJECTS) {
            events.publishEvent(new RegistryChanged(registry, store.now(),
                    List.copyOf(changed.subList(i, Math.min(changed.size(), i + RegistryChanged.MAX_OBJECTS))),
                    municipality));
        }
    }

    // ------------------------------------------------------------------ reads

    public <A> ObjectNode read(ObjectTypeSpec<A> spec, UUID id, TimePoint tp, Actor actor) {
        return tx.execute(s -> {
            Version v = store.at(id, tp).filter(x -> x.type().equals(spec.name()))
                    .orElseThrow(() -> absent(spec, id, tp, actor));
            requireVisible(spec, id, v.owner(), actor);
            if (spec.personal()) {
                audit.record(actor, AuditLog.Action.READ, registry + "." + spec.name(), List.of(id),
                        Map.of("validAt", tp.validAt().toString(), "knownAt", tp.knownAt().toString()));
            }
            return render(v);
        });
    }

    /** Why nothing is there: gone (deleted), passivated, never existed, or not valid at that time. */
    public ApiException absent(ObjectTypeSpec<?> spec, UUID id, TimePoint tp, Actor actor) {
        Optional<ObjectHead> head = store.head(id);
        UUID mine = limit(actor);
        if (head.isEmpty() || !head.get().type().equals(spec.name()) || head.get().createdAt().isAfter(tp.knownAt())
                || mine != null && !mine.equals(head.get().owner())) {
            return ApiException.notFound(spec.name(), id);
        }
        ObjectHead h = head.get();
        if (!h.registeredAt().isAfter(tp.knownAt())) {
            if (h.lifecycle() == Lifecycle.DELETED) {
                return new ApiException(ErrorCode.GONE, spec.name() + " " + id + " was deleted at " + h.registeredAt());
            }
            if (h.lifecycle() == Lifecycle.PASSIVATED) {
                return new ApiException(ErrorCode.PASSIVATED, spec.name() + " " + id + " was passivated at "
                        + h.registeredAt() + "; read it with an earlier knownAt");
            }
        }
        return new ApiException(ErrorCode.NOT_FOUND, spec.name() + " " + id + " has no version valid at "
                + tp.validAt() + " as known at " + tp.knownAt());
    }

    public <A> ObjectNode history(ObjectTypeSpec<A> spec, UUID id, Actor actor) {
        return tx.execute(s -> {
            ObjectHead h = store.head(id).filter(x -> x.type().equals(spec.name()))
                    .orElseThrow(() -> ApiException.notFound(spec.name(), id));
            requireVisible(spec, id, h.owner(), actor);
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("id", id.toString());
            body.put("type", spec.name());
            body.put("version", h.version());
            body.put("lifecycle", h.lifecycle().name());
            var regs = body.putArray("registrations");
            store.registrations(id).forEach(r -> regs.add(registration(r)));
            var versions = body.putArray("versions");
            for (Version v : store.history(id)) {
                ObjectNode n = render(v);
                n.put("recordedFrom", v.sysFrom().toString());
                if (v.sysTo() != null) {
                    n.put("recordedTo", v.sysTo().toString());
                } else {
                    n.putNull("recordedTo");
                }
                versions.add(n);
            }
            if (spec.personal()) {
                audit.record(actor, AuditLog.Action.READ, registry + "." + spec.name(), List.of(id),
                        Map.of("history", true));
            }
            return body;
        });
    }

    /** One page of a search; the audit record names the criteria and the ids handed out. */
    public <A> List<Version> search(ObjectTypeSpec<A> spec, BitemporalStore.Query query, Actor actor,
                                    Map<String, String> criteria) {
        BitemporalStore.Query q = limited(query, actor);
        return tx.execute(s -> {
            List<Version> found = store.search(q);
            if (spec.personal()) {
                audit.record(actor, AuditLog.Action.SEARCH, registry + "." + spec.name(),
                        found.stream().map(Version::objectId).toList(), new LinkedHashMap<>(criteria));
            }
            return found;
        });
    }

    // ------------------------------------------------------------------ rendering

    /** The object as written: its version valid now or, if none is, its latest recorded period. */
    private ObjectNode render(UUID id, int version) {
        Optional<Version> current = store.at(id, TimePoint.at(store.now()));
        if (current.isPresent()) {
            return render(current.get());
        }
        return store.history(id).stream()
                .filter(x -> x.sysTo() == null)
                .max(Comparator.comparing(x -> x.valid().from(), Comparator.nullsFirst(Comparator.naturalOrder())))
                .map(this::render)
                .orElseGet(() -> {
                    ObjectNode n = JsonNodeFactory.instance.objectNode();
                    n.put("id", id.toString());
                    n.put("version", version);
                    return n;
                });
    }

    public ObjectNode render(Version v) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", v.objectId().toString());
        n.put("type", v.type());
        n.put("version", v.currentVersion());
        n.put("lifecycle", v.currentLifecycle().name());
        n.setAll(v.data());
        ObjectNode validity = n.putObject("validity");
        putTime(validity, "from", v.valid().from());
        putTime(validity, "to", v.valid().to());
        validity.put("actor", v.validActor());
        validity.put("note", v.validNote());
        n.set("registration", registration(v.registration()));
        if (v.depth() > 0) {
            n.put("depth", v.depth());
        }
        return n;
    }

    /**
     * A tree read as {@code {"items": [...]}}: per node its id, type, depth, attributes and valid
     * period; read an object for its version (ETag) and registration.
     * Written straight from the stored JSON text, without parsing it.
     */
    public byte[] renderTree(List<BitemporalStore.TreeNode> nodes) {
        List<byte[]> heads = new ArrayList<>(nodes.size());
        int size = 12 + nodes.size();
        for (BitemporalStore.TreeNode node : nodes) {
            byte[] head = ("{\"id\":\"" + node.id() + "\",\"depth\":" + node.depth() + ",")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            heads.add(head);
            size += head.length + node.json().length;
        }
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(size);
        out.put("{\"items\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (int i = 0; i < nodes.size(); i++) {
            if (i > 0) {
                out.put((byte) ',');
            }
            out.put(heads.get(i)).put(nodes.get(i).json());
        }
        out.put((byte) ']').put((byte) '}');
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    private static ObjectNode registration(dk.opensts.platform.bitemporal.Registration r) {
        ObjectNode reg = JsonNodeFactory.instance.objectNode();
        reg.put("version", r.version());
        reg.put("at", r.registeredAt().toString());
        reg.put("actor", r.actor());
        reg.put("note", r.note());
        reg.put("lifecycle", r.lifecycle().name());
        return reg;
    }

    private static void putTime(ObjectNode n, String field, Instant t) {
        if (t == null) {
            n.putNull(field);
        } else {
            n.put(field, t.toString());
        }
    }

    /** RFC 7396 JSON merge patch. */
    static ObjectNode mergePatch(ObjectNode target, ObjectNode patch) {
        ObjectNode result = target == null ? JsonNodeFactory.instance.objectNode() : target.deepCopy();
        for (var e : patch.properties()) {
            JsonNode value = e.getValue();
            if (value.isNull()) {
                result.remove(e.getKey());
            } else if (value.isObject() && result.get(e.getKey()) instanceof ObjectNode existing) {
                result.set(e.getKey(), mergePatch(existing, (ObjectNode) value));
            } else {
                result.set(e.getKey(), value.deepCopy());
            }
        }
        return result;
    }
}
