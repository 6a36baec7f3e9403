package dk.opensts.benefitindex.web;

import dk.opensts.benefitindex.domain.GrantSearch;
import dk.opensts.platform.index.BatchItem;
import dk.opensts.platform.index.IndexEndpoints;
import dk.opensts.platform.index.IndexQuery;
import dk.opensts.platform.index.IndexWriter;
import dk.opensts.platform.index.JsonLinesBatch;
import dk.opensts.platform.index.Publication;
import dk.opensts.platform.index.SearchFilters;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.CurrentActor;
import dk.opensts.platform.security.Sensitivity;
import dk.opensts.platform.web.PageToken;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

@RestController
@RequestMapping("/api/benefit-index/v1/grants")
@Tag(name = "Benefit index (Ydelsesindeks)", description = "Grants (bevillinger) published by the fagsystemer, "
        + "searched within the caller's privileges")
public class BenefitIndexController {

    private final IndexWriter grantWriter;
    private final GrantSearch search;

    public BenefitIndexController(IndexWriter grantWriter, GrantSearch search) {
        this.grantWriter = grantWriter;
        this.search = search;
    }

    @PutMapping("/{localId}")
    @Operation(summary = "Import a grant (create or replace)", description = "Role publish. Keyed by the calling IT "
            + "system and its local id; the grant's version must grow with every change: the same version and "
            + "content again changes nothing, an older version (or the same with other content) gets 409.")
    public ResponseEntity<BatchItem.Result> importGrant(@PathVariable String localId,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @io.swagger.v3.oas.annotations.media.Content(schema = @io.swagger.v3.oas.annotations.media.Schema(implementation = dk.opensts.benefitindex.domain.GrantRecord.class))) 
            @RequestBody ObjectNode body) {
        return IndexEndpoints.publish(grantWriter, Publication.Op.IMPORT, "grant", localId, body, null);
    }

    @PatchMapping(path = "/{localId}", consumes = {"application/merge-patch+json", "application/json"})
    @Operation(summary = "Update a grant", description = "Role publish. A JSON merge patch of the published grant; "
            + "it must carry a higher version.")
    public ResponseEntity<BatchItem.Result> updateGrant(@PathVariable String localId, @RequestBody ObjectNode patch) {
        return IndexEndpoints.publish(grantWriter, Publication.Op.UPDATE, "grant", localId, patch, null);
    }

    @DeleteMapping("/{localId}")
    @Operation(summary = "Remove a grant", description = "Role publish. Removes the grant from the index as of "
            + "the given version; an older import can then not bring it back.")
    public ResponseEntity<BatchItem.Result> removeGrant(@PathVariable String localId, @RequestParam Integer version) {
        return IndexEndpoints.publish(grantWriter, Publication.Op.REMOVE, "grant", localId, null, version);
    }

    @PostMapping(path = "/batch", consumes = {JsonLinesBatch.MEDIA_TYPE, JsonLinesBatch.NDJSON})
    @Operation(summary = "Publish up to 1,000 grants", description = "Role publish. JSON lines, each "
            + "{\"op\":\"import|update|remove\",\"type\":\"grant\",\"localId\":...,\"data\":{...}} (a removal: "
            + "\"version\" instead of data). Headers Content-Digest (sha-256=:<base64>:) and Item-Count are "
            + "required: a mismatch or a cut body rejects the whole batch, nothing written. Otherwise each item "
            + "is answered on its own, in order.")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, description = "One JSON object per line",
            content = {@io.swagger.v3.oas.annotations.media.Content(mediaType = JsonLinesBatch.MEDIA_TYPE,
                    schema = @io.swagger.v3.oas.annotations.media.Schema(type = "string")),
                    @io.swagger.v3.oas.annotations.media.Content(mediaType = JsonLinesBatch.NDJSON,
                            schema = @io.swagger.v3.oas.annotations.media.Schema(type = "string"))})
    @Parameter(in = io.swagger.v3.oas.annotations.enums.ParameterIn.HEADER, name = JsonLinesBatch.CONTENT_DIGEST,
            required = true, description = "sha-256=:<base64 of the SHA-256 of the body>: (RFC 9530)")
    @Parameter(in = io.swagger.v3.oas.annotations.enums.ParameterIn.HEADER, name = JsonLinesBatch.ITEM_COUNT,
            required = true, description = "The number of items (lines) in the body, 1 to 1000")
    public BatchItem.Answer batch(HttpServletRequest request) {
        return IndexEndpoints.batch(grantWriter, request);
    }

    @GetMapping
    @Operation(summary = "Search grants", description = "Role search. By party (CPR or CVR) or case number, with "
            + "filters; only grants the token's privileges admit (municipality, KLE, org units, sensitivity, IT "
            + "systems), newest change first, keyset paginated. Every search is written to the audit log.")
    public dk.opensts.benefitindex.api.BenefitIndex.Page searchGrants(
            @RequestParam(required = false) String party,
            @RequestParam(required = false) String caseNumber,
            @Parameter(description = "KLE subject, or a prefix like 27.*") @RequestParam(required = false) String kle,
            @RequestParam(required = false) UUID orgUnit,
            @RequestParam(defaultValue = "false") boolean subunits,
            @Parameter(description = "Grant status") @RequestParam(required = false) String status,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
            @RequestParam(required = false) List<Sensitivity> sensitivity,
            @RequestParam(required = false) String owningSystem,
            @Parameter(description = "Why the caller searches (kept in the audit log)")
            @RequestParam(required = false) String purpose,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String after) {
        Actor actor = CurrentActor.get();
        return search.search(actor, new SearchFilters(party, caseNumber, kle, null,
                        orgUnit, subunits, status, from, to, sensitivity, owningSystem, purpose),
                IndexQuery.Cursor.decode(after), PageToken.limit(limit));
    }
}
