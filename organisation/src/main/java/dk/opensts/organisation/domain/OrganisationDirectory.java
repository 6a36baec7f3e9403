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

    OrganisationDirectory(RegistryService organisationRegistry, OrganisationTypes types) {
        this.organisationRegistry = organisationRegistry;
        this.types = types;
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
    public Set<UUID> withSubunits(Set<UUID> roots) {
        BitemporalStore store = organisationRegistry.store();
        TimePoint now = TimePoint.at(store.now());
        Set<UUID> out = new java.util.LinkedHashSet<>();
        for (UUID root : roots) {
            for (BitemporalStore.TreeNode node : store.subtree(root, now, Integer.MAX_VALUE, null, null)) {
                if (OrganisationTypes.UNIT.equals(node.type())) {
                    out.add(node.id());
                }
            }
        }
        return Set.copyOf(out);
    }
}
