package dk.opensts.organisation.web;

import dk.opensts.organisation.domain.FeedImport;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.registry.SnapshotImport;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.CurrentActor;
import dk.opensts.platform.security.Services;
import dk.opensts.platform.web.TimeParams;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Organisation: import", description = "Bulk import of a municipality's authoritative feed")
public class FeedImportController {

    private final FeedImport feedImport;
    private final dk.opensts.platform.registry.RegistryService organisationRegistry;
    private final dk.opensts.organisation.domain.OrganisationTypes types;

    public FeedImportController(FeedImport feedImport, dk.opensts.platform.registry.RegistryService organisationRegistry,
                                dk.opensts.organisation.domain.OrganisationTypes types) {
        this.feedImport = feedImport;
        this.organisationRegistry = organisationRegistry;
        this.types = types;
    }

    @PostMapping(path = OrganisationControllers.BASE + "/organisations/{id}/import",
            consumes = {"application/x-ndjson", "application/jsonl", "text/csv"})
    @Operation(summary = "Import a full snapshot of the organisation's units, persons, users, functions and addresses",
            description = "JSON lines (one object per line with type and id) or CSV (header of known columns). "
                    + "Only differences are written, valid from validFrom (default now); objects missing from the "
                    + "snapshot are passivated unless missing=keep. A malformed row rejects the whole import.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    description = "The snapshot; see docs/organisation-import.md for the rows and columns",
                    content = {@Content(mediaType = "application/x-ndjson", schema = @Schema(type = "string")),
                            @Content(mediaType = "application/jsonl", schema = @Schema(type = "string")),
                            @Content(mediaType = "text/csv", schema = @Schema(type = "string"))}))
    public SnapshotImport.Result importFeed(@PathVariable UUID id, HttpServletRequest request,
                                            @RequestParam(required = false) String validFrom,
                                            @RequestParam(defaultValue = "passivate") String missing) throws IOException {
        Actor actor = CurrentActor.require(Services.WRITE);
        // an organisation is its own owner: only the token's municipality's organisation can be imported into
        organisationRegistry.requireVisible(types.organisation, id, id, actor);
        if (!missing.equals("passivate") && !missing.equals("keep")) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "missing", "passivate or keep");
        }
        FeedImport.Format format = request.getContentType().startsWith("text/csv")
                ? FeedImport.Format.CSV : FeedImport.Format.JSON_LINES;
        var reader = new InputStreamReader(request.getInputStream(), StandardCharsets.UTF_8);
        return feedImport.importFeed(id, reader, format,
                TimeParams.parse("validFrom", validFrom, java.time.Instant.now()), missing.equals("passivate"), actor);
    }
}
