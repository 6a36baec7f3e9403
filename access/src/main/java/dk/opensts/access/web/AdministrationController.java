package dk.opensts.access.web;

import dk.opensts.access.api.ItSystems;
import dk.opensts.access.api.ItSystems.ItSystem;
import dk.opensts.access.api.ItSystems.SystemCertificate;
import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.access.api.ServiceAgreements.Agreement;
import dk.opensts.access.api.ServiceAgreements.Grant;
import dk.opensts.access.api.ServiceAgreements.State;
import dk.opensts.access.domain.ServiceCatalogue;
import dk.opensts.access.token.SigningKeys;
import dk.opensts.platform.bitemporal.Period;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.CurrentActor;
import dk.opensts.platform.security.ServiceDefinition;
import dk.opensts.platform.security.Services;
import dk.opensts.platform.securitylog.SecurityEvent;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import dk.opensts.platform.web.ETags;
import dk.opensts.platform.web.TimeParams;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The administration API of access for systems. The platform operator (role {@code operator})
 * registers IT systems and their certificates, defines services, rotates signing keys and decides
 * any agreement; a municipality's administrator (role {@code municipal-admin}) requests and decides
 * the agreements of the municipality its token acts for, and sees who may do what there.
 */
@RestController
@RequestMapping("/api/admin/v1")
@Tag(name = "Administration: access for systems")
public class AdministrationController {

    private final ItSystems systems;
    private final ServiceCatalogue services;
    private final ServiceAgreements agreements;
    private final SigningKeys keys;
    private final SecurityLog securityLog;
    private final Clock clock;

    public AdministrationController(ItSystems systems, ServiceCatalogue services, ServiceAgreements agreements,
                                    SigningKeys keys, SecurityLog securityLog, Clock clock) {
        this.systems = systems;
        this.services = services;
        this.agreements = agreements;
        this.keys = keys;
        this.securityLog = securityLog;
        this.clock = clock;
    }

    // ------------------------------------------------------------------ IT systems

    public record SystemInput(UUID id, String name, String vendorCvr, String contact) {
    }

    @PostMapping("/systems")
    @Operation(summary = "Register an IT system", description = "Role operator. The id is chosen when not given.")
    public ResponseEntity<ItSystem> register(@RequestBody SystemInput in) {
        Actor actor = operator();
        ItSystem s = systems.register(in.id() == null ? UUID.randomUUID() : in.id(), in.name(), in.vendorCvr(),
                in.contact(), actor.id());
        return ResponseEntity.created(URI.create("/api/admin/v1/systems/" + s.id())).body(s);
    }

    @GetMapping("/systems")
    @Operation(summary = "List IT systems", description = "Role operator or municipal-admin.")
    public List<ItSystem> systems() {
        administrator();
        return systems.list();
    }

    @GetMapping("/systems/{id}")
    @Operation(summary = "Read an IT system", description = "Role operator or municipal-admin.")
    public ItSystem system(@PathVariable UUID id) {
        administrator();
        return systems.find(id).orElseThrow(() -> ApiException.notFound("IT system", id));
    }

    @PostMapping("/systems/{id}/deactivate")
    @Operation(summary = "Deactivate an IT system", description = "Role operator. At once: no tokens, its certificates "
            + "are refused.")
    public ItSystem deactivate(@PathVariable UUID id, @RequestBody(required = false) Reason in) {
        return systems.setActive(id, false, in == null ? null : in.reason(), operator().id());
    }

    @PostMapping("/systems/{id}/activate")
    @Operation(summary = "Activate an IT system again", description = "Role operator.")
    public ItSystem activate(@PathVariable UUID id, @RequestBody(required = false) Reason in) {
        return systems.setActive(id, true, in == null ? null : in.reason(), operator().id());
    }

    public record CertificateInput(String pem) {
    }

    @PostMapping("/systems/{id}/certificates")
    @Operation(summary = "Add a certificate to an IT system", description = "Role operator. PEM; it must be issued by a "
            + "trusted CA and valid now. Several certificates may be active at once (rotation).")
    public ResponseEntity<SystemCertificate> addCertificate(@PathVariable UUID id, @RequestBody CertificateInput in) {
        Actor actor = operator();
        SystemCertificate c = systems.addCertificate(id, in.pem(), actor.id());
        return ResponseEntity.created(URI.create("/api/admin/v1/systems/" + id + "/certificates/" + c.thumbprint())).body(c);
    }

    @GetMapping("/systems/{id}/certificates")
    @Operation(summary = "List an IT system's certificates", description = "Role operator or municipal-admin.")
    public List<SystemCertificate> certificates(@PathVariable UUID id) {
        administrator();
        return systems.certificates(id);
    }

    public record Reason(String reason, String from) {
    }

    @PostMapping("/systems/{id}/certificates/{thumbprint}/revoke")
    @Operation(summary = "Revoke a certificate", description = "Role operator. At once: no token is issued for it and "
            + "tokens bound to it are refused over mutual TLS.")
    public SystemCertificate revokeCertificate(@PathVariable UUID id, @PathVariable String thumbprint,
                                               @RequestBody(required = false) Reason in) {
        Actor actor = operator();
        return systems.revokeCertificate(id, thumbprint, in == null ? null : in.reason(), actor.id());
    }

    // ------------------------------------------------------------------ services

    @GetMapping("/services")
    @Operation(summary = "List services and their roles", description = "Role operator or municipal-admin.")
    public List<ServiceDefinition> services() {
        administrator();
        return services.list();
    }

    @PutMapping("/services")
    @Operation(summary = "Define a service", description = "Role operator. Creates or replaces a service that is not "
            + "one of OpenSTS's own, with its roles and the constraint types each role takes.")
    public ServiceDefinition defineService(@RequestBody ServiceDefinition in) {
        Actor actor = operator();
        return services.define(in, actor.id());
    }

    // ------------------------------------------------------------------ agreements

    /** A valid period as written: ISO dates or instants; from defaults to now, to to open-ended. */
    public record Validity(String from, String to) {
        static Period period(Validity v, Instant now) {
            return new Period(TimeParams.parse("validity.from", v == null ? null : v.from(), now),
                    TimeParams.parse("validity.to", v == null ? null : v.to(), null));
        }
    }

    public record AgreementInput(UUID system, String service, String municipality, List<Grant> roles, Validity validity,
                                 String note) {
    }

    @PostMapping("/agreements")
    @Operation(summary = "Request a service agreement", description = "A system asks for roles in a service for a "
            + "municipality, over a valid period (default from now, open-ended). Role operator, or municipal-admin of "
            + "that municipality. The agreement starts REQUESTED.")
    public ResponseEntity<Agreement> request(@RequestBody AgreementInput in) {
        Actor actor = administrator();
        requireMunicipality(actor, in.municipality());
        Agreement a = agreements.request(in.system(), in.service(), in.municipality(), in.roles(),
                Validity.period(in.validity(), clock.instant()), in.note(), actor);
        return ResponseEntity.created(URI.create("/api/admin/v1/agreements/" + a.id())).eTag(ETags.of(a.version())).body(a);
    }

    @GetMapping("/agreements")
    @Operation(summary = "List service agreements", description = "Filtered by municipality, system, service and the "
            + "state at validAt (default now). A municipal-admin sees its own municipality's only.")
    public List<Agreement> agreements(@RequestParam(required = false) String municipality,
                                      @RequestParam(required = false) UUID system,
                                      @RequestParam(required = false) String service,
                                      @RequestParam(required = false) State state,
                                      @RequestParam(required = false) String validAt) {
        Actor actor = administrator();
        String cvr = actor.hasRole(Services.OPERATOR) ? municipality : actor.municipality();
        if (municipality != null && !municipality.equals(cvr)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "A municipal administrator sees its own municipality's agreements only");
        }
        return agreements.list(cvr, system, service, state, TimeParams.parse("validAt", validAt, null));
    }

    @GetMapping("/agreements/{id}")
    @Operation(summary = "Read a service agreement", description = "With its stretches of valid time, as known at "
            + "knownAt (default now).")
    public ResponseEntity<Agreement> agreement(@PathVariable UUID id, @RequestParam(required = false) String validAt,
                                               @RequestParam(required = false) String knownAt) {
        Actor actor = administrator();
        Agreement a = agreements.find(id, TimeParams.parse("validAt", validAt, null),
                        TimeParams.parse("knownAt", knownAt, null))
                .filter(x -> actor.hasRole(Services.OPERATOR) || x.municipality().equals(actor.municipality()))
                .orElseThrow(() -> ApiException.notFound("agreement", id));
        return ResponseEntity.ok().eTag(ETags.of(a.version())).body(a);
    }

    @PostMapping("/agreements/{id}/approve")
    @Operation(summary = "Approve a requested agreement", description = "Needs If-Match. Role operator, or "
            + "municipal-admin of the agreement's municipality; the administration service and roles named "
            + "national-... need the operator.")
    public ResponseEntity<Agreement> approve(@PathVariable UUID id, @RequestHeader(value = "If-Match", required = false)
                                             String ifMatch, @RequestBody(required = false) Reason in) {
        Actor actor = decider(id, true);
        return answer(agreements.approve(id, ETags.parse(ifMatch, true), in == null ? null : in.reason(), actor));
    }

    @PostMapping("/agreements/{id}/reject")
    @Operation(summary = "Reject a requested agreement", description = "Needs If-Match. Role operator, or municipal-admin "
            + "of the agreement's municipality.")
    public ResponseEntity<Agreement> reject(@PathVariable UUID id, @RequestHeader(value = "If-Match", required = false)
                                            String ifMatch, @RequestBody(required = false) Reason in) {
        Actor actor = decider(id, false);
        return answer(agreements.reject(id, ETags.parse(ifMatch, true), in == null ? null : in.reason(), actor));
    }

    @PostMapping("/agreements/{id}/revoke")
    @Operation(summary = "Revoke an approved agreement", description = "From body.from (default now); the time before "
            + "stays approved in history. Needs If-Match. Role operator, or municipal-admin of the agreement's municipality.")
    public ResponseEntity<Agreement> revoke(@PathVariable UUID id, @RequestHeader(value = "If-Match", required = false)
                                            String ifMatch, @RequestBody(required = false) Reason in) {
        Actor actor = decider(id, false);
        Instant from = in == null ? null : TimeParams.parse("from", in.from(), null);
        return answer(agreements.revoke(id, ETags.parse(ifMatch, true), from, in == null ? null : in.reason(), actor));
    }

    private static ResponseEntity<Agreement> answer(Agreement a) {
        return ResponseEntity.ok().eTag(ETags.of(a.version())).body(a);
    }

    /** One system's approved roles in one service for one municipality, now. */
    public record Privilege(String municipality, UUID system, String systemName, String service, UUID agreement,
                            Period valid, List<Grant> roles) {
    }

    @GetMapping("/privileges")
    @Operation(summary = "Who may do what", description = "Every approved agreement valid at validAt (default now): "
            + "system, service, municipality and the roles with constraint values. A municipal-admin sees its own.")
    public List<Privilege> privileges(@RequestParam(required = false) String municipality,
                                      @RequestParam(required = false) UUID system,
                                      @RequestParam(required = false) String service,
                                      @RequestParam(required = false) String validAt) {
        List<Privilege> out = new ArrayList<>();
        for (Agreement a : agreements(municipality, system, service, State.APPROVED, validAt)) {
            String name = systems.find(a.system()).map(ItSystem::name).orElse(null);
            out.add(new Privilege(a.municipality(), a.system(), name, a.service(), a.id(), a.valid(), a.roles()));
        }
        return out;
    }

    // ------------------------------------------------------------------ signing keys

    @GetMapping("/signing-keys")
    @Operation(summary = "List the token signing keys", description = "Role operator. Public data only.")
    public List<SigningKeys.KeyInfo> signingKeys() {
        operator();
        return keys.list();
    }

    @PostMapping("/signing-keys/rotate")
    @Operation(summary = "Add a new signing key", description = "Role operator. The new key signs from now on; older "
            + "keys stay published so tokens they signed remain valid until retired.")
    public SigningKeys.KeyInfo rotate() {
        Actor actor = operator();
        String kid = keys.rotate();
        securityLog.record(SecurityEventType.KEY_CHANGED, SecurityEvent.OK, new SecurityLog.Subject(actor.id(), actor.id(),
                actor.municipality()), Map.of("action", "rotated", "kid", kid));
        return keys.list().stream().filter(k -> k.kid().equals(kid)).findFirst().orElseThrow();
    }

    @PostMapping("/signing-keys/{kid}/retire")
    @Operation(summary = "Retire a signing key", description = "Role operator. Tokens it signed are refused from now on; "
            + "the newest key cannot be retired.")
    public SigningKeys.KeyInfo retire(@PathVariable String kid) {
        Actor actor = operator();
        SigningKeys.KeyInfo k = keys.retire(kid);
        securityLog.record(SecurityEventType.KEY_CHANGED, SecurityEvent.OK, new SecurityLog.Subject(actor.id(), actor.id(),
                actor.municipality()), Map.of("action", "retired", "kid", kid));
        return k;
    }

    // ------------------------------------------------------------------ who may

    private static Actor operator() {
        return CurrentActor.require(Services.OPERATOR);
    }

    static Actor administrator() {
        return CurrentActor.requireAny(Services.OPERATOR, Services.MUNICIPAL_ADMIN);
    }

    static void requireMunicipality(Actor actor, String cvr) {
        if (!actor.hasRole(Services.OPERATOR) && (cvr == null || !cvr.equals(actor.municipality()))) {
            throw new ApiException(ErrorCode.FORBIDDEN, "A municipal administrator acts for municipality "
                    + actor.municipality() + " only");
        }
    }

    private Actor decider(UUID id, boolean approving) {
        Actor actor = administrator();
        Agreement a = agreements.find(id, null, null)
                .filter(x -> actor.hasRole(Services.OPERATOR) || x.municipality().equals(actor.municipality()))
                .orElseThrow(() -> ApiException.notFound("agreement", id));
        if (approving && !actor.hasRole(Services.OPERATOR) && (Services.ADMINISTRATION.equals(a.service())
                || a.roles().stream().anyMatch(g -> g.role().startsWith(Services.NATIONAL_PREFIX)))) {
            throw new ApiException(ErrorCode.FORBIDDEN, "Agreements for the administration service and roles named "
                    + Services.NATIONAL_PREFIX + "... are approved by the platform operator");
        }
        return actor;
    }
}
