package dk.opensts.classification.domain;

import dk.opensts.classification.domain.ClassAttributes.ClassAttrs;
import dk.opensts.classification.domain.ClassAttributes.ClassificationAttrs;
import dk.opensts.classification.domain.ClassAttributes.FacetAttrs;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.bitemporal.IndexFields;
import dk.opensts.platform.bitemporal.Period;
import dk.opensts.platform.bitemporal.TimePoint;
import dk.opensts.platform.bitemporal.Version;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.registry.NamedTypeSpec;
import dk.opensts.platform.registry.ObjectTypeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The three Classification object types. Facets and classes are owned by their classification;
 * a class hangs under its parent class or, at the top, under its facet, so that a classification
 * or facet reads as one tree. A user key names one class per classification and municipality.
 */
public final class ClassificationTypes {

    public static final String CLASSIFICATION = "classification";
    public static final String FACET = "facet";
    public static final String CLASS = "class";

    public final ObjectTypeSpec<ClassificationAttrs> classification;
    public final ObjectTypeSpec<FacetAttrs> facet;
    public final ObjectTypeSpec<ClassAttrs> clazz;

    public ClassificationTypes(BitemporalStore store) {
        classification = new NamedTypeSpec<>(CLASSIFICATION, ClassificationAttrs.class, false) {
            public IndexFields index(ClassificationAttrs a) {
                return new IndexFields(a.userKey(), a.title(), null, List.of());
            }

            public UUID owner(UUID id, ClassificationAttrs a) {
                return id;
            }

            public void validate(UUID id, ClassificationAttrs a, Period valid) {
                unique(store, CLASSIFICATION, null, a.userKey(), null, id);
            }
        };
        facet = new NamedTypeSpec<>(FACET, FacetAttrs.class, false) {
            public IndexFields index(FacetAttrs a) {
                return new IndexFields(a.userKey(), a.title(), a.classification(), List.of(a.classification()));
            }

            public UUID owner(UUID id, FacetAttrs a) {
                return a.classification();
            }

            public void validate(UUID id, FacetAttrs a, Period valid) {
                store.requireExisting("/classification", List.of(a.classification()), List.of(CLASSIFICATION), null, valid);
                unique(store, FACET, a.classification(), a.userKey(), null, id);
            }
        };
        clazz = new NamedTypeSpec<>(CLASS, ClassAttrs.class, false) {
            public IndexFields index(ClassAttrs a) {
                List<UUID> refs = new ArrayList<>(List.of(a.classification(), a.facet()));
                if (a.mappings() != null) {
                    a.mappings().forEach(m -> refs.add(m.target()));
                }
                return new IndexFields(a.userKey(), a.title(), a.parent() != null ? a.parent() : a.facet(), refs);
            }

            public UUID owner(UUID id, ClassAttrs a) {
                return a.classification();
            }

            public void validate(UUID id, ClassAttrs a, Period valid) {
                if (a.published() != null && a.published().from() != null && a.published().to() != null
                        && a.published().from().isAfter(a.published().to())) {
                    throw ApiException.field(ErrorCode.INVALID_PERIOD, "/published", "from is after to");
                }
                store.requireExisting("/facet", List.of(a.facet()), List.of(FACET), a.classification(), valid);
                if (a.parent() != null) {
                    if (a.parent().equals(id)) {
                        throw ApiException.field(ErrorCode.HIERARCHY_CYCLE, "/parent", "a class cannot be its own parent");
                    }
                    store.requireExisting("/parent", List.of(a.parent()), List.of(CLASS), a.classification(), valid);
                    if (store.isSelfOrAncestor(id, a.parent(), valid)) {
                        throw ApiException.field(ErrorCode.HIERARCHY_CYCLE, "/parent",
                                "class " + a.parent() + " lies below " + id + "; that would make a cycle");
                    }
                    if (a.municipality() == null) {
                        Version parent = store.at(a.parent(), TimePoint.at(store.now())).orElse(null);
                        if (parent != null && parent.data().hasNonNull("municipality")) {
                            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/parent",
                                    "a national class cannot lie under a municipality's local class");
                        }
                    }
                }
                if (a.mappings() != null) {
                    store.requireExisting("/mappings", a.mappings().stream().map(ClassAttributes.Mapping::target).toList(),
                            List.of(CLASS), null, valid);
                }
                unique(store, CLASS, a.classification(), a.userKey(), a.municipality(), id);
            }
        };
    }

    /** No other current object of the type, owner and municipality has the user key. */
    private static void unique(BitemporalStore store, String type, UUID owner, String userKey, String municipality, UUID id) {
        List<Version> same = store.search(new BitemporalStore.Query(type, owner, false, userKey, null, null, null,
                TimePoint.at(store.now()), null, 10, type.equals(CLASS) ? "municipality" : null, municipality));
        for (Version v : same) {
            if (!v.objectId().equals(id) && Objects.equals(v.data().path("municipality").asString(null), municipality)) {
                throw ApiException.field(ErrorCode.DUPLICATE, "/userKey", type + " " + userKey + " exists already ("
                        + v.objectId() + ")");
            }
        }
    }

    public ObjectTypeSpec<?> byName(String name) {
        return switch (name) {
            case CLASSIFICATION -> classification;
            case FACET -> facet;
            case CLASS -> clazz;
            default -> null;
        };
    }
}
