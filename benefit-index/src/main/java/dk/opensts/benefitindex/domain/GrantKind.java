package dk.opensts.benefitindex.domain;

import dk.opensts.benefitindex.store.GrantStore;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.index.IndexWriter;
import dk.opensts.platform.index.Publication;
import dk.opensts.platform.index.RecordRules;
import dk.opensts.platform.index.References;
import dk.opensts.platform.registry.RegistryService;
import dk.opensts.platform.security.Actor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/** Grants as the index writer handles them. */
class GrantKind implements IndexWriter.Kind<GrantRecord> {

    private final GrantStore store;
    private final Organisations organisations;
    private final References.Lookups lookups;

    GrantKind(GrantStore store, Organisations organisations, References.Lookups lookups) {
        this.store = store;
        this.organisations = organisations;
        this.lookups = lookups;
    }

    @Override
    public String type() {
        return "grant";
    }

    @Override
    public Class<GrantRecord> recordType() {
        return GrantRecord.class;
    }

    @Override
    public int version(GrantRecord record) {
        return record.version();
    }

    @Override
    public void check(GrantRecord g, Actor actor) {
        RecordRules.municipality(g.municipality(), actor);
        RecordRules.period("/to", g.from(), g.to());
        RecordRules.party("/party", g.party());
        for (int i = 0; i < g.benefits().size(); i++) {
            RecordRules.period("/benefits/" + i + "/to", g.benefits().get(i).from(), g.benefits().get(i).to());
        }
        for (int i = 0; i < g.effectuations().size(); i++) {
            RecordRules.period("/effectuations/" + i + "/to", g.effectuations().get(i).from(),
                    g.effectuations().get(i).to());
        }
    }

    @Override
    public void checkReferences(List<IndexWriter.Pending<GrantRecord>> items, Actor actor) {
        References.check(items, actor.municipality(), GrantRecord::kle, "/kle",
                g -> new References.UnitRef(g.orgUnit(), g.from(), g.to()), "/orgUnit", lookups);
    }

    @Override
    public Map<String, Publication.Stored> stored(String systemId, Set<String> localIds) {
        return store.stored(systemId, localIds);
    }

    @Override
    public ObjectNode storedBody(String systemId, String localId) {
        return store.storedBody(systemId, localId);
    }

    @Override
    public void write(String systemId, List<IndexWriter.Pending<GrantRecord>> items, Instant now) {
        store.write(systemId, items, now);
    }

    @Override
    public UUID owner(Actor actor) {
        return organisations.findByCvr(actor.municipality()).orElse(RegistryService.NO_OWNER);
    }
}
