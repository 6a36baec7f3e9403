package dk.opensts.access.web;

import dk.opensts.access.roles.JobRoles;
import dk.opensts.access.roles.JobRoles.Assignment;
import dk.opensts.access.roles.JobRoles.AssignmentInput;
import dk.opensts.access.roles.JobRoles.JobRole;
import dk.opensts.access.roles.JobRoles.JobRoleInput;
import dk.opensts.access.roles.UserPrivileges;
import dk.opensts.access.roles.UserSystems;
import dk.opensts.access.roles.UserSystems.UserSystem;
import dk.opensts.access.saml.MunicipalIdps;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.CurrentActor;
import dk.opensts.platform.security.Services;
import dk.opensts.platform.web.ETags;
import dk.opensts.platform.web.TimeParams;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
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
 * The role catalogue's administration API. The platform operator registers user-facing systems
 * (SAML service providers) with their system roles; a municipality's administrator (or the operator,
 * for the municipality its token acts for) configures the municipal IdP, defines job roles that bundle
 * system roles with constraint values, assigns them to users and org units, and sees what a user
 * would get in a system. Job roles and assignments keep their history (valid time and system time).
 */
@RestController
@RequestMapping("/api/admin/v1")
@Tag(name = "Administration: role catalogue and context handler")
public class RoleCatalogueController {

    private final UserSystems systems;
    private final JobRoles jobRoles;
    private final UserPrivileges privileges;
    private final MunicipalIdps idps;
    private final Organisations organisations;

    public RoleCatalogueController(UserSystems systems, JobRoles jobRoles, UserPrivileges privileges, MunicipalIdps idps,
                                   Organisations organisations) {
        this.systems = systems;
        this.jobRoles = jobRoles;
        this.privileges = privileges;
        this.idps = idps;
        this.organisations = organisations;
    }

    // ------------------------------------------------------------------ user-facing systems

    @PostMapping("/user-systems")
    @Operation(summary = "Register or replace a user-facing system",
            description = "Role operator. A SAML service provider: entity id, assertion consumer URLs, signing "
                    + "certificate (PEM; its AuthnRequests must be signed with it), optional encryption certificate "
                    + "(assertions to it are then encrypted), minimum NSIS assurance (LOW, SUBSTANTIAL (default), HIGH), "
                    + "what happens to a user without roles (REFUSE (default) or ALLOW), and its system roles "
                    + "(brugersystemroller, URIs) with the constraint types each takes.")
    public UserSystem registerUserSystem(@RequestBody UserSystem in) {
        return systems.register(in, CurrentActor.require(Services.OPERATOR).id());
    }

    @GetMapping("/user-systems")
    @Operation(summary = "List user-facing systems and their roles", description = "Role operator or municipal-admin.")
    public List<UserSystem> userSystems() {
        administrator();
        return systems.list();
    }

    @DeleteMapping("/user-systems")
    @Operation(summary = "Remove a user-facing system and its roles",
            description = "Role operator. Its AuthnRequests are refused from then on (on every node within "
                    + "opensts.saml.configuration-max-age). 204, or 404 when no system has the entity id.")
    public ResponseEntity<Void> removeUserSystem(@RequestParam String entityId) {
        String actor = CurrentActor.require(Services.OPERATOR).id();
        if (!systems.remove(entityId, actor)) {
            throw ApiException.notFound("user system", entityId);
        }
        return ResponseEntity.noContent().build();
    }

    // ------------------------------------------------------------------ municipal IdPs

    @PutMapping(path = "/municipal-idps/{cvr}", consumes = {"application/samlmetadata+xml", "application/xml", "text/xml"})
    @Operation(summary = "Configure the municipality's identity provider from its SAML metadata",
            description = "Role municipal-admin of that municipality, or operator. The metadata's HTTP-Redirect single "
                    + "sign-on URL and signing certificates are used; logins of the municipality's users go there.")
    public MunicipalIdps.Summary configureIdp(@PathVariable String cvr, @RequestBody byte[] metadata) {
        Actor actor = administrator();
        requireMunicipality(actor, cvr);
        return idps.configure(cvr, metadata, actor.id());
    }

    @DeleteMapping("/municipal-idps/{cvr}")
    @Operation(summary = "Remove the municipality's identity provider",
            description = "Role municipal-admin of that municipality, or operator. Logins of its users are refused "
                    + "until one is configured again. 204, or 404 when none is configured.")
    public ResponseEntity<Void> removeIdp(@PathVariable String cvr) {
        Actor actor = administrator();
        requireMunicipality(actor, cvr);
        if (!idps.remove(cvr, actor.id())) {
            throw ApiException.notFound("municipal IdP", cvr);
        }
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/municipal-idps")
    @Operation(summary = "List the configured municipal identity providers", description = "Role operator or municipal-admin.")
    public List<MunicipalIdps.Summary> municipalIdps() {
        administrator();
        return idps.list().stream().map(MunicipalIdps::summary).toList();
    }

    // ------------------------------------------------------------------ job roles

    @PostMapping("/job-roles")
    @Operation(summary = "Create a job role (jobfunktionsrolle)", description = "Role municipal-admin or operator, for the "
            + "token's municipality. Each system role's constraint values are static (\"27.*\") or, for org units, "
            + "dynamic (OWN_UNITS, OWN_UNITS_AND_BELOW: resolved from Organisation at login).")
    public ResponseEntity<JobRole> createJobRole(@RequestBody JobRoleInput in) {
        Actor actor = administrator();
        JobRole r = jobRoles.create(actor.municipality(), in, actor);
        return ResponseEntity.created(URI.create("/api/admin/v1/job-roles/" + r.id())).eTag(ETags.of(r.version())).body(r);
    }

    @GetMapping("/job-roles")
    @Operation(summary = "List the municipality's job roles", description = "Valid at validAt (default now).")
    public List<JobRole> listJobRoles(@RequestParam(required = false) String validAt) {
        Actor actor = administrator();
        return jobRoles.roles(actor.municipality(), TimeParams.parse("validAt", validAt, null));
    }

    @GetMapping("/job-roles/{id}")
    @Operation(summary = "Read a job role", description = "As valid at validAt and known at knownAt (defaults: now).")
    public ResponseEntity<JobRole> jobRole(@PathVariable UUID id, @RequestParam(required = false) String validAt,
                                           @RequestParam(required = false) String knownAt) {
        Actor actor = administrator();
        JobRole r = jobRoles.findRole(actor.municipality(), id, TimeParams.parse("validAt", validAt, null),
                TimeParams.parse("knownAt", knownAt, null)).orElseThrow(() -> ApiException.notFound("job role", id));
        return ResponseEntity.ok().eTag(ETags.of(r.version())).body(r);
    }

    @PutMapping("/job-roles/{id}")
    @Operation(summary = "Change a job role", description = "Needs If-Match. The new definition holds from validFrom "
            + "(default now); the old one stays in history.")
    public ResponseEntity<JobRole> replaceJobRole(@PathVariable UUID id,
                                                  @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                                  @RequestBody JobRoleInput in) {
        Actor actor = administrator();
        JobRole r = jobRoles.replace(actor.municipality(), id, ETags.parse(ifMatch, true), in, actor);
        return ResponseEntity.ok().eTag(ETags.of(r.version())).body(r);
    }

    /** When an ending takes effect, and why. */
    public record Ending(Instant from, String reason) {
    }

    @PostMapping("/job-roles/{id}/end")
    @Operation(summary = "End a job role", description = "Needs If-Match. No longer valid from `from` (default now).")
    public ResponseEntity<JobRole> endJobRole(@PathVariable UUID id,
                                              @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                              @RequestBody(required = false) Ending in) {
        Actor actor = administrator();
        JobRole r = jobRoles.end(actor.municipality(), id, ETags.parse(ifMatch, true), in == null ? null : in.from(),
                in == null ? null : in.reason(), actor);
        return ResponseEntity.ok().eTag(ETags.of(r.version())).body(r);
    }

    // ------------------------------------------------------------------ assignments

    @PostMapping("/role-assignments")
    @Operation(summary = "Assign a job role", description = "To a user, or to an org unit (everyone engaged there, and in "
            + "its subunits with includeSubunits), over a valid period (default from now, open).")
    public ResponseEntity<Assignment> assign(@RequestBody AssignmentInput in) {
        Actor actor = administrator();
        String cvr = actor.municipality();
        Assignment a = jobRoles.assign(cvr, in, user -> organisations.findUser(cvr, user).isPresent(),
                unit -> organisations.unitsExist(cvr, List.of(new Organisations.UnitDuring(unit, Instant.now(), null)))[0],
                actor);
        return ResponseEntity.created(URI.create("/api/admin/v1/role-assignments/" + a.id())).eTag(ETags.of(a.version()))
                .body(a);
    }

    @GetMapping("/role-assignments")
    @Operation(summary = "List assignments", description = "Of the municipality, valid at validAt (default now); "
            + "optionally of one user, unit or job role.")
    public List<Assignment> assignments(@RequestParam(required = false) UUID user, @RequestParam(required = false) UUID unit,
                                        @RequestParam(required = false) String jobRole,
                                        @RequestParam(required = false) String validAt) {
        Actor actor = administrator();
        return jobRoles.assignments(actor.municipality(), user, unit, jobRole, TimeParams.parse("validAt", validAt, null));
    }

    @GetMapping("/role-assignments/{id}")
    @Operation(summary = "Read an assignment", description = "As valid at validAt and known at knownAt (defaults: now).")
    public ResponseEntity<Assignment> assignment(@PathVariable UUID id, @RequestParam(required = false) String validAt,
                                                 @RequestParam(required = false) String knownAt) {
        Actor actor = administrator();
        Assignment a = jobRoles.findAssignment(actor.municipality(), id, TimeParams.parse("validAt", validAt, null),
                TimeParams.parse("knownAt", knownAt, null)).orElseThrow(() -> ApiException.notFound("assignment", id));
        return ResponseEntity.ok().eTag(ETags.of(a.version())).body(a);
    }

    @PostMapping("/role-assignments/{id}/end")
    @Operation(summary = "End an assignment", description = "Needs If-Match. No longer valid from `from` (default now).")
    public ResponseEntity<Assignment> endAssignment(@PathVariable UUID id,
                                                    @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                                    @RequestBody(required = false) Ending in) {
        Actor actor = administrator();
        Assignment a = jobRoles.endAssignment(actor.municipality(), id, ETags.parse(ifMatch, true),
                in == null ? null : in.from(), in == null ? null : in.reason(), actor);
        return ResponseEntity.ok().eTag(ETags.of(a.version())).body(a);
    }

    // ------------------------------------------------------------------ who may do what

    @GetMapping("/users/{id}/privileges")
    @Operation(summary = "What a user would get in a system at login now",
            description = "The privilege groups (system role and constraint values, dynamic ones resolved) the context "
                    + "handler would issue to `system` for the user, from the catalogue's assignments (job roles the "
                    + "user's IdP sends at login come on top).")
    public UserPrivileges.Result privileges(@PathVariable UUID id, @RequestParam String system) {
        Actor actor = administrator();
        String cvr = actor.municipality();
        Organisations.User user = organisations.findUser(cvr, id).orElseThrow(() -> ApiException.notFound("user", id));
        UserSystem s = systems.find(system).orElseThrow(() ->
                ApiException.field(ErrorCode.INVALID_PARAMETER, "system", "no user-facing system " + system));
        return privileges.compute(cvr, user, Set.of(), s);
    }

    private static Actor administrator() {
        return AdministrationController.administrator();
    }

    private static void requireMunicipality(Actor actor, String cvr) {
        AdministrationController.requireMunicipality(actor, cvr);
    }
}
