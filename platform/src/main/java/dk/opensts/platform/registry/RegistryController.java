package dk.opensts.platform.registry;

import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.bitemporal.Lifecycle;
import dk.opensts.platform.bitemporal.TimePoint;
import dk.opensts.platform.bitemporal.Version;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.Unstorable;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.CurrentActor;
import dk.opensts.platform.web.ETags;
import dk.opensts.platform.web.PageToken;
import dk.opensts.platform.web.TimeParams;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The REST resource of one registry object type. A subclass names the path with
 * {@code @RequestMapping} and supplies the spec, the read and write roles and how search criteria map to the store.
 * <p>
 * Reads take {@code validAt} and {@code knownAt}; writes take {@code Idempotency-Key}; corrections,
 * passivation and deletion need {@code If-Match} with the version (ETag) the caller read.
 */
public abstract class RegistryController<A> {

    protected final RegistryService service;
    protected final ObjectTypeSpec<A> spec;
    private final String readScope;
    private final String writeScope;

    protected RegistryController(RegistryService service, ObjectTypeSpec<A> spec, String readScope, String writeScope) {
        this.service = service;
        this.spec = spec;
        this.readScope = readScope;
        this.writeScope = writeScope;
    }

    /** The collection path, for example {@code /api/organisation/v1/units}. */
    protected abstract String basePath();

    /** The owner to restrict a search to, from the request's parameters; {@code null} for any. */
    protected UUID searchOwner(Map<String, String> params) {
        return uuidParam(params, "owner");
    }

    protected boolean ownerOrNational() {
        return false;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create an object", description = "Creates the object, valid from validity.from (default now). "
            + "An optional body field id chooses its UUID. Send Idempotency-Key to make a retry safe, and/or "
            + "Local-Id, the calling system's own id for the object: a create with a Local-Id the system used before "
            + "answers the object made then (200) if the attributes are the same, else 409 DUPLICATE with objectId.")
    public ResponseEntity<ObjectNode> create(@RequestBody ObjectNode body,
                                             @RequestHeader(value = "Idempotency-Key", required = false) String key,
                                             @RequestHeader(value = "Local-Id", required = false) String localId) {
        Actor actor = require(writeScope);
        Unstorable.refuseNul(body);
        if (localId != null) {
            dk.opensts.platform.idempotency.Idempotency.validateLocalId(localId);
        }
        RegistryService.Parsed<A> parsed = service.parse(spec, body, service.store().now());
        return respond(service.idempotent(actor, key, "POST " + basePath() + " " + (localId == null ? "" : "Local-Id " + localId + " ") + body,
                () -> service.create(spec, parsed, actor, basePath(), localId)));
    }

    @PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Import an object by id", description = "Creates the object with this UUID, or records the "
            + "attributes over the valid period, writing only the periods that differ. Repeating it writes nothing. "
            + "If-Match is checked when sent.")
    public ResponseEntity<ObjectNode> put(@PathVariable UUID id, @RequestBody ObjectNode body,
                                          @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                          @RequestHeader(value = "Idempotency-Key", required = false) String key) {
        Actor actor = require(writeScope);
        Unstorable.refuseNul(body);
        RegistryService.Parsed<A> parsed = service.parse(spec, body, service.store().now());
        Integer expected = ETags.parse(ifMatch, false);
        return respond(service.idempotent(actor, key, "PUT " + basePath() + "/" + id + " " + ifMatch + " " + body,
                () -> service.put(spec, id, parsed, expected, actor, basePath())));
    }

    @PatchMapping(path = "/{id}", consumes = {"application/merge-patch+json", MediaType.APPLICATION_JSON_VALUE})
    @Operation(summary = "Correct an object", description = "JSON merge patch (RFC 7396) of the attributes over "
            + "validity (default from now on). Requires If-Match with the current version; a stale one gets 409.")
    public ResponseEntity<ObjectNode> patch(@PathVariable UUID id, @RequestBody ObjectNode body,
                                            @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                            @RequestHeader(value = "Idempotency-Key", required = false) String key) {
        Actor actor = require(writeScope);
        Unstorable.refuseNul(body);
        int expected = ETags.parse(ifMatch, true);
        return respond(service.idempotent(actor, key, "PATCH " + basePath() + "/" + id + " " + ifMatch + " " + body,
                () -> service.patch(spec, id, body, expected, actor, basePath(), service.store().now())));
    }

    @PostMapping(path = "/{id}/passivation")
    @Operation(summary = "Passivate an object", description = "Hides the object from default reads from now on; "
            + "reads with an earlier knownAt still see it. Requires If-Match.")
    public ResponseEntity<ObjectNode> passivate(@PathVariable UUID id,
                                                @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                                @RequestParam(required = false) String note) {
        Actor actor = require(writeScope);
        int expected = ETags.parse(ifMatch, true);
        return respond(service.end(spec, id, Lifecycle.PASSIVATED, expected, note, actor, basePath()));
    }

    @DeleteMapping(path = "/{id}")
    @Operation(summary = "Delete an object", description = "Marks the object deleted: it answers 410 Gone from now on; "
            + "its history is kept. Requires If-Match.")
    public ResponseEntity<ObjectNode> delete(@PathVariable UUID id,
                                             @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                             @RequestParam(required = false) String note) {
        Actor actor = require(writeScope);
        int expected = ETags.parse(ifMatch, true);
        return respond(service.end(spec, id, Lifecycle.DELETED, expected, note, actor, basePath()));
    }

    @GetMapping(path = "/{id}")
    @Operation(summary = "Read an object", description = "The version valid at validAt as known at knownAt "
            + "(both ISO-8601, default now). 404 when none, 410 when deleted.")
    public ResponseEntity<ObjectNode> read(@PathVariable UUID id,
                                           @Parameter(description = "ISO-8601 point in valid time") @RequestParam(required = false) String validAt,
                                           @Parameter(description = "ISO-8601 point in system time") @RequestParam(required = false) String knownAt) {
        Actor actor = require(readScope);
        TimePoint tp = TimeParams.point(validAt, knownAt, service.store().now());
        ObjectNode body = service.read(spec, id, tp, actor);
        return ResponseEntity.ok().eTag(ETags.of(body.path("version").asInt())).body(body);
    }

    @GetMapping(path = "/{id}/history")
    @Operation(summary = "Full history of an object", description = "Every registration and every version row "
            + "with its valid period and the system period it was recorded for.")
    public ObjectNode history(@PathVariable UUID id) {
        Actor actor = require(readScope);
        return service.history(spec, id, actor);
    }

    @GetMapping
    @Operation(summary = "Search", description = "Filters combine with AND. Keyset pagination: pass the answer's "
            + "next token as after, with the same other parameters; the pages of one search show the objects valid at "
            + "the moment of its first page, and a token of another search is refused. Results as of validAt/knownAt.")
    public ObjectNode search(@RequestParam Map<String, String> params) {
        Actor actor = require(readScope);
        Map<String, String> criteria = new LinkedHashMap<>(params);
        for (String p : params.keySet()) {
            if (!searchParameters().contains(p)) {
                throw ApiException.field(ErrorCode.INVALID_PARAMETER, p,
                        "unknown parameter; known: " + String.join(", ", searchParameters()));
            }
        }
        // the search a page token belongs to: the type and every parameter but the page's own
        java.util.TreeMap<String, String> filters = new java.util.TreeMap<>(params);
        filters.remove("after");
        filters.remove("limit");
        String query = spec.name() + filters;
        PageToken.SearchCursor cursor = PageToken.decodeSearch(params.get("after"), query);
        Instant now = service.store().now();
        // later pages show the objects valid at the moment the first page did, unless validAt says when
        TimePoint tp = TimeParams.point(params.get("validAt"), params.get("knownAt"), now);
        if (cursor != null && (params.get("validAt") == null || params.get("validAt").isBlank())) {
            tp = new TimePoint(cursor.validAt(), tp.knownAt(), tp.knownNow());
        }
        int limit = PageToken.limit(intParam(params, "limit"));
        BitemporalStore.Query q = new BitemporalStore.Query(spec.name(), searchOwner(params), ownerOrNational(),
                userKeyParam(params), params.get("name"), uuidParam(params, "parent"), uuidParam(params, "linkedTo"),
                tp, cursor == null ? null : cursor.after(), limit + 1, tenantAttribute(),
                tenantAttribute() == null ? null : tenantValue(params, actor));
        List<Version> found = service.search(spec, q, actor, criteria);
        ObjectNode page = JsonNodeFactory.instance.objectNode();
        var items = page.putArray("items");
        found.stream().limit(limit).forEach(v -> items.add(service.render(v)));
        if (found.size() > limit) {
            page.put("next", PageToken.encodeSearch(found.get(limit - 1).objectId(), tp.validAt(), query));
        } else {
            page.putNull("next");
        }
        return page;
    }

    /** The query parameters search accepts; a subclass may add its own. */
    protected List<String> searchParameters() {
        return List.of("userKey", "name", "parent", "linkedTo", "owner", "validAt", "knownAt", "limit", "after");
    }

    /** An attribute that marks objects of one tenant (absent = shared by all); {@code null} for none. */
    protected String tenantAttribute() {
        return null;
    }

    /** The tenant whose objects a search sees besides the shared ones. */
    protected String tenantValue(Map<String, String> params, Actor actor) {
        return null;
    }

    protected String userKeyParam(Map<String, String> params) {
        return params.get("userKey");
    }

    protected Actor require(String role) {
        return CurrentActor.require(role);
    }

    protected static UUID uuidParam(Map<String, String> params, String name) {
        String v = params.get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return dk.opensts.platform.web.Uuids.parse(v);
        } catch (IllegalArgumentException e) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, name, e.getMessage());
        }
    }

    protected static Integer intParam(Map<String, String> params, String name) {
        String v = params.get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(v);
        } catch (NumberFormatException e) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, name, "not an integer");
        }
    }

    protected static ResponseEntity<ObjectNode> respond(ApiResponse r) {
        ResponseEntity.BodyBuilder b = ResponseEntity.status(r.status()).eTag(ETags.of(r.version()));
        if (r.status() == 201 && r.location() != null) {
            b.location(URI.create(r.location()));
        }
        return b.body(r.body());
    }
}
