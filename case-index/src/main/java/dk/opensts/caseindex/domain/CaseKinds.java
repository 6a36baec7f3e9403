package dk.opensts.caseindex.domain;

import dk.opensts.caseindex.store.CaseStore;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.index.IndexWriter;
import dk.opensts.platform.index.Publication;
import dk.opensts.platform.index.RecordRules;
import dk.opensts.platform.index.References;
import dk.opensts.platform.registry.RegistryService;
import dk.opensts.platform.security.Actor;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/** Cases and documents as the index writer handles them (cases first: documents refer to them). */
final class CaseKinds {

    private CaseKinds() {
    }

    abstract static class Base<T> implements IndexWriter.Kind<T> {
        final CaseStore store;
        final Organisations organisations;
        final References.Lookups lookups;
        private final String table;

        Base(CaseStore store, Organisations organisations, References.Lookups lookups, String table) {
            this.store = store;
            this.organisations = organisations;
            this.lookups = lookups;
            this.table = table;
        }

        @Override
        public Map<String, Publication.Stored> stored(String systemId, Set<String> localIds) {
            return store.stored(table, systemId, localIds);
        }

        @Override
        public ObjectNode storedBody(String systemId, String localId) {
            return store.storedBody(table, systemId, localId);
        }

        @Override
        public UUID owner(Actor actor) {
            return organisations.findByCvr(actor.municipality()).orElse(RegistryService.NO_OWNER);
        }
    }

    static final class Cases extends Base<CaseRecord> {

        Cases(CaseStore store, Organisations organisations, References.Lookups lookups) {
            super(store, organisations, lookups, "cases");
        }

        @Override
        public String type() {
            return "case";
        }

        @Override
        public Class<CaseRecord> recordType() {
            return CaseRecord.class;
        }

        @Override
        public int version(CaseRecord record) {
            return record.version();
        }

        @Override
        public void check(CaseRecord c, Actor actor) {
            RecordRules.municipality(c.municipality(), actor);
            RecordRules.parties("/parties", c.parties());
            if (c.relatedCases() != null && c.relatedCases().contains(c.caseNumber())) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/relatedCases", "a case is not related to itself");
            }
        }

        @Override
        public void checkReferences(List<IndexWriter.Pending<CaseRecord>> items, Actor actor) {
            References.check(items, actor.municipality(), CaseRecord::kle, "/kle",
                    c -> new References.UnitRef(c.orgUnit(), c.opened(), c.closed()), "/orgUnit", lookups);
            // the handling class is a handling facet of KLE
            Set<String> handling = new LinkedHashSet<>();
            items.forEach(p -> {
                if (p.record.handlingClass() != null) {
                    handling.add(p.record.handlingClass());
                }
            });
            Set<String> knownHandling = lookups.knownKle().apply(handling, actor.municipality());
            for (IndexWriter.Pending<CaseRecord> p : items) {
                if (p.record.handlingClass() != null && !knownHandling.contains(p.record.handlingClass())) {
                    p.fail(ApiException.field(ErrorCode.BROKEN_REFERENCE, "/handlingClass",
                            "no KLE handling facet " + p.record.handlingClass()));
                }
            }
            // the case number is the municipality's across all systems
            List<IndexWriter.Pending<CaseRecord>> live = items.stream().filter(p -> !p.failed()).toList();
            Set<String> numbers = new LinkedHashSet<>();
            live.forEach(p -> numbers.add(p.record.caseNumber()));
            Map<String, String> holders = new HashMap<>(store.caseNumberHolders(actor.municipality(), numbers));
            for (IndexWriter.Pending<CaseRecord> p : live) {
                String key = actor.id() + " " + p.item.localId();
                String holder = holders.putIfAbsent(p.record.caseNumber(), key);
                if (holder != null && !holder.equals(key)) {
                    p.fail(ApiException.field(ErrorCode.DUPLICATE, "/caseNumber", "case number "
                            + p.record.caseNumber() + " is already used in municipality " + actor.municipality()));
                }
            }
        }

        @Override
        public void write(String systemId, List<IndexWriter.Pending<CaseRecord>> items, Instant now) {
            store.writeCases(systemId, items, now);
        }
    }

    static final class Documents extends Base<DocumentRecord> {

        Documents(CaseStore store, Organisations organisations, References.Lookups lookups) {
            super(store, organisations, lookups, "documents");
        }

        @Override
        public String type() {
            return "document";
        }

        @Override
        public Class<DocumentRecord> recordType() {
            return DocumentRecord.class;
        }

        @Override
        public int version(DocumentRecord record) {
            return record.version();
        }

        @Override
        public void check(DocumentRecord d, Actor actor) {
            RecordRules.parties("/parties", d.parties());
        }

        @Override
        public void checkReferences(List<IndexWriter.Pending<DocumentRecord>> items, Actor actor) {
            // the case must be in the index (cases of the same batch are written before their documents)
            Set<String> cases = new LinkedHashSet<>();
            items.forEach(p -> cases.add(p.record.caseLocalId()));
            Set<String> live = store.liveCases(actor.id(), cases);
            Set<String> subjects = new LinkedHashSet<>();
            items.forEach(p -> {
                if (p.record.kle() != null) {
                    subjects.add(p.record.kle());
                }
            });
            Set<String> known = lookups.knownKle().apply(subjects, actor.municipality());
            for (IndexWriter.Pending<DocumentRecord> p : items) {
                if (!live.contains(p.record.caseLocalId())) {
                    p.fail(ApiException.field(ErrorCode.BROKEN_REFERENCE, "/caseLocalId",
                            "no case " + p.record.caseLocalId() + " of this IT system in the index"));
                } else if (p.record.kle() != null && !known.contains(p.record.kle())) {
                    p.fail(ApiException.field(ErrorCode.BROKEN_REFERENCE, "/kle", "no KLE subject " + p.record.kle()));
                }
            }
        }

        @Override
        public void write(String systemId, List<IndexWriter.Pending<DocumentRecord>> items, Instant now) {
            store.writeDocuments(systemId, items, now);
        }
    }
}
