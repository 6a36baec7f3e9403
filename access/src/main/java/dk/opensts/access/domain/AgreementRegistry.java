package dk.opensts.access.domain;

import dk.opensts.access.api.ItSystems;
import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.bitemporal.Change;
import dk.opensts.platform.bitemporal.IndexFields;
import dk.opensts.platform.bitemporal.Lifecycle;
import dk.opensts.platform.bitemporal.Period;
import dk.opensts.platform.bitemporal.Version;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.ServiceDefinition;
import dk.opensts.platform.security.ServiceDefinition.ConstraintDefinition;
import dk.opensts.platform.security.ServiceDefinition.RoleDefinition;
import dk.opensts.platform.securitylog.SecurityEvent;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Service agreements in the access schema's bitemporal store. Each agreement is one object
 * owned by its municipality; its versions carry the state over stretches of valid time, so
 * "approved from 1 March, revoked from 1 June" is two versions and both stay in history.
 */
public class AgreementRegistry implements ServiceAgreements {

    public static final String TYPE = "agreement";
    private static final Pattern CVR = Pattern.compile("[0-9]{8}");
    private static final TypeReference<List<Grant>> GRANTS = new TypeReference<>() { };

    private final BitemporalStore store;
    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final ItSystems systems;
    private final ServiceCatalogue services;
    private final SecurityLog securityLog;
    private final TransactionTemplate tx;

    public AgreementRegistry(BitemporalStore store, JdbcClient jdbc, JsonMapper json, ItSystems systems,
                             ServiceCatalogue services, SecurityLog securityLog, TransactionTemplate tx) {
        this.store = store;
        this.jdbc = jdbc;
        this.json = json;
        this.systems = systems;
        this.services = services;
        this.securityLog = securityLog;
        this.tx = tx;
    }

    /** The store owner of a municipality's agreements. */
    static UUID owner(String cvr) {
        return UUID.nameUUIDFromBytes(("municipality:" + cvr).getBytes(StandardCharsets.UTF_8));
    }

    static String key(UUID system, String service, String cvr) {
        return system + " " + service + " " + cvr;
    }

    @Override
    public Agreement request(UUID system, String service, String municipality, List<Grant> roles, Period valid,
                             String note, Actor actor) {
        if (system == null || systems.find(system).isEmpty()) {
            throw ApiException.field(ErrorCode.BROKEN_REFERENCE, "/system", "no IT system " + system);
        }
        ServiceDefinition definition = service == null ? null : services.find(service).orElse(null);
        if (definition == null) {
            throw ApiException.field(ErrorCode.BROKEN_REFERENCE, "/service", "no service " + service);
        }
        if (municipality == null || !CVR.matcher(municipality).matches()) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/municipality", "a CVR number of 8 digits");
        }
        validateGrants(definition, roles);
        UUID id = UUID.randomUUID();
        ObjectNode data = json.createObjectNode();
        data.put("system", system.toString());
        data.put("service", service);
        data.put("municipality", municipality);
        data.set("roles", json.valueToTree(roles));
        data.put("note", note);
        data.put("state", State.REQUESTED.name());
        IndexFields index = new IndexFields(key(system, service, municipality), service, null, List.of(system));
        tx.executeWithoutResult(s -> store.apply(List.of(new Change(id, TYPE, owner(municipality), null, true,
                Lifecycle.CREATED, actor.id(), note, valid, actor.id(), note, old -> data, true, n -> index))));
        logChange(actor, id, system, municipality, service, "requested", null);
        return find(id, null, null).orElseThrow();
    }

    private static void validateGrants(ServiceDefinition definition, List<Grant> roles) {
        if (roles == null || roles.isEmpty()) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/roles", "at least one role");
        }
        Map<String, RoleDefinition> known = ServiceCatalogue.byName(definition);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < roles.size(); i++) {
            Grant g = roles.get(i);
            RoleDefinition role = g == null ? null : known.get(g.role());
            if (role == null) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/roles/" + i + "/role",
                        "not a role of " + definition.entityId() + " (" + String.join(", ", known.keySet()) + ")");
            }
            if (!seen.add(g.role())) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/roles/" + i + "/role", "granted twice");
            }
            Map<String, ConstraintDefinition> types = new LinkedHashMap<>();
            role.constraints().forEach(c -> types.put(c.type(), c));
            for (Map.Entry<String, String> e : g.constraints().entrySet()) {
                ConstraintDefinition c = types.get(e.getKey());
                String at = "/roles/" + i + "/constraints/" + e.getKey();
                if (c == null) {
                    throw ApiException.field(ErrorCode.VALIDATION_FAILED, at, "role " + g.role() + " takes no such constraint");
                }
                if (e.getValue() == null || e.getValue().isBlank()) {
                    throw ApiException.field(ErrorCode.VALIDATION_FAILED, at, "needs a value");
                }
                Pattern p = Pattern.compile(c.pattern() == null ? ".*" : c.pattern());
                for (String v : e.getValue().split(",", -1)) {
                    if (!p.matcher(v.strip()).matches()) {
                        throw ApiException.field(ErrorCode.VALIDATION_FAILED, at, "value '" + v.strip()
                                + "' does not match " + c.pattern());
                    }
                }
            }
            for (ConstraintDefinition c : role.constraints()) {
                if (c.required() && !g.constraints().containsKey(c.type())) {
                    throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/roles/" + i + "/constraints/" + c.type(),
                            "required by role " + g.role());
                }
            }
        }
    }

    @Override
    public Agreement approve(UUID id, int expectedVersion, String reason, Actor actor) {
        return decide(id, expectedVersion, State.REQUESTED, State.APPROVED, null, reason, actor);
    }

    @Override
    public Agreement reject(UUID id, int expectedVersion, String reason, Actor actor) {
        return decide(id, expectedVersion, State.REQUESTED, State.REJECTED, null, reason, actor);
    }

    @Override
    public Agreement revoke(UUID id, int expectedVersion, Instant from, String reason, Actor actor) {
        return decide(id, expectedVersion, State.APPROVED, State.REVOKED, from == null ? store.now() : from, reason, actor);
    }

    /**
     * Moves the stretches in state {@code from} to state {@code to}: all of them, or (for a
     * revocation) the part from {@code start} on.
     */
    private Agreement decide(UUID id, int expectedVersion, State from, State to, Instant start, String reason, Actor actor) {
        Agreement current = find(id, null, null).orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "No agreement " + id));
        if (current.version() != expectedVersion) {
            throw new ApiException(ErrorCode.STALE_VERSION, "The agreement is at version " + current.version()
                    + ", not " + expectedVersion + "; read it again");
        }
        Period whole = current.valid();
        Period period = start == null ? whole : new Period(start.isAfter(whole.from()) ? start : whole.from(), whole.to());
        if (start != null && whole.to() != null && !start.isBefore(whole.to())) {
            throw ApiException.field(ErrorCode.INVALID_PERIOD, "from", "lies after the agreement ends");
        }
        boolean any = current.history().stream().anyMatch(s -> s.state() == from && s.valid().overlaps(period));
        if (!any) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "The agreement is " + current.state() + "; only a "
                    + from + " agreement can be " + to.name().toLowerCase());
        }
        UUID system = current.system();
        IndexFields index = new IndexFields(key(system, current.service(), current.municipality()), current.service(),
                null, List.of(system));
        tx.executeWithoutResult(s -> store.apply(List.of(new Change(id, TYPE, owner(current.municipality()),
                expectedVersion, false, Lifecycle.CORRECTED, actor.id(), reason, period, actor.id(), reason, old -> {
                    if (old == null || !from.name().equals(old.path("state").asString())) {
                        return old;
                    }
                    ObjectNode n = old.deepCopy();
                    n.put("state", to.name());
                    n.put("decidedBy", actor.id());
                    n.put("reason", reason);
                    return n;
                }, false, n -> index))));
        logChange(actor, id, system, current.municipality(), current.service(), to.name().toLowerCase(), reason);
        return find(id, null, null).orElseThrow();
    }

    @Override
    public Optional<Agreement> find(UUID id, Instant validAt, Instant knownAt) {
        var head = store.head(id);
        if (head.isEmpty() || !TYPE.equals(head.get().type())) {
            return Optional.empty();
        }
        List<Version> versions = store.history(id).stream()
                .filter(v -> knownAt == null ? v.sysTo() == null
                        : !v.sysFrom().isAfter(knownAt) && (v.sysTo() == null || v.sysTo().isAfter(knownAt)))
                .sorted(Comparator.comparing((Version v) -> v.valid().from(), Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList();
        if (versions.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(agreement(id, head.get().version(), versions, validAt == null ? store.now() : validAt));
    }

    private Agreement agreement(UUID id, int version, List<Version> versions, Instant at) {
        ObjectNode first = versions.get(0).data();
        List<Stretch> stretches = new ArrayList<>();
        for (Version v : versions) {
            ObjectNode d = v.data();
            stretches.add(new Stretch(v.valid(), State.valueOf(d.path("state").asString()),
                    d.path("decidedBy").asString(null), d.path("reason").asString(null)));
        }
        State state = stretches.stream().filter(s -> s.valid().contains(at)).map(Stretch::state).findFirst()
                .orElseGet(() -> stretches.stream().filter(s -> s.valid().from() != null && s.valid().from().isAfter(at))
                        .map(Stretch::state).findFirst().orElse(stretches.get(stretches.size() - 1).state()));
        Period valid = new Period(stretches.get(0).valid().from(), stretches.get(stretches.size() - 1).valid().to());
        return new Agreement(id, version, UUID.fromString(first.path("system").asString()),
                first.path("service").asString(), first.path("municipality").asString(),
                json.convertValue(first.get("roles"), GRANTS), first.path("note").asString(null), state, valid,
                List.copyOf(stretches));
    }

    @Override
    public List<Agreement> list(String municipality, UUID system, String service, State state, Instant validAt) {
        StringBuilder sql = new StringBuilder("SELECT DISTINCT object_id FROM access.object_version"
                + " WHERE type = 'agreement' AND upper_inf(sys)");
        List<Object> args = new ArrayList<>();
        if (municipality != null) {
            sql.append(" AND owner = ?");
            args.add(owner(municipality));
        }
        if (system != null) {
            sql.append(" AND refs @> ARRAY[?]::uuid[]");
            args.add(system);
        }
        if (service != null) {
            sql.append(" AND name = ?");
            args.add(service);
        }
        sql.append(" LIMIT 1000");
        Instant at = validAt == null ? store.now() : validAt;
        List<Agreement> out = new ArrayList<>();
        for (UUID id : jdbc.sql(sql.toString()).params(args).query(UUID.class).list()) {
            find(id, at, null).filter(a -> state == null || a.state() == state).ifPresent(out::add);
        }
        out.sort(Comparator.comparing(Agreement::municipality).thenComparing(Agreement::service)
                .thenComparing(a -> a.system().toString()).thenComparing(a -> a.id().toString()));
        return out;
    }

    @Override
    public List<Grant> approvedGrants(UUID system, String service, String municipality, Instant at) {
        List<String> rows = jdbc.sql("SELECT data->>'roles' FROM access.object_version WHERE type = 'agreement'"
                        + " AND user_key = ? AND owner = ? AND upper_inf(sys) AND "
                        + BitemporalStore.contains("valid", "?")
                        + " AND data->>'state' = 'APPROVED'")
                .params(key(system, service, municipality), owner(municipality), Timestamp.from(at))
                .query(String.class).list();
        if (rows.size() == 1) {
            return json.readValue(rows.get(0), GRANTS);
        }
        Map<String, Grant> merged = new LinkedHashMap<>();
        for (String r : rows) {
            for (Grant g : json.readValue(r, GRANTS)) {
                merged.merge(g.role(), g, AgreementRegistry::union);
            }
        }
        return List.copyOf(merged.values());
    }

    /** Two approvals of one role: a constraint both give takes both sets of values; one only one gives is lifted. */
    private static Grant union(Grant a, Grant b) {
        Map<String, String> c = new LinkedHashMap<>();
        for (var e : a.constraints().entrySet()) {
            String other = b.constraints().get(e.getKey());
            if (other != null) {
                c.put(e.getKey(), e.getValue() + "," + other);
            }
        }
        return new Grant(a.role(), c);
    }

    private void logChange(Actor actor, UUID id, UUID system, String cvr, String service, String action, String reason) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("agreement", id.toString());
        details.put("action", action);
        details.put("service", service);
        if (reason != null) {
            details.put("reason", reason);
        }
        securityLog.record(SecurityEventType.AGREEMENT_CHANGED, SecurityEvent.OK,
                new SecurityLog.Subject(actor.id(), system.toString(), cvr), details);
    }
}
