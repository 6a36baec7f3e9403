package dk.opensts.caseindex.api;

import dk.opensts.platform.index.IndexQuery;
import dk.opensts.platform.index.SearchFilters;
import dk.opensts.platform.security.Actor;
import java.util.List;
import tools.jackson.databind.util.RawValue;

/** What other modules (the overview) may ask of the case index: the same search the API answers. */
public interface CaseIndex {

    /** A page of cases and the token for the next one ({@code null} at the end). */
    @io.swagger.v3.oas.annotations.media.Schema(name = "CasePage")
    record Page(
            @io.swagger.v3.oas.annotations.media.ArraySchema(schema = @io.swagger.v3.oas.annotations.media.Schema(
                    implementation = dk.opensts.caseindex.domain.CaseRecord.class, description = "A case as published, with id, localId, "
                    + "owningSystem, lastChanged, state, opened and closed; with include, its documents "
                    + "(DocumentRecord with id, localId, owningSystem, lastChanged) and grants (as the benefit index "
                    + "answers them)")) List<RawValue> items,
            @io.swagger.v3.oas.annotations.media.Schema(description = "the after= of the next page") String next) {
    }

    /**
     * Cases the actor's privileges admit (in the query), newest change first, with their documents and
     * grants when asked; the search and what it showed are audited in the same transaction.
     */
    Page search(Actor actor, SearchFilters filters, IndexQuery.Cursor after, int limit, boolean withDocuments,
                boolean withGrants);
}
