package dk.opensts.access.domain;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.security.ServiceDefinition;
import dk.opensts.platform.security.ServiceDefinition.ConstraintDefinition;
import dk.opensts.platform.security.ServiceDefinition.RoleDefinition;
import dk.opensts.platform.securitylog.SecurityEvent;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import java.net.URI;
import java.net.URISyntaxException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The services tokens can be issued for. OpenSTS's own APIs are declared by their modules
 * ({@link ServiceDefinition} beans) and kept in step at start; an operator can define more
 * (services of other providers that accept OpenSTS tokens).
 */
public class ServiceCatalogue {

    private static final Pattern ROLE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final TypeReference<List<ConstraintDefinition>> CONSTRAINTS = new TypeReference<>() { };

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;
    private final SecurityLog securityLog;
    private final TransactionTemplate tx;

    public ServiceCatalogue(JdbcClient jdbc, JsonMapper json, Clock clock, SecurityLog securityLog, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.securityLog = securityLog;
        this.tx = tx;
    }

    /** Writes the built-in services as declared by the modules of this build. */
    public void syncBuiltIn(List<ServiceDefinition> builtIn) {
        tx.executeWithoutResult(s -> {
            for (ServiceDefinition d : builtIn) {
                Optional<ServiceDefinition> stored = find(d.entityId());
                if (stored.isEmpty() || !stored.get().equals(d)) {
                    write(d, true, "opensts");
                }
            }
        });
    }

    /** Defines or replaces a service that is not one of OpenSTS's own. */
    public ServiceDefinition define(ServiceDefinition d, String actor) {
        validate(d);
        return tx.execute(s -> {
            Boolean builtIn = jdbc.sql("SELECT built_in FROM access.service WHERE entity_id = ?").param(d.entityId())
                    .query(Boolean.class).optional().orElse(false);
            if (builtIn) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/entityId",
                        "a service of OpenSTS itself; its roles are defined by its module");
            }
            write(d, false, actor);
            securityLog.record(SecurityEventType.SERVICE_CHANGED, SecurityEvent.OK,
                    new SecurityLog.Subject(actor, actor, null), Map.of("service", d.entityId(),
                            "roles", d.roles().stream().map(RoleDefinition::name).toList()));
            return d;
        });
    }

    /** Read from the database each time, so a definition changed on another node is seen at once. */
    public Optional<ServiceDefinition> find(String entityId) {
        return load(entityId);
    }

    public List<ServiceDefinition> list() {
        List<String> ids = jdbc.sql("SELECT entity_id FROM access.service ORDER BY entity_id").query(String.class).list();
        List<ServiceDefinition> out = new ArrayList<>();
        for (String id : ids) {
            load(id).ifPresent(out::add);
        }
        return out;
    }

    private Optional<ServiceDefinition> load(String entityId) {
        return jdbc.sql("SELECT * FROM access.service WHERE entity_id = ?").param(entityId)
                .query((rs, n) -> new ServiceDefinition(rs.getString("entity_id"), rs.getString("name"),
                        rs.getString("description"), rs.getString("path_prefix"), roles(entityId)))
                .optional();
    }

    private List<RoleDefinition> roles(String entityId) {
        return jdbc.sql("SELECT * FROM access.service_role WHERE service = ? ORDER BY name").param(entityId)
                .query((rs, n) -> new RoleDefinition(rs.getString("name"), rs.getString("description"),
                        json.readValue(rs.getString("constraints"), CONSTRAINTS)))
                .list();
    }

    private void write(ServiceDefinition d, boolean builtIn, String actor) {
        jdbc.sql("INSERT INTO access.service (entity_id, name, description, path_prefix, built_in, updated_at, updated_by)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entity_id) DO UPDATE SET name = excluded.name,"
                        + " description = excluded.description, path_prefix = excluded.path_prefix,"
                        + " built_in = excluded.built_in, updated_at = excluded.updated_at, updated_by = excluded.updated_by")
                .params(d.entityId(), d.name(), d.description(), d.pathPrefix(), builtIn,
                        Timestamp.from(clock.instant()), actor)
                .update();
        jdbc.sql("DELETE FROM access.service_role WHERE service = ?").param(d.entityId()).update();
        for (RoleDefinition r : d.roles()) {
            jdbc.sql("INSERT INTO access.service_role (service, name, description, constraints) VALUES (?, ?, ?, CAST(? AS jsonb))")
                    .params(d.entityId(), r.name(), r.description(), json.writeValueAsString(r.constraints()))
                    .update();
        }
    }

    static void validate(ServiceDefinition d) {
        if (d.entityId() == null || !absoluteUri(d.entityId())) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/entityId", "must be an absolute URI");
        }
        if (d.name() == null || d.name().isBlank()) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/name", "required");
        }
        if (d.roles().isEmpty()) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/roles", "a service needs at least one role");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < d.roles().size(); i++) {
            RoleDefinition r = d.roles().get(i);
            if (r.name() == null || !ROLE_NAME.matcher(r.name()).matches()) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/roles/" + i + "/name",
                        "lower-case letters, digits and dashes, starting with a letter");
            }
            if (!names.add(r.name())) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/roles/" + i + "/name", "named twice");
            }
            validateConstraints(r.constraints(), "/roles/" + i + "/constraints/");
        }
    }

    /** The constraint types of a role: each an absolute URI once, with a pattern that compiles. */
    public static void validateConstraints(List<ConstraintDefinition> constraints, String path) {
        Set<String> types = new HashSet<>();
        for (int j = 0; j < constraints.size(); j++) {
            ConstraintDefinition c = constraints.get(j);
            String at = path + j;
            if (c == null || c.type() == null || !absoluteUri(c.type()) || !types.add(c.type())) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, at + "/type", "an absolute URI, once per role");
            }
            try {
                Pattern.compile(c.pattern() == null ? ".*" : c.pattern());
            } catch (PatternSyntaxException e) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, at + "/pattern", "not a regular expression");
            }
        }
    }

    public static boolean absoluteUri(String s) {
        try {
            return new URI(s).isAbsolute();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Role name to its definition, in the order declared. */
    public static Map<String, RoleDefinition> byName(ServiceDefinition d) {
        Map<String, RoleDefinition> m = new LinkedHashMap<>();
        d.roles().forEach(r -> m.put(r.name(), r));
        return m;
    }
}
