package dk.opensts.organisation.domain;

import dk.opensts.organisation.domain.Attributes.AddressAttrs;
import dk.opensts.organisation.domain.Attributes.FunctionAttrs;
import dk.opensts.organisation.domain.Attributes.OrganisationAttrs;
import dk.opensts.organisation.domain.Attributes.PersonAttrs;
import dk.opensts.organisation.domain.Attributes.UnitAttrs;
import dk.opensts.organisation.domain.Attributes.UserAttrs;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.bitemporal.IndexFields;
import dk.opensts.platform.bitemporal.Period;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.registry.NamedTypeSpec;
import dk.opensts.platform.registry.ObjectTypeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The six Organisation object types and their rules. Every object but an organisation belongs to
 * one organisation (its owner); references must point to objects of the same organisation that
 * are valid in the written period; a unit can never become its own ancestor.
 */
public final class OrganisationTypes {

    public static final String ORGANISATION = "organisation";
    public static final String UNIT = "unit";
    public static final String USER = "user";
    public static final String PERSON = "person";
    public static final String FUNCTION = "function";
    public static final String ADDRESS = "address";
    /** The types of a municipality's authoritative feed, in the order they may refer to each other. */
    public static final List<String> FEED_TYPES = List.of(UNIT, PERSON, USER, FUNCTION, ADDRESS);

    public final ObjectTypeSpec<OrganisationAttrs> organisation;
    public final ObjectTypeSpec<UnitAttrs> unit;
    public final ObjectTypeSpec<UserAttrs> user;
    public final ObjectTypeSpec<PersonAttrs> person;
    public final ObjectTypeSpec<FunctionAttrs> function;
    public final ObjectTypeSpec<AddressAttrs> address;
    private final Map<String, ObjectTypeSpec<?>> byName;

    public OrganisationTypes(BitemporalStore store) {
        organisation = new NamedTypeSpec<>(ORGANISATION, OrganisationAttrs.class, false) {
            public IndexFields index(OrganisationAttrs a) {
                return new IndexFields(a.cvr(), a.name(), null, List.of());
            }

            public UUID owner(UUID id, OrganisationAttrs a) {
                return id;
            }

            public void validate(UUID id, OrganisationAttrs a, Period valid) {
                // the CVR is unique among current organisations (index organisation_cvr_current)
            }
        };
        unit = new NamedTypeSpec<>(UNIT, UnitAttrs.class, false) {
            public IndexFields index(UnitAttrs a) {
                return new IndexFields(a.userKey(), a.name(), a.parent(), List.of(a.organisation()));
            }

            public UUID owner(UUID id, UnitAttrs a) {
                return a.organisation();
            }

            public void validate(UUID id, UnitAttrs a, Period valid) {
                requireOrganisation(store, a.organisation(), valid);
                if (a.parent() != null) {
                    if (a.parent().equals(id)) {
                        throw ApiException.field(ErrorCode.HIERARCHY_CYCLE, "/parent", "a unit cannot be its own parent");
                    }
                    store.requireExisting("/parent", List.of(a.parent()), List.of(UNIT), a.organisation(), valid);
                    if (store.isSelfOrAncestor(id, a.parent(), valid)) {
                        throw ApiException.field(ErrorCode.HIERARCHY_CYCLE, "/parent",
                                "unit " + a.parent() + " lies below " + id + "; moving it there would make a cycle");
                    }
                }
            }
        };
        person = new NamedTypeSpec<>(PERSON, PersonAttrs.class, true) {
            public IndexFields index(PersonAttrs a) {
                return new IndexFields(a.cpr(), a.name(), null, List.of(a.organisation()));
            }

            public UUID owner(UUID id, PersonAttrs a) {
                return a.organisation();
            }

            public void validate(UUID id, PersonAttrs a, Period valid) {
                requireOrganisation(store, a.organisation(), valid);
            }
        };
        user = new NamedTypeSpec<>(USER, UserAttrs.class, true) {
            public IndexFields index(UserAttrs a) {
                return new IndexFields(a.userKey(), a.name(), null, refs(a.organisation(), a.person()));
            }

            public UUID owner(UUID id, UserAttrs a) {
                return a.organisation();
            }

            public void validate(UUID id, UserAttrs a, Period valid) {
                requireOrganisation(store, a.organisation(), valid);
                if (a.person() != null) {
                    store.requireExisting("/person", List.of(a.person()), List.of(PERSON), a.organisation(), valid);
                }
            }
        };
        function = new NamedTypeSpec<>(FUNCTION, FunctionAttrs.class, false) {
            public IndexFields index(FunctionAttrs a) {
                List<UUID> refs = new ArrayList<>();
                refs.add(a.organisation());
                Optional.ofNullable(a.users()).ifPresent(refs::addAll);
                Optional.ofNullable(a.units()).ifPresent(refs::addAll);
                return new IndexFields(a.userKey(), a.name(), null, refs);
            }

            public UUID owner(UUID id, FunctionAttrs a) {
                return a.organisation();
            }

            public void validate(UUID id, FunctionAttrs a, Period valid) {
                requireOrganisation(store, a.organisation(), valid);
                if (a.users() != null) {
                    store.requireExisting("/users", a.users(), List.of(USER), a.organisation(), valid);
                }
                if (a.units() != null) {
                    store.requireExisting("/units", a.units(), List.of(UNIT), a.organisation(), valid);
                }
            }
        };
        address = new NamedTypeSpec<>(ADDRESS, AddressAttrs.class, false) {
            public IndexFields index(AddressAttrs a) {
                return new IndexFields(a.value(), null, null, List.of(a.organisation(), a.belongsTo()));
            }

            public UUID owner(UUID id, AddressAttrs a) {
                return a.organisation();
            }

            public void validate(UUID id, AddressAttrs a, Period valid) {
                checkAddressValue(a);
                requireOrganisation(store, a.organisation(), valid);
                store.requireExisting("/belongsTo", List.of(a.belongsTo()), List.of(UNIT, USER), a.organisation(), valid);
            }
        };
        byName = Map.of(ORGANISATION, organisation, UNIT, unit, USER, user, PERSON, person, FUNCTION, function,
                ADDRESS, address);
    }

    public ObjectTypeSpec<?> byName(String name) {
        return byName.get(name);
    }

    public static void checkAddressValue(AddressAttrs a) {
        if (!a.addressType().accepts(a.value())) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/value",
                    "not a valid " + a.addressType() + " value");
        }
    }

    private static void requireOrganisation(BitemporalStore store, UUID organisation, Period valid) {
        store.requireExisting("/organisation", List.of(organisation), List.of(ORGANISATION), null, valid);
    }

    private static List<UUID> refs(UUID... ids) {
        List<UUID> list = new ArrayList<>();
        for (UUID id : ids) {
            if (id != null) {
                list.add(id);
            }
        }
        return list;
    }
}
