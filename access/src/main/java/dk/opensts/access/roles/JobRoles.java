package dk.opensts.access.roles;

import dk.opensts.access.domain.ServiceCatalogue;
import dk.opensts.access.roles.UserSystems.SystemRole;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.bitemporal.Change;
import dk.opensts.platform.bitemporal.IndexFields;
import dk.opensts.platform.bitemporal.Lifecycle;
import dk.opensts.platform.bitemporal.Period;
import dk.opensts.platform.bitemporal.TimePoint;
import dk.opensts.platform.bitemporal.Version;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.ServiceDefinition.ConstraintDefinition;
import dk.opensts.platform.securitylog.SecurityEvent;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Job roles (jobfunktionsroller) of each municipality and their assignments to users and org units,
 * in the access schema's bitemporal store: a change writes new versions from the time it takes
 * effect and keeps what was there before, so "who held which role on 1 March, as we knew it then"
 * can always be answered.
 */
public class JobRoles {

    public static final String ROLE = "job-role";
    public static final String ASSIGNMENT = "role-assignment";
    private static final Pattern CVR = Pattern.compile("[0-9]{8}");

    /** A constraint value resolved at login from the user's place in Organisation. */
    public enum Dynamic {
        /** The org units the user is engaged in. */
        OWN_UNITS,
        /** Those units and all their subunits. */
        OWN_UNITS_AND_BELOW
    }

    /** A constraint of a system role in a job role: a static value ({@code 27.*}) or a dynamic one. */
    public record ConstraintValue(String type, String value, Dynamic dynamic) {
    }

    /** A system role the job role grants, with its constraint values. */
    public record SystemRoleGrant(String entityId, List<ConstraintValue> constraints) {
        public SystemRoleGrant {
            constraints = constraints == null ? List.of() : List.copyOf(constraints);
        }
    }

    /** What an administrator sends for a job role. */
    public record JobRoleInput(String entityId, String name, String description, String municipalityCvr,
                               List<SystemRoleGrant> systemRoles, Instant validFrom, String note) {
    }

    public record JobRole(UUID id, int version, String entityId, String name, String description,
                          String municipalityCvr, List<SystemRoleGrant> systemRoles, Period valid) {
    }

    public record AssignmentInput(String jobRole, UUID user, UUID unit, Boolean includeSubunits,
                                  Instant validFrom, Instant validTo, String note) {
    }

    /** A job role given to a user, or to everyone in an org unit (and its subunits when asked). */
    public record Assignment(UUID id, int version, String jobRole, UUID user, UUID unit, boolean includeSubunits,
                             String municipalityCvr, Period valid, String note) {
    }

    private final BitemporalStore store;
    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final UserSystems systems;
    private final SecurityLog securityLog;
    private final TransactionTemplate tx;

    public JobRoles(BitemporalStore store, JdbcClient jdbc, JsonMapper json, UserSystems systems,
                    SecurityLog securityLog, TransactionTemplate tx) {
        this.store = store;
        this.jdbc = jdbc;
        this.json = json;
        this.systems = systems;
        this.securityLog = securityLog;
        this.tx = tx;
    }

    static UUID owner(String cvr) {
        return UUID.nameUUIDFromBytes(("job-roles:" + cvr).getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ job roles

    public JobRole create(String cvr, JobRoleInput in, Actor actor) {
        ObjectNode data = validate(cvr, in);
        if (findByEntityId(cvr, in.entityId(), null).isPresent()) {
            throw ApiException.field(ErrorCode.DUPLICATE, "/entityId", "the municipality has a job role " + in.entityId());
        }
        UUID id = UUID.randomUUID();
        Period valid = Period.from(in.validFrom());
        tx.executeWithoutResult(s -> store.apply(List.of(new Change(id, ROLE, owner(cvr), null, true, Lifecycle.CREATED,
                actor.id(), in.note(), valid, actor.id(), in.note(), old -> data, true, n -> roleIndex(n)))));
        log(actor, cvr, "job role created", Map.of("jobRole", in.entityId()));
        return findRole(cvr, id, null, null).orElseThrow();
    }

    /** Replaces the definition from {@code validFrom} (default now) on; what was valid before stays. */
    public JobRole replace(String cvr, UUID id, int expectedVersion, JobRoleInput in, Actor actor) {
        JobRole current = findRole(cvr, id, null, null).orElseThrow(() -> ApiException.notFound("job role", id));
        ObjectNode data = validate(cvr, in);
        if (!current.entityId().equals(in.entityId())) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/entityId", "a job role keeps its entity id");
        }
        Instant from = in.validFrom() == null ? store.now() : in.validFrom();
        tx.executeWithoutResult(s -> store.apply(List.of(new Change(id, ROLE, owner(cvr), expectedVersion, false,
                Lifecycle.CORRECTED, actor.id(), in.note(), Period.from(from), actor.id(), in.note(), old -> data, true,
                n -> roleIndex(n)))));
        log(actor, cvr, "job role changed", Map.of("jobRole", in.entityId()));
        return findRole(cvr, id, null, null).orElseThrow();
    }

    /** Ends the job role's validity from {@code from} (default now); its history stays. */
    public JobRole end(String cvr, UUID id, int expectedVersion, Instant from, String note, Actor actor) {
        JobRole current = findRole(cvr, id, null, null).orElseThrow(() -> ApiException.notFound("job role", id));
        endValidity(id, ROLE, cvr, expectedVersion, from, note, actor, n -> roleIndex(n));
        log(actor, cvr, "job role ended", Map.of("jobRole", current.entityId()));
        return findRole(cvr, id, null, null).orElse(current);
    }

    public Optional<JobRole> findRole(String cvr, UUID id, Instant validAt, Instant knownAt) {
        return versionAt(id, ROLE, cvr, validAt, knownAt).map(Row::of).map(this::role);
    }

    public Optional<JobRole> findByEntityId(String cvr, String entityId, Instant validAt) {
        return current(ROLE, cvr, validAt, " AND v.user_key = ?", List.of(entityId)).stream().findFirst().map(this::role);
    }

    public List<JobRole> roles(String cvr, Instant validAt) {
        return current(ROLE, cvr, validAt, "", List.of()).stream().map(this::role).toList();
    }

    private JobRole role(Row v) {
        ObjectNode d = v.data();
        List<SystemRoleGrant> grants = new ArrayList<>();
        d.path("systemRoles").forEach(g -> grants.add(json.convertValue(g, SystemRoleGrant.class)));
        return new JobRole(v.id(), v.version(), d.path("entityId").asString(), d.path("name").asString(),
                d.path("description").asString(null), d.path("municipalityCvr").asString(), grants, v.valid());
    }

    private static IndexFields roleIndex(ObjectNode n) {
        return new IndexFields(n.path("entityId").asString(), n.path("name").asString(), null, List.of());
    }

    private ObjectNode validate(String cvr, JobRoleInput in) {
        if (in == null) {
            throw new ApiException(ErrorCode.MALFORMED_BODY, "A job role is required");
        }
        if (in.municipalityCvr() != null && !in.municipalityCvr().equals(cvr)) {
            throw ApiException.field(ErrorCode.FORBIDDEN, "/municipalityCvr", "the token acts for " + cvr);
        }
        if (in.entityId() == null || !ServiceCatalogue.absoluteUri(in.entityId())) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/entityId", "must be an absolute URI");
        }
        if (in.name() == null || in.name().isBlank() || in.name().length() > 300) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/name", "required, at most 300 characters");
        }
        List<SystemRoleGrant> grants = in.systemRoles() == null ? List.of() : in.systemRoles();
        if (grants.isEmpty()) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/systemRoles", "at least one system role");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < grants.size(); i++) {
            String at = "/systemRoles/" + i;
            SystemRoleGrant g = grants.get(i);
            if (g == null || g.entityId() == null) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, at + "/entityId", "required");
            }
            if (!seen.add(g.entityId())) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, at + "/entityId", "named twice");
            }
            SystemRole role = systems.role(g.entityId()).map(Map.Entry::getValue).orElseThrow(() ->
                    ApiException.field(ErrorCode.BROKEN_REFERENCE, at + "/entityId", "no system role " + g.entityId()));
            validateConstraints(role, g.constraints(), at + "/constraints/");
        }
        ObjectNode data = json.createObjectNode();
        data.put("entityId", in.entityId());
        data.put("name", in.name());
        data.put("description", in.description());
        data.put("municipalityCvr", cvr);
        data.set("systemRoles", json.valueToTree(grants));
        return data;
    }

    private static void validateConstraints(SystemRole role, List<ConstraintValue> values, String at) {
        Map<String, ConstraintDefinition> types = new LinkedHashMap<>();
        role.constraints().forEach(c -> types.put(c.type(), c));
        Set<String> given = new HashSet<>();
        for (int j = 0; j < values.size(); j++) {
            ConstraintValue v = values.get(j);
            ConstraintDefinition def = v == null ? null : types.get(v.type());
            if (def == null) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, at + j + "/type",
                        "the role takes " + (types.isEmpty() ? "no constraints" : String.join(", ", types.keySet())));
            }
            if (!given.add(v.type())) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, at + j + "/type", "given twice");
            }
            if ((v.value() == null) == (v.dynamic() == null)) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, at + j, "give either value or dynamic");
            }
            if (v.dynamic() != null) {
                if (!Constraints.ORG_UNIT.equals(v.type())) {
                    throw ApiException.field(ErrorCode.VALIDATION_FAILED, at + j + "/dynamic",
                            "only org unit constraints are resolved at login");
                }
                continue;
            }
            Pattern p = Pattern.compile(def.pattern() == null ? ".*" : def.pattern());
            for (String part : v.value().split(",", -1)) {
                if (!p.matcher(part.strip()).matches()) {
                    throw ApiException.field(ErrorCode.VALIDATION_FAILED, at + j + "/value",
                            "'" + part.strip() + "' does not match " + def.pattern());
                }
            }
        }
        for (ConstraintDefinition def : role.constraints()) {
            if (def.required() && !given.contains(def.type())) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, at.substring(0, at.length() - 1),
                        "system role " + role.entityId() + " requires a value for " + def.type());
            }
        }
    }

    // ------------------------------------------------------------------ assignments

    public Assignment assign(String cvr, AssignmentInput in, java.util.function.Predicate<UUID> userExists,
                             java.util.function.Predicate<UUID> unitExists, Actor actor) {
        if (in == null || in.jobRole() == null) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/jobRole", "the entity id of a job role");
        }
        if (findByEntityId(cvr, in.jobRole(), in.validFrom()).isEmpty() && findByEntityId(cvr, in.jobRole(), null).isEmpty()) {
            throw ApiException.field(ErrorCode.BROKEN_REFERENCE, "/jobRole", "the municipality has no job role " + in.jobRole());
        }
        if ((in.user() == null) == (in.unit() == null)) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/user", "give either user or unit");
        }
        if (in.user() != null && !userExists.test(in.user())) {
            throw ApiException.field(ErrorCode.BROKEN_REFERENCE, "/user", "no user " + in.user() + " in the municipality");
        }
        if (in.unit() != null && !unitExists.test(in.unit())) {
            throw ApiException.field(ErrorCode.BROKEN_REFERENCE, "/unit", "no org unit " + in.unit() + " in the municipality");
        }
        if (in.user() != null && Boolean.TRUE.equals(in.includeSubunits())) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/includeSubunits", "only for an assignment to a unit");
        }
        Period valid = new Period(in.validFrom(), in.validTo());
        if (in.validFrom() != null && in.validTo() != null && !in.validFrom().isBefore(in.validTo())) {
            throw ApiException.field(ErrorCode.INVALID_PERIOD, "/validTo", "must lie after validFrom");
        }
        ObjectNode data = json.createObjectNode();
        data.put("jobRole", in.jobRole());
        data.put("user", in.user() == null ? null : in.user().toString());
        data.put("unit", in.unit() == null ? null : in.unit().toString());
        data.put("includeSubunits", Boolean.TRUE.equals(in.includeSubunits()));
        data.put("municipalityCvr", cvr);
        data.put("note", in.note());
        UUID id = UUID.randomUUID();
        tx.executeWithoutResult(s -> store.apply(List.of(new Change(id, ASSIGNMENT, owner(cvr), null, true,
                Lifecycle.CREATED, actor.id(), in.note(), valid, actor.id(), in.note(), old -> data, true,
                JobRoles::assignmentIndex))));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("jobRole", in.jobRole());
        details.put(in.user() != null ? "user" : "unit", String.valueOf(in.user() != null ? in.user() : in.unit()));
        log(actor, cvr, "job role assigned", details);
        return findAssignment(cvr, id, null, null).orElseThrow();
    }

    /** Ends an assignment from {@code from} (default now); its history stays. */
    public Assignment endAssignment(String cvr, UUID id, int expectedVersion, Instant from, String note, Actor actor) {
        Assignment current = findAssignment(cvr, id, null, null).orElseThrow(() -> ApiException.notFound("assignment", id));
        endValidity(id, ASSIGNMENT, cvr, expectedVersion, from, note, actor, JobRoles::assignmentIndex);
        log(actor, cvr, "job role assignment ended", Map.of("assignment", id.toString(), "jobRole", current.jobRole()));
        return findAssignment(cvr, id, null, null).orElse(current);
    }

    public Optional<Assignment> findAssignment(String cvr, UUID id, Instant validAt, Instant knownAt) {
        return versionAt(id, ASSIGNMENT, cvr, validAt, knownAt).map(Row::of).map(JobRoles::assignment);
    }

    /** Assignments valid at {@code validAt} (default now), optionally of one user, unit or job role. */
    public List<Assignment> assignments(String cvr, UUID user, UUID unit, String jobRole, Instant validAt) {
        StringBuilder where = new StringBuilder();
        List<Object> args = new ArrayList<>();
        if (user != null) {
            where.append(" AND v.data->>'user' = ?");
            args.add(user.toString());
        }
        if (unit != null) {
            where.append(" AND v.data->>'unit' = ?");
            args.add(unit.toString());
        }
        if (jobRole != null) {
            where.append(" AND v.data->>'jobRole' = ?");
            args.add(jobRole);
        }
        return current(ASSIGNMENT, cvr, validAt, where.toString(), args).stream().map(JobRoles::assignment).toList();
    }

    /**
     * The job roles valid now that a user in {@code units} holds: those her municipality's IdP asserted
     * ({@code asserted}, entity ids) and those assigned to her, to one of the units, or with subunits to one
     * of {@code ancestors} (the units' ancestors). One query: the assignments are found by the store's refs
     * index (not by reading every assignment of the municipality), then the exact rule, then their roles.
     */
    public List<JobRole> heldRoles(String cvr, UUID user, Set<UUID> units, Set<UUID> ancestors,
                                   Collection<String> asserted) {
        List<UUID> linked = new ArrayList<>(1 + units.size() + ancestors.size());
        linked.add(user);
        linked.addAll(units);
        linked.addAll(ancestors);
        Instant now = store.now();
        return current(ROLE, cvr, now, " AND (v.user_key = ANY(?) OR v.user_key IN (SELECT a.data->>'jobRole'"
                        + " FROM access.object_version a WHERE a.type = ? AND a.owner = v.owner AND upper_inf(a.sys)"
                        + " AND " + BitemporalStore.contains("a.valid", "?") + " AND a.refs && ?::uuid[]"
                        + " AND (a.data->>'user' = ? OR a.data->>'unit' = ANY(?) OR (a.data->>'unit' = ANY(?)"
                        + " AND (a.data->>'includeSubunits')::boolean))))",
                List.of(asserted.toArray(String[]::new), ASSIGNMENT, Timestamp.from(now),
                        linked.toArray(UUID[]::new), user.toString(),
                        units.stream().map(UUID::toString).toArray(String[]::new),
                        ancestors.stream().map(UUID::toString).toArray(String[]::new)))
                .stream().map(this::role).toList();
    }

    private static Assignment assignment(Row v) {
        ObjectNode d = v.data();
        String user = d.path("user").asString(null);
        String unit = d.path("unit").asString(null);
        return new Assignment(v.id(), v.version(), d.path("jobRole").asString(),
                user == null ? null : UUID.fromString(user), unit == null ? null : UUID.fromString(unit),
                d.path("includeSubunits").asBoolean(false), d.path("municipalityCvr").asString(), v.valid(),
                d.path("note").asString(null));
    }

    private static IndexFields assignmentIndex(ObjectNode n) {
        List<UUID> refs = new ArrayList<>();
        for (String f : List.of("user", "unit")) {
            String v = n.path(f).asString(null);
            if (v != null) {
                refs.add(UUID.fromString(v));
            }
        }
        return new IndexFields(n.path("jobRole").asString(), null, null, refs);
    }

    // ------------------------------------------------------------------ shared

    private void endValidity(UUID id, String type, String cvr, int expectedVersion, Instant from, String note, Actor actor,
                             java.util.function.Function<ObjectNode, IndexFields> index) {
        Instant at = from == null ? store.now() : from;
        tx.executeWithoutResult(s -> store.apply(List.of(new Change(id, type, owner(cvr), expectedVersion, false,
                Lifecycle.CORRECTED, actor.id(), note, Period.from(at), actor.id(), note, old -> null, false, index))));
    }

    /** The object's version valid at {@code validAt} as known at {@code knownAt} (defaults: now). */
    private Optional<Version> versionAt(UUID id, String type, String cvr, Instant validAt, Instant knownAt) {
        Instant now = store.now();
        return store.at(id, new TimePoint(validAt == null ? now : validAt, knownAt == null ? now : knownAt))
                .filter(v -> type.equals(v.type()) && owner(cvr).equals(v.owner()))
                .or(() -> validAt != null ? Optional.empty() : latest(id, type, cvr, knownAt));
    }

    /** Not valid now: the last version known (an ended role or assignment can still be read). */
    private Optional<Version> latest(UUID id, String type, String cvr, Instant knownAt) {
        return store.history(id).stream()
                .filter(v -> type.equals(v.type()) && owner(cvr).equals(v.owner()))
                .filter(v -> knownAt == null ? v.sysTo() == null
                        : !v.sysFrom().isAfter(knownAt) && (v.sysTo() == null || v.sysTo().isAfter(knownAt)))
                .reduce((a, b) -> b);
    }

    /** A current version as the catalogue reads it. */
    private record Row(UUID id, int version, ObjectNode data, Period valid) {
        static Row of(Version v) {
            return new Row(v.objectId(), v.currentVersion(), v.data(), v.valid());
        }
    }

    /** The versions valid at {@code validAt} (default now) as known now, in one query. */
    private List<Row> current(String type, String cvr, Instant validAt, String where, List<Object> args) {
        if (cvr == null || !CVR.matcher(cvr).matches()) {
            return List.of();
        }
        List<Object> params = new ArrayList<>(List.of(type, owner(cvr), Timestamp.from(validAt == null ? store.now() : validAt)));
        params.addAll(args);
        return jdbc.sql("SELECT v.object_id, o.version, v.data::text AS data, lower(v.valid) AS vf, upper(v.valid) AS vt"
                        + " FROM access.object_version v JOIN access.registry_object o ON o.id = v.object_id"
                        + " WHERE v.type = ? AND v.owner = ? AND upper_inf(v.sys) AND "
                        + BitemporalStore.contains("v.valid", "?")
                        + where + " ORDER BY v.user_key, v.object_id LIMIT 10000")
                .params(params)
                .query((rs, n) -> new Row(rs.getObject(1, UUID.class), rs.getInt(2),
                        (ObjectNode) json.readTree(rs.getString(3)),
                        new Period(instant(rs.getTimestamp(4)), instant(rs.getTimestamp(5)))))
                .list();
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private void log(Actor actor, String cvr, String action, Map<String, ?> details) {
        Map<String, Object> d = new LinkedHashMap<>(details);
        d.put("action", action);
        securityLog.record(SecurityEventType.ROLE_CATALOGUE_CHANGED, SecurityEvent.OK,
                new SecurityLog.Subject(actor.id(), actor.id(), cvr), d);
    }
}
