package dk.opensts.classification.web;

import dk.opensts.classification.domain.ClassAttributes;
import dk.opensts.classification.domain.ClassificationImport;
import dk.opensts.classification.domain.ClassificationTypes;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.bitemporal.TimePoint;
import dk.opensts.platform.bitemporal.Version;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.registry.ObjectTypeSpec;
import dk.opensts.platform.registry.RegistryController;
import dk.opensts.platform.registry.RegistryService;
import dk.opensts.platform.registry.SnapshotImport;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.CurrentActor;
import dk.opensts.platform.security.Services;
import dk.opensts.platform.web.ETags;
import dk.opensts.platform.web.TimeParams;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

/** The REST resources of FK Klassifikation under {@code /api/classification/v1/}. */
public final class ClassificationControllers {

    public static final String BASE = "/api/classification/v1";

    private ClassificationControllers() {
    }

    abstract static class Base<A> extends RegistryController<A> {
        Base(RegistryService service, ObjectTypeSpec<A> spec) {
            super(service, spec, Services.READ, Services.WRITE);
        }

        @Override
        protected UUID searchOwner(Map<String, String> params) {
            return uuidParam(params, "classification");
        }

        @Override
        protected List<String> searchParameters() {
            List<String> p = new ArrayList<>(super.searchParameters());
            p.remove("owner");
            p.add("classification");
            return p;
        }

        /**
         * The classification or facet with everything below it, as of validAt/knownAt: national
         * classes and the local classes of the caller's municipality ({@code municipality} may only name it).
         */
        protected ResponseEntity<byte[]> tree(UUID id, Integer depth, String validAt, String knownAt,
                                              String municipality) {
            Actor actor = require(Services.READ);
            int max = depth == null ? 10 : depth;
            if (max < 0 || max > 50) {
                throw ApiException.field(ErrorCode.INVALID_PARAMETER, "depth", "must be 0 to 50");
            }
            TimePoint tp = TimeParams.point(validAt, knownAt, service.store().now());
            List<BitemporalStore.TreeNode> nodes = service.store().subtree(id, tp, max, "municipality",
                    municipalityOf(municipality, actor));
            if (nodes.isEmpty() || !nodes.get(0).type().equals(spec.name())) {
                throw service.absent(spec, id, tp, actor);
            }
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(service.renderTree(nodes));
        }
    }

    @RestController
    @RequestMapping(BASE + "/classifications")
    @Tag(name = "Classification: classifications", description = "Classification systems such as KLE")
    public static class Classifications extends Base<ClassAttributes.ClassificationAttrs> {
        public Classifications(RegistryService classificationRegistry, ClassificationTypes types) {
            super(classificationRegistry, types.classification);
        }

        protected String basePath() {
            return BASE + "/classifications";
        }

        @Override
        protected UUID searchOwner(Map<String, String> params) {
            return null;
        }

        @Override
        protected List<String> searchParameters() {
            return List.of("userKey", "name", "validAt", "knownAt", "limit", "after");
        }

        @GetMapping(path = "/{id}/tree", produces = MediaType.APPLICATION_JSON_VALUE)
        @Operation(summary = "A whole classification as a tree", description = "The classification, its facets and "
                + "their classes in depth then name order (depth default 10, at most 50), as of validAt/knownAt: "
                + "national classes and the local classes of municipality (CVR; default, and the only one allowed, the token's municipality). Each item "
                + "has id, type, depth, attributes and validity.")
        public ResponseEntity<byte[]> classificationTree(@PathVariable UUID id,
                                                         @RequestParam(required = false) Integer depth,
                                                         @RequestParam(required = false) String validAt,
                                                         @RequestParam(required = false) String knownAt,
                                                         @RequestParam(required = false) String municipality) {
            return tree(id, depth, validAt, knownAt, municipality);
        }
    }

    @RestController
    @RequestMapping(BASE + "/facets")
    @Tag(name = "Classification: facets", description = "Facets of a classification")
    public static class Facets extends Base<ClassAttributes.FacetAttrs> {
        public Facets(RegistryService classificationRegistry, ClassificationTypes types) {
            super(classificationRegistry, types.facet);
        }

        protected String basePath() {
            return BASE + "/facets";
        }

        @GetMapping(path = "/{id}/tree", produces = MediaType.APPLICATION_JSON_VALUE)
        @Operation(summary = "A facet as a tree", description = "The facet and its classes in depth then name "
                + "order, as of validAt/knownAt; national classes and the local classes of municipality (CVR; "
                + "default, and the only one allowed, the token's municipality).")
        public ResponseEntity<byte[]> facetTree(@PathVariable UUID id, @RequestParam(required = false) Integer depth,
                                                @RequestParam(required = false) String validAt,
                                                @RequestParam(required = false) String knownAt,
                                                @RequestParam(required = false) String municipality) {
            return tree(id, depth, validAt, knownAt, municipality);
        }
    }

    @RestController
    @RequestMapping(BASE + "/classes")
    @Tag(name = "Classification: classes", description = "Classes, national and municipalities' local ones")
    public static class Classes extends Base<ClassAttributes.ClassAttrs> {
        public Classes(RegistryService classificationRegistry, ClassificationTypes types) {
            super(classificationRegistry, types.clazz);
        }

        protected String basePath() {
            return BASE + "/classes";
        }

        @Override
        protected List<String> searchParameters() {
            List<String> p = new ArrayList<>(super.searchParameters());
            p.add("municipality");
            return p;
        }

        @Override
        protected String tenantAttribute() {
            return "municipality";
        }

        /** National classes and the local classes of the token's municipality ({@code municipality} may only name it). */
        @Override
        protected String tenantValue(Map<String, String> params, Actor actor) {
            String m = params.get("municipality");
            if (m != null && !m.matches("[0-9]{8}")) {
                throw ApiException.field(ErrorCode.INVALID_PARAMETER, "municipality", "must be a CVR of 8 digits");
            }
            return municipalityOf(m, actor);
        }


        @GetMapping("/by-user-key/{userKey}")
        @Operation(summary = "Look up a class by user key", description = "For example 27.24.00 in the classification "
                + "(user key, default KLE) as of validAt/knownAt; national classes and the local classes of "
                + "municipality (default, and the only one allowed: the token's) are looked in.")
        public ResponseEntity<ObjectNode> byUserKey(@PathVariable String userKey,
                                                    @RequestParam(defaultValue = ClassificationImport.KLE) String classification,
                                                    @RequestParam(required = false) String municipality,
                                                    @RequestParam(required = false) String validAt,
                                                    @RequestParam(required = false) String knownAt) {
            Actor actor = require(Services.READ);
            TimePoint tp = TimeParams.point(validAt, knownAt, service.store().now());
            BitemporalStore store = service.store();
            UUID classificationId = store.search(new BitemporalStore.Query(ClassificationTypes.CLASSIFICATION, null,
                            false, classification, null, null, null, tp, null, 1)).stream()
                    .findFirst().map(Version::objectId)
                    .orElseThrow(() -> ApiException.notFound("classification", classification));
            String tenant = municipalityOf(municipality, actor);
            List<Version> found = store.search(new BitemporalStore.Query(ClassificationTypes.CLASS, classificationId,
                    false, userKey, null, null, null, tp, null, 2, "municipality", tenant));
            Version v = found.stream().filter(x -> x.data().hasNonNull("municipality")).findFirst()
                    .orElse(found.isEmpty() ? null : found.get(0));
            if (v == null) {
                throw ApiException.notFound("class", userKey);
            }
            return ResponseEntity.ok().eTag(ETags.of(v.currentVersion())).body(service.render(v));
        }
    }

    /**
     * The municipality whose local classes a read includes: the token's own; naming another is
     * refused (a system acting for one municipality never reads another's local classes).
     */
    static String municipalityOf(String requested, Actor actor) {
        if (requested == null || requested.equals(actor.municipality()) || actor.audience() == null) {
            return requested != null ? requested : actor.municipality();
        }
        throw new ApiException(ErrorCode.FORBIDDEN, "A token for municipality " + actor.municipality()
                + " cannot read the local classes of municipality " + requested);
    }

    @RestController
    @RequestMapping(BASE + "/imports")
    @Tag(name = "Classification: import", description = "Whole-classification imports (KLE XML, JSON)")
    public static class Imports {
        private final ClassificationImport imports;

        public Imports(ClassificationImport imports) {
            this.imports = imports;
        }

        @PostMapping(path = "/kle", consumes = {"application/xml", "text/xml"})
        @Operation(summary = "Import KLE XML", description = "A KLE-Emneplan document (optionally with "
                + "Handlingsfacetter) into the KLE classification. Only differences are written, valid from "
                + "validFrom (default now); national classes no longer in KLE are passivated.",
                requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                        description = "A KLE-Emneplan XML document",
                        content = {@Content(mediaType = "application/xml", schema = @Schema(type = "string")),
                                @Content(mediaType = "text/xml", schema = @Schema(type = "string"))}))
        public SnapshotImport.Result kle(HttpServletRequest request, @RequestParam(required = false) String validFrom)
                throws IOException {
            Actor actor = requireWrite();
            return imports.importKle(new InputStreamReader(request.getInputStream(), StandardCharsets.UTF_8),
                    TimeParams.parse("validFrom", validFrom, Instant.now()), actor);
        }

        @PostMapping(path = "/json", consumes = "application/json")
        @Operation(summary = "Import a classification as JSON", description = "{classification, facets, classes}, "
                + "each object with its id; a snapshot of the national tree.")
        public SnapshotImport.Result json(@RequestBody ObjectNode body, @RequestParam(required = false) String validFrom) {
            Actor actor = requireWrite();
            return imports.importJson(body, TimeParams.parse("validFrom", validFrom, Instant.now()), actor);
        }

        private static Actor requireWrite() {
            return CurrentActor.require(Services.NATIONAL_WRITE);
        }
    }
}
