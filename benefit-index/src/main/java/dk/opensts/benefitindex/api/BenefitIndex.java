package dk.opensts.benefitindex.api;

import dk.opensts.platform.index.IndexQuery;
import dk.opensts.platform.index.SearchFilters;
import dk.opensts.platform.security.Actor;
import java.util.List;
import tools.jackson.databind.util.RawValue;

/** What other modules (the overview) may ask of the benefit index: the same search the API answers. */
public interface BenefitIndex {

    /** A page of grants and the token for the next one ({@code null} at the end). */
    @io.swagger.v3.oas.annotations.media.Schema(name = "GrantPage")
    record Page(
            @io.swagger.v3.oas.annotations.media.ArraySchema(schema = @io.swagger.v3.oas.annotations.media.Schema(
                    implementation = dk.opensts.benefitindex.domain.GrantRecord.class, description = "A grant as published, with id, localId, "
                    + "owningSystem and lastChanged")) List<RawValue> items,
            @io.swagger.v3.oas.annotations.media.Schema(description = "the after= of the next page") String next) {
    }

    /**
     * Grants the actor's privileges admit (in the query), newest change first; the search and what it
     * showed are audited in the same transaction.
     */
    Page search(Actor actor, SearchFilters filters, IndexQuery.Cursor after, int limit);
}
