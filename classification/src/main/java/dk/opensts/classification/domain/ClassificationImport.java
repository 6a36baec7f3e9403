package dk.opensts.classification.domain;

import dk.opensts.platform.web.Uuids;
import dk.opensts.classification.domain.ClassAttributes.ClassAttrs;
import dk.opensts.classification.domain.ClassAttributes.ClassificationAttrs;
import dk.opensts.classification.domain.ClassAttributes.FacetAttrs;
import dk.opensts.classification.kle.KleDocument;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.bitemporal.TimePoint;
import dk.opensts.platform.bitemporal.Version;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.FieldProblem;
import dk.opensts.platform.registry.ObjectTypeSpec;
import dk.opensts.platform.registry.RegistryService;
import dk.opensts.platform.registry.SnapshotImport;
import dk.opensts.platform.security.Actor;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Whole-classification imports: KLE XML into the KLE classification, and any classification as
 * JSON. Both are snapshots of the national tree: only differences are written, national classes
 * missing from the snapshot are passivated, and municipalities' local classes are left alone.
 */
public class ClassificationImport {

    public static final String KLE = "KLE";
    public static final UUID KLE_ID = uuid("classification:KLE");
    public static final UUID KLE_SUBJECTS = uuid("facet:KLE:Emne");
    public static final UUID KLE_HANDLING = uuid("facet:KLE:Handlingsfacet");

    private final RegistryService registry;
    private final ClassificationTypes types;
    private final SnapshotImport snapshot;

    public ClassificationImport(RegistryService registry, ClassificationTypes types, SnapshotImport snapshot) {
        this.registry = registry;
        this.types = types;
        this.snapshot = snapshot;
    }

    public SnapshotImport.Result importKle(Reader xml, Instant validFrom, Actor actor) {
        KleDocument kle = KleDocument.parse(xml);
        List<SnapshotImport.Item<?>> items = new ArrayList<>();
        items.add(new SnapshotImport.Item<>(KLE_ID, types.classification,
                new ClassificationAttrs(KLE, "KL's Emnesystematik (KLE)", "Emneplan og handlingsfacetter", null)));
        items.add(new SnapshotImport.Item<>(KLE_SUBJECTS, types.facet,
                new FacetAttrs(KLE_ID, "Emne", "KLE-emner", "Hovedgrupper, grupper og emner")));
        items.add(new SnapshotImport.Item<>(KLE_HANDLING, types.facet,
                new FacetAttrs(KLE_ID, "Handlingsfacet", "Handlingsfacetter", "Kategorier og handlingsfacetter")));
        addEntries(items, kle.subjects, KLE_SUBJECTS);
        addEntries(items, kle.handlingFacets, KLE_HANDLING);
        return apply(KLE_ID, items, validFrom, actor, "KLE import");
    }

    private void addEntries(List<SnapshotImport.Item<?>> items, List<KleDocument.Entry> entries, UUID facet) {
        Map<String, UUID> byNumber = new HashMap<>();
        int order = 0;
        for (KleDocument.Entry e : entries) {
            if (byNumber.put(e.number(), e.uuid()) != null) {
                throw new ApiException(ErrorCode.IMPORT_REJECTED, "KLE number " + e.number() + " appears twice");
            }
            UUID parent = e.parentNumber() == null ? null : byNumber.get(e.parentNumber());
            ClassAttributes.Published published = e.created() == null && e.expired() == null ? null
                    : new ClassAttributes.Published(e.created(), e.expired());
            items.add(new SnapshotImport.Item<>(e.uuid(), types.clazz, new ClassAttrs(KLE_ID, facet, e.number(), e.title(),
                    e.description(), parent, null, published, order++, e.keywords().isEmpty() ? null : e.keywords(),
                    null)));
        }
    }

    /**
     * Adds the classes missing from a national classification (made with one facet when it does not
     * exist yet); existing classes and classes others added stay as they are.
     */
    public int ensureClasses(String userKey, String title, Map<String, String> classes, Actor actor) {
        BitemporalStore store = registry.store();
        TimePoint now = TimePoint.at(store.now());
        List<Version> found = store.search(new BitemporalStore.Query(ClassificationTypes.CLASSIFICATION, null, false,
                userKey, null, null, null, now, null, 1));
        UUID classification = found.isEmpty() ? uuid("classification:" + userKey) : found.get(0).objectId();
        UUID facet = uuid("facet:" + userKey);
        Set<String> existing = store.knownUserKeys(ClassificationTypes.CLASS, classification, classes.keySet(),
                "municipality", null);
        List<SnapshotImport.Item<?>> items = new ArrayList<>();
        if (found.isEmpty()) {
            items.add(new SnapshotImport.Item<>(classification, types.classification,
                    new ClassificationAttrs(userKey, title, null, null)));
            items.add(new SnapshotImport.Item<>(facet, types.facet, new FacetAttrs(classification, userKey, title, null)));
        } else if (store.at(facet, now).isEmpty()) {
            items.add(new SnapshotImport.Item<>(facet, types.facet, new FacetAttrs(classification, userKey, title, null)));
        }
        int order = 0;
        for (Map.Entry<String, String> c : classes.entrySet()) {
            if (!existing.contains(c.getKey())) {
                items.add(new SnapshotImport.Item<>(uuid("class:" + userKey + ":" + c.getKey()), types.clazz,
                        new ClassAttrs(classification, facet, c.getKey(), c.getValue(), null, null, null, null, order,
                                null, null)));
            }
            order++;
        }
        if (items.isEmpty()) {
            return 0;
        }
        return snapshot.apply(classification, List.of(types.classification, types.facet, types.clazz), items,
                store.now(), false, actor, "classes added").created();
    }

    /**
     * A classification as JSON: {@code {"classification": {...}, "facets": [...], "classes": [...]}},
     * each object with its {@code id}; classes refer to their facet and parent by id.
     */
    public SnapshotImport.Result importJson(ObjectNode body, Instant validFrom, Actor actor) {
        for (String f : body.propertyNames()) {
            if (!Set.of("classification", "facets", "classes").contains(f)) {
                throw ApiException.field(ErrorCode.UNKNOWN_FIELD, "/" + f, "unknown field");
            }
        }
        List<FieldProblem> problems = new ArrayList<>();
        List<SnapshotImport.Item<?>> items = new ArrayList<>();
        JsonNode c = body.get("classification");
        if (c == null || !c.isObject()) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/classification", "required object");
        }
        SnapshotImport.Item<?> root = item("/classification", (ObjectNode) c, types.classification, null, problems);
        if (root == null) {
            throw new ApiException(ErrorCode.IMPORT_REJECTED, "Invalid classification: " + problems.get(0).reason(), problems);
        }
        items.add(root);
        addAll(body.get("facets"), "/facets", types.facet, root.id(), items, problems);
        addAll(body.get("classes"), "/classes", types.clazz, root.id(), items, problems);
        // references inside the snapshot
        Map<UUID, String> typeOf = new HashMap<>();
        items.forEach(i -> typeOf.put(i.id(), i.spec().name()));
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            if (!seen.add(items.get(i).id())) {
                problems.add(new FieldProblem("id", items.get(i).id() + " appears twice"));
            }
            if (items.get(i).attributes() instanceof ClassAttrs a) {
                if (!ClassificationTypes.FACET.equals(typeOf.get(a.facet()))) {
                    problems.add(new FieldProblem("class " + a.userKey(), "facet " + a.facet() + " is not in the import"));
                }
                if (a.parent() != null && !ClassificationTypes.CLASS.equals(typeOf.get(a.parent()))) {
                    problems.add(new FieldProblem("class " + a.userKey(), "parent " + a.parent() + " is not in the import"));
                }
                if (a.municipality() != null) {
                    problems.add(new FieldProblem("class " + a.userKey(),
                            "local classes are created one by one, not by a national import"));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiException(ErrorCode.IMPORT_REJECTED, "The import was rejected and nothing was written: "
                    + problems.get(0).field() + ": " + problems.get(0).reason(), problems);
        }
        return apply(root.id(), items, validFrom, actor, "JSON import");
    }

    private <A> void addAll(JsonNode array, String path, ObjectTypeSpec<A> spec, UUID classification,
                            List<SnapshotImport.Item<?>> items, List<FieldProblem> problems) {
        if (array == null || array.isNull()) {
            return;
        }
        if (!array.isArray()) {
            problems.add(new FieldProblem(path, "must be an array"));
            return;
        }
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof ObjectNode o)) {
                problems.add(new FieldProblem(path + "/" + i, "must be an object"));
                continue;
            }
            SnapshotImport.Item<A> item = item(path + "/" + i, o, spec, classification, problems);
            if (item != null) {
                items.add(item);
            }
        }
    }

    private <A> SnapshotImport.Item<A> item(String path, ObjectNode node, ObjectTypeSpec<A> spec, UUID classification,
                                            List<FieldProblem> problems) {
        ObjectNode copy = node.deepCopy();
        JsonNode id = copy.remove("id");
        try {
            UUID uuid = Uuids.parse(id);
            if (classification != null && !copy.has("classification")) {
                copy.put("classification", classification.toString());
            }
            A a = registry.attributes(spec, copy);
            return new SnapshotImport.Item<>(uuid, spec, a);
        } catch (IllegalArgumentException e) {
            problems.add(new FieldProblem(path + "/id", "required UUID"));
        } catch (ApiException e) {
            problems.add(new FieldProblem(path, e.getMessage()));
        } catch (JacksonException e) {
            problems.add(new FieldProblem(path + e.getPathReference(), e.getOriginalMessage()));
        }
        return null;
    }

    private SnapshotImport.Result apply(UUID classification, List<SnapshotImport.Item<?>> items, Instant validFrom,
                                        Actor actor, String note) {
        return snapshot.apply(classification, List.of(types.classification, types.facet, types.clazz), items, validFrom,
                true, data -> !data.hasNonNull("municipality"), actor, note);
    }

    private static UUID uuid(String name) {
        return UUID.nameUUIDFromBytes(("opensts:" + name).getBytes(StandardCharsets.UTF_8));
    }
}
