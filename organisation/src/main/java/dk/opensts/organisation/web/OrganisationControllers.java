package dk.opensts.organisation.web;

import dk.opensts.organisation.domain.Attributes;
import dk.opensts.organisation.domain.OrganisationTypes;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.bitemporal.TimePoint;
import dk.opensts.platform.bitemporal.Version;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.registry.RegistryController;
import dk.opensts.platform.registry.RegistryService;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.Services;
import dk.opensts.platform.web.TimeParams;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The REST resources of FK Organisation under {@code /api/organisation/v1/}. */
public final class OrganisationControllers {

    public static final String BASE = "/api/organisation/v1";

    private OrganisationControllers() {
    }

    /** Search parameters of every type owned by an organisation. */
    abstract static class Owned<A> extends RegistryController<A> {
        Owned(RegistryService service, dk.opensts.platform.registry.ObjectTypeSpec<A> spec) {
            super(service, spec, Services.READ, Services.WRITE);
        }

        @Override
        protected UUID searchOwner(Map<String, String> params) {
            return uuidParam(params, "organisation");
        }

        @Override
        protected List<String> searchParameters() {
            List<String> p = new ArrayList<>(super.searchParameters());
            p.remove("owner");
            p.add("organisation");
            return p;
        }
    }

    @RestController
    @RequestMapping(BASE + "/organisations")
    @Tag(name = "Organisation: organisations", description = "Municipalities and other organisations, keyed by CVR")
    public static class Organisations extends RegistryController<Attributes.OrganisationAttrs> {
        public Organisations(RegistryService organisationRegistry, OrganisationTypes types) {
            super(organisationRegistry, types.organisation, Services.READ, Services.WRITE);
        }

        protected String basePath() {
            return BASE + "/organisations";
        }

        @Override
        protected List<String> searchParameters() {
            return List.of("cvr", "name", "validAt", "knownAt", "limit", "after");
        }

        @Override
        protected String userKeyParam(Map<String, String> params) {
            return params.get("cvr");
        }

        @Override
        protected UUID searchOwner(Map<String, String> params) {
            return null;
        }
    }

    @RestController
    @RequestMapping(BASE + "/units")
    @Tag(name = "Organisation: units", description = "Organisation units (OrganisationEnhed) in a hierarchy")
    public static class Units extends Owned<Attributes.UnitAttrs> {
        public Units(RegistryService organisationRegistry, OrganisationTypes types) {
            super(organisationRegistry, types.unit);
        }

        protected String basePath() {
            return BASE + "/units";
        }

        @GetMapping(path = "/{id}/subtree", produces = MediaType.APPLICATION_JSON_VALUE)
        @Operation(summary = "A unit's subtree", description = "The unit and its descendants down to depth "
                + "(default 100, at most 1000), as of validAt/knownAt, in depth then name order. Each item has "
                + "id, type, depth, the unit's attributes and its validity; read a unit for its version and "
                + "registration.")
        public ResponseEntity<byte[]> subtree(@PathVariable UUID id, @RequestParam(required = false) Integer depth,
                                              @RequestParam(required = false) String validAt,
                                              @RequestParam(required = false) String knownAt) {
            Actor actor = require(Services.READ);
            int max = depth == null ? 100 : depth;
            if (max < 0 || max > 1000) {
                throw ApiException.field(ErrorCode.INVALID_PARAMETER, "depth", "must be 0 to 1000");
            }
            TimePoint tp = TimeParams.point(validAt, knownAt, service.store().now());
            List<BitemporalStore.TreeNode> nodes = service.store().subtree(id, tp, max, null, null);
            if (nodes.isEmpty() || !nodes.get(0).type().equals(spec.name())) {
                throw service.absent(spec, id, tp, actor);
            }
            // the tree lies within one organisation, so its root decides
            service.requireVisible(spec, id, service.store().head(id).map(h -> h.owner()).orElse(null), actor);
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(service.renderTree(nodes));
        }

        @GetMapping("/{id}/ancestors")
        @Operation(summary = "A unit's ancestors", description = "Parent, grandparent and so on up to the root, "
                + "as of validAt/knownAt.")
        public ObjectNode ancestors(@PathVariable UUID id, @RequestParam(required = false) String validAt,
                                    @RequestParam(required = false) String knownAt) {
            Actor actor = require(Services.READ);
            TimePoint tp = TimeParams.point(validAt, knownAt, service.store().now());
            Version unit = service.store().at(id, tp).filter(v -> v.type().equals(spec.name()))
                    .orElseThrow(() -> service.absent(spec, id, tp, actor));
            service.requireVisible(spec, id, unit.owner(), actor);
            return page(service.store().ancestors(id, tp));
        }

        private ObjectNode page(List<Version> rows) {
            ObjectNode page = JsonNodeFactory.instance.objectNode();
            var items = page.putArray("items");
            rows.forEach(v -> items.add(service.render(v)));
            return page;
        }
    }

    @RestController
    @RequestMapping(BASE + "/users")
    @Tag(name = "Organisation: users", description = "IT accounts (Bruger); names are personal data and audited")
    public static class Users extends Owned<Attributes.UserAttrs> {
        public Users(RegistryService organisationRegistry, OrganisationTypes types) {
            super(organisationRegistry, types.user);
        }

        protected String basePath() {
            return BASE + "/users";
        }
    }

    @RestController
    @RequestMapping(BASE + "/persons")
    @Tag(name = "Organisation: persons", description = "Persons with CPR numbers; every read and write is audited")
    public static class Persons extends Owned<Attributes.PersonAttrs> {
        public Persons(RegistryService organisationRegistry, OrganisationTypes types) {
            super(organisationRegistry, types.person);
        }

        protected String basePath() {
            return BASE + "/persons";
        }

        @Override
        protected List<String> searchParameters() {
            List<String> p = new ArrayList<>(super.searchParameters());
            p.remove("userKey");
            p.add("cpr");
            return p;
        }

        @Override
        protected String userKeyParam(Map<String, String> params) {
            String cpr = params.get("cpr");
            if (cpr != null && !cpr.matches("[0-9]{10}")) {
                throw ApiException.field(ErrorCode.INVALID_PARAMETER, "cpr", "must be 10 digits");
            }
            return cpr;
        }
    }

    @RestController
    @RequestMapping(BASE + "/functions")
    @Tag(name = "Organisation: functions", description = "Engagements, managers and KLE responsibilities (OrganisationFunktion)")
    public static class Functions extends Owned<Attributes.FunctionAttrs> {
        public Functions(RegistryService organisationRegistry, OrganisationTypes types) {
            super(organisationRegistry, types.function);
        }

        protected String basePath() {
            return BASE + "/functions";
        }
    }

    @RestController
    @RequestMapping(BASE + "/addresses")
    @Tag(name = "Organisation: addresses", description = "Email, phone, P-number, EAN, SOR id and postal addresses of units and users")
    public static class Addresses extends Owned<Attributes.AddressAttrs> {
        public Addresses(RegistryService organisationRegistry, OrganisationTypes types) {
            super(organisationRegistry, types.address);
        }

        protected String basePath() {
            return BASE + "/addresses";
        }
    }
}
