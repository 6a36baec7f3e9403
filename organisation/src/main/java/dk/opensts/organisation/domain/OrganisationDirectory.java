package dk.opensts.organisation.domain;

import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.bitemporal.TimePoint;
import dk.opensts.platform.bitemporal.Version;
import dk.opensts.platform.registry.ObjectTypeSpec;
import dk.opensts.platform.registry.RegistryService;
import dk.opensts.platform.registry.WriteInput;
import dk.opensts.platform.bitemporal.Period;
import dk.opensts.platform.security.Actor;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;

@Component
class OrganisationDirectory implements Organisations {

    private final RegistryService organisationRegistry;
    private final OrganisationTypes types;
    private final FeedImport feedImport;

    OrganisationDirectory(RegistryService organisationRegistry, OrganisationTypes types, FeedImport feedImport) {
        this.organisationRegistry = organisationRegistry;
        this.types = types;
        this.feedImport = feedImport;
    }

    @Override
    public int importFeed(String cvr, java.io.Reader jsonLines, String actor) {
        UUID organisation = findByCvr(cvr).orElseThrow(() -> dk.opensts.platform.error.ApiException.notFound("organisation", cvr));
        try {
            var r = feedImport.importFeed(organisation, jsonLines, FeedImport.Format.JSON_LINES, null, false,
                    Actor.internal(actor, cvr));
            return r.created() + r.changed();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public Optional<UUID> findByCvr(String cvr) {
        BitemporalStore store = organisationRegistry.store();
        List<Version> found = store.search(new BitemporalStore.Query(OrganisationTypes.ORGANISATION, null, false, cvr,
                null, null, null, TimePoint.at(store.now()), null, 1));
        return found.stream().findFirst().map(Version::objectId);
    }

    @Override
    public UUID ensureMunicipality(String cvr, String name, String actor) {
        return organisationRegistry.tx().execute(s -> findByCvr(cvr).orElseGet(() -> {
            ObjectTypeSpec<Attributes.OrganisationAttrs> spec = types.organisation;
            var parsed = new RegistryService.Parsed<>(UUID.randomUUID(), new Attributes.OrganisationAttrs(cvr, name),
                    new WriteInput(Period.from(null), null, "created at start-up"));
            organisationRegistry.create(spec, parsed, Actor.internal(actor, cvr), "", null);
            return parsed.id();
        }));
    }

    @Override
    public boolean[] unitsExist(String cvr, List<UnitDuring> refs) {
        Optional<UUID> organisation = findByCvr(cvr);
        if (organisation.isEmpty()) {
            return new boolean[refs.size()];
        }
        return organisationRegistry.store().existingDuring(refs.stream().map(UnitDuring::unit).toList(),
                refs.stream().map(r -> new Period(r.from(), r.to())).toList(), List.of(OrganisationTypes.UNIT),
                organisation.get());
    }

    @Override
    public Optional<User> findUser(String cvr, UUID id) {
        if (cvr == null || id == null) {
            return Optional.empty();
        }
        BitemporalStore store = organisationRegistry.store();
        // the user, her engagements (their units) and her e-mail address: she and what refers to her, in one query
        List<Version> found = store.withReferrers(id, OrganisationTypes.ORGANISATION, cvr, TimePoint.at(store.now()), 1000);
        Version user = found.stream().filter(v -> v.objectId().equals(id)).findFirst().orElse(null);
        if (user == null || !OrganisationTypes.USER.equals(user.type())) {
            return Optional.empty();
        }
        Set<UUID> units = new java.util.LinkedHashSet<>();
        String email = null;
        for (Version v : found) {
            if (OrganisationTypes.FUNCTION.equals(v.type())
                    && Attributes.FunctionType.ENGAGEMENT.name().equals(v.data().path("functionType").asString(""))) {
                v.data().path("units").forEach(u -> units.add(UUID.fromString(u.asString())));
            } else if (email == null && OrganisationTypes.ADDRESS.equals(v.type())
                    && Attributes.AddressType.EMAIL.name().equals(v.data().path("addressType").asString(""))) {
                email = v.data().path("value").asString();
            }
        }
        return Optional.of(new User(id, user.data().path("userKey").asString(),
                user.data().path("name").asString(), email, Set.copyOf(units)));
    }

    @Override
    public UnitsAround around(Set<UUID> units) {
        if (units.isEmpty()) {
            return new UnitsAround(Set.of(), Set.of());
        }
        BitemporalStore store = organisationRegistry.store();
        java.time.Instant now = store.now();
        // one tree read answers both: the units are of one organisation
        Optional<BitemporalStore.CurrentTree> tree = store.currentTree(units.iterator().next());
        if (tree.isEmpty()) {
            return new UnitsAround(Set.of(), Set.of());
        }
        Set<UUID> ancestors = new java.util.HashSet<>(tree.get().ancestorIds(units, now));
        ancestors.removeAll(units);
        return new UnitsAround(Set.copyOf(ancestors),
                unitsBelow(units, unit -> tree.get().subtree(unit, now, Integer.MAX_VALUE)));
    }

    @Override
    public Set<UUID> withSubunits(Set<UUID> roots) {
        BitemporalStore store = organisationRegistry.store();
        TimePoint now = TimePoint.at(store.now());
        return unitsBelow(roots, root -> store.subtree(root, now, Integer.MAX_VALUE, null, null));
    }

    /** The units of the roots' subtrees (the roots included), each subtree read by {@code subtree}. */
    private static Set<UUID> unitsBelow(Set<UUID> roots,
                                        java.util.function.Function<UUID, List<BitemporalStore.TreeNode>> subtree) {
        Set<UUID> out = new java.util.LinkedHashSet<>();
        for (UUID root : roots) {
            for (BitemporalStore.TreeNode node : subtree.apply(root)) {
                if (OrganisationTypes.UNIT.equals(node.type())) {
                    out.add(node.id());
                }
            }
        }
        return Set.copyOf(out);
    }

    @Override
    public java.util.Map<UUID, String> names(Set<UUID> ids) {
        BitemporalStore store = organisationRegistry.store();
        TimePoint now = TimePoint.at(store.now());
        java.util.Map<UUID, String> out = new java.util.LinkedHashMap<>();
        for (UUID id : ids) {
            store.at(id, now).ifPresent(v -> out.put(id, v.data().path("name").asString(null)));
        }
        out.values().removeIf(java.util.Objects::isNull);
        return out;
    }
}
