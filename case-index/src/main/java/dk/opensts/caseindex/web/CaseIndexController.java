package dk.opensts.caseindex.web;

import dk.opensts.caseindex.domain.CaseSearch;
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
@RequestMapping("/api/case-index/v1")
@Tag(name = "Case index (Sags- og Dokumentindeks)", description = "Cases and documents published by the "
        + "fagsystemer, searched within the caller's privileges")
public class CaseIndexController {

    private static final String VERSIONING = " Keyed by the calling IT system and its local id; the record's version "
            + "must grow with every change: the same version and content again changes nothing, an older version "
            + "(or the same with other content) gets 409.";

    private final IndexWriter caseWriter;
    private final CaseSearch search;

    public CaseIndexController(IndexWriter caseWriter, CaseSearch search) {
        this.caseWriter = caseWriter;
        this.search = search;
    }

    @PutMapping("/cases/{localId}")
    @Operation(summary = "Import a case (create or replace)", description = "Role publish." + VERSIONING)
    public ResponseEntity<BatchItem.Result> importCase(@PathVariable String localId,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @io.swagger.v3.oas.annotations.media.Content(schema = @io.swagger.v3.oas.annotations.media.Schema(implementation = dk.opensts.caseindex.domain.CaseRecord.class))) 
            @RequestBody ObjectNode body) {
        return IndexEndpoints.publish(caseWriter, Publication.Op.IMPORT, "case", localId, body, null);
    }

    @PatchMapping(path = "/cases/{localId}", consumes = {"application/merge-patch+json", "application/json"})
    @Operation(summary = "Update a case", description = "Role publish. A JSON merge patch of the published case; "
            + "it must carry a higher version.")
    public ResponseEntity<BatchItem.Result> updateCase(@PathVariable String localId, @RequestBody ObjectNode patch) {
        return IndexEndpoints.publish(caseWriter, Publication.Op.UPDATE, "case", localId, patch, null);
    }

    @DeleteMapping("/cases/{localId}")
    @Operation(summary = "Remove a case", description = "Role publish. Removes the case (and so its documents) "
            + "from searches as of the given version; an older import can then not bring it back.")
    public ResponseEntity<BatchItem.Result> removeCase(@PathVariable String localId, @RequestParam Integer version) {
        return IndexEndpoints.publish(caseWriter, Publication.Op.REMOVE, "case", localId, null, version);
    }

    @PutMapping("/documents/{localId}")
    @Operation(summary = "Import a document (create or replace)", description = "Role publish. The document names "
            + "its case by the case's local id (caseLocalId) in the same IT system." + VERSIONING)
    public ResponseEntity<BatchItem.Result> importDocument(@PathVariable String localId,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @io.swagger.v3.oas.annotations.media.Content(schema = @io.swagger.v3.oas.annotations.media.Schema(implementation = dk.opensts.caseindex.domain.DocumentRecord.class))) 
            @RequestBody ObjectNode body) {
        return IndexEndpoints.publish(caseWriter, Publication.Op.IMPORT, "document", localId, body, null);
    }

    @PatchMapping(path = "/documents/{localId}", consumes = {"application/merge-patch+json", "application/json"})
    @Operation(summary = "Update a document", description = "Role publish. A JSON merge patch; it must carry a "
            + "higher version.")
    public ResponseEntity<BatchItem.Result> updateDocument(@PathVariable String localId, @RequestBody ObjectNode patch) {
        return IndexEndpoints.publish(caseWriter, Publication.Op.UPDATE, "document", localId, patch, null);
    }

    @DeleteMapping("/documents/{localId}")
    @Operation(summary = "Remove a document", description = "Role publish.")
    public ResponseEntity<BatchItem.Result> removeDocument(@PathVariable String localId, @RequestParam Integer version) {
        return IndexEndpoints.publish(caseWriter, Publication.Op.REMOVE, "document", localId, null, version);
    }

    @PostMapping(path = "/batch", consumes = {JsonLinesBatch.MEDIA_TYPE, JsonLinesBatch.NDJSON})
    @Operation(summary = "Publish up to 1,000 cases and documents", description = "Role publish. JSON lines, each "
            + "{\"op\":\"import|update|remove\",\"type\":\"case|document\",\"localId\":...,\"data\":{...}} (a "
            + "removal: \"version\" instead of data); cases are written before documents. Headers Content-Digest "
            + "(sha-256=:<base64>:) and Item-Count are required: a mismatch or a cut body rejects the whole batch, "
            + "nothing written. Otherwise each item is answered on its own, in order.")
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
        return IndexEndpoints.batch(caseWriter, request);
    }

    @GetMapping("/cases")
    @Operation(summary = "Search cases", description = "Role search. By party (CPR or CVR) or case number, with "
            + "filters; only cases the token's privileges admit (municipality, KLE, org units, sensitivity, IT "
            + "systems; VIP_SAGER only when named; exempt cases never), newest change first, keyset paginated. "
            + "include=documents,grants adds each case's documents and grants. Protected persons' names and "
            + "addresses are replaced by a notice without the role protected-data. Every search is audited.")
    public dk.opensts.caseindex.api.CaseIndex.Page searchCases(
            @RequestParam(required = false) String party,
            @RequestParam(required = false) String caseNumber,
            @Parameter(description = "KLE subject, or a prefix like 27.*") @RequestParam(required = false) String kle,
            @Parameter(description = "KLE handling facet, for example G01")
            @RequestParam(required = false) String handlingClass,
            @RequestParam(required = false) UUID orgUnit,
            @Parameter(description = "Whether orgUnit includes its subunits")
            @RequestParam(defaultValue = "false") boolean subunits,
            @Parameter(description = "Current state: OPSTAAET, OPLYST, AFGJORT or AFSLUTTET")
            @RequestParam(required = false) String state,
            @Parameter(description = "Cases open at some time from this date")
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @Parameter(description = "Cases open at some time up to this date")
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
            @RequestParam(required = false) List<Sensitivity> sensitivity,
            @Parameter(description = "The owning IT system's id") @RequestParam(required = false) String owningSystem,
            @Parameter(description = "documents, grants or both (comma-separated)")
            @RequestParam(required = false) List<String> include,
            @Parameter(description = "Why the caller searches (kept in the audit log)")
            @RequestParam(required = false) String purpose,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String after) {
        Actor actor = CurrentActor.get();
        List<String> inc = include == null ? List.of() : include;
        for (String i : inc) {
            if (!i.equals("documents") && !i.equals("grants")) {
                throw dk.opensts.platform.error.ApiException.field(dk.opensts.platform.error.ErrorCode.INVALID_PARAMETER,
                        "include", "documents, grants or both");
            }
        }
        return search.search(actor, new SearchFilters(party, caseNumber, kle,
                        handlingClass, orgUnit, subunits, state, from, to, sensitivity, owningSystem, purpose),
                IndexQuery.Cursor.decode(after), PageToken.limit(limit), inc.contains("documents"),
                inc.contains("grants"));
    }
}
