package dk.opensts.access.roles;

import dk.opensts.access.domain.ServiceCatalogue;
import dk.opensts.platform.security.Pem;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.security.ServiceDefinition.ConstraintDefinition;
import dk.opensts.platform.securitylog.SecurityEvent;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import dk.opensts.platform.db.StaleBoundedCache;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * User-facing systems (brugervendte systemer): the SAML service providers the context handler
 * serves, each with its system roles (brugersystemroller) and the data-constraint types each takes.
 * Registered by the platform operator. A login uses its system as read within a bounded age (default
 * two seconds, {@code opensts.saml.configuration-max-age}): a change holds at once on the node that
 * wrote it and within that age on every other.
 */
public class UserSystems {

    private static final TypeReference<List<ConstraintDefinition>> CONSTRAINTS = new TypeReference<>() { };
    private static final TypeReference<List<ServiceRole>> SERVICE_ROLES = new TypeReference<>() { };

    /** A role of an OpenSTS service (or another service of the token service) that a system role carries. */
    public record ServiceRole(String service, String role) {
    }

    /** What happens when a user holds no role of the system. */
    public enum WithoutPrivileges { REFUSE, ALLOW }

    /**
     * A system role.
     *
     * @param entityId     the role's URI, unique across systems; the {@code Privilege} of the assertion
     * @param serviceRoles the service roles a user holding it gets, with its constraint values, in a token the
     *                     system's back end exchanges her assertion for (empty: none)
     */
    public record SystemRole(String entityId, String name, String description, List<ConstraintDefinition> constraints,
                             List<ServiceRole> serviceRoles) {
        public SystemRole {
            constraints = constraints == null ? List.of() : List.copyOf(constraints);
            serviceRoles = serviceRoles == null ? List.of() : List.copyOf(serviceRoles);
        }

        public SystemRole(String entityId, String name, String description, List<ConstraintDefinition> constraints) {
            this(entityId, name, description, constraints, List.of());
        }
    }

    /**
     * A registered service provider.
     *
     * @param assertionConsumerUrls where answers may be sent; an AuthnRequest naming another is refused
     * @param signingCertificate    PEM; verifies the system's AuthnRequests
     * @param encryptionCertificate PEM or {@code null}; when set, assertions to the system are encrypted for it
     * @param itSystem              the IT system (its back end) that may exchange the system's assertions for
     *                              tokens to OpenSTS APIs on the user's behalf, or {@code null}
     */
    public record UserSystem(String entityId, String name, List<String> assertionConsumerUrls, String signingCertificate,
                             String encryptionCertificate, Assurance minimumAssurance,
                             WithoutPrivileges withoutPrivileges, java.util.UUID itSystem, List<SystemRole> roles) {
        public UserSystem {
            assertionConsumerUrls = assertionConsumerUrls == null ? List.of() : List.copyOf(assertionConsumerUrls);
            roles = roles == null ? List.of() : List.copyOf(roles);
        }

        public Optional<SystemRole> role(String uri) {
            return roles.stream().filter(r -> r.entityId().equals(uri)).findFirst();
        }
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;
    private final SecurityLog securityLog;
    private final TransactionTemplate tx;
    private final ServiceCatalogue services;
    private final dk.opensts.access.api.ItSystems itSystems;
    /** Systems as read, each for at most the configured age: a login does not read its system's rows. */
    private final StaleBoundedCache<String, UserSystem> read;

    /**
     * @param maxAge how long a system read here is used before it is read again: a change made on another
     *               node holds here within it (one made here, at once); zero reads every time
     */
    public UserSystems(JdbcClient jdbc, JsonMapper json, Clock clock, SecurityLog securityLog, TransactionTemplate tx,
                       ServiceCatalogue services, dk.opensts.access.api.ItSystems itSystems, Duration maxAge) {
        this.read = new StaleBoundedCache<>(maxAge, 10_000);
        this.services = services;
        this.itSystems = itSystems;
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.securityLog = securityLog;
        this.tx = tx;
    }

    /** Registers or replaces a system with its roles (the defaults: NSIS Substantial, refuse without privileges). */
    public UserSystem register(UserSystem in, String actor) {
        UserSystem s = new UserSystem(in.entityId(), in.name(), in.assertionConsumerUrls(), in.signingCertificate(),
                in.encryptionCertificate(),
                in.minimumAssurance() == null ? Assurance.SUBSTANTIAL : in.minimumAssurance(),
                in.withoutPrivileges() == null ? WithoutPrivileges.REFUSE : in.withoutPrivileges(), in.itSystem(),
                in.roles());
        validate(s);
        UserSystem written = tx.execute(st -> {
            for (SystemRole r : s.roles()) {
                String owner = jdbc.sql("SELECT system FROM access.user_system_role WHERE role_uri = ?")
                        .param(r.entityId()).query(String.class).optional().orElse(s.entityId());
                if (!owner.equals(s.entityId())) {
                    throw ApiException.field(ErrorCode.DUPLICATE, "/roles", "role " + r.entityId()
                            + " belongs to " + owner);
                }
            }
            jdbc.sql("INSERT INTO access.user_system (entity_id, name, acs_urls, signing_pem, encryption_pem, min_assurance,"
                            + " without_privileges, it_system, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                            + " ON CONFLICT (entity_id) DO UPDATE SET name = excluded.name, acs_urls = excluded.acs_urls,"
                            + " signing_pem = excluded.signing_pem, encryption_pem = excluded.encryption_pem,"
                            + " min_assurance = excluded.min_assurance, without_privileges = excluded.without_privileges,"
                            + " it_system = excluded.it_system, updated_at = excluded.updated_at, updated_by = excluded.updated_by")
                    .params(s.entityId(), s.name(), s.assertionConsumerUrls().toArray(String[]::new), s.signingCertificate(),
                            s.encryptionCertificate(), s.minimumAssurance().name(), s.withoutPrivileges().name(),
                            s.itSystem(), Timestamp.from(clock.instant()), actor)
                    .update();
            jdbc.sql("DELETE FROM access.user_system_role WHERE system = ?").param(s.entityId()).update();
            for (SystemRole r : s.roles()) {
                jdbc.sql("INSERT INTO access.user_system_role (role_uri, system, name, description, constraints, service_roles)"
                                + " VALUES (?, ?, ?, ?, CAST(? AS jsonb), CAST(? AS jsonb))")
                        .params(r.entityId(), s.entityId(), r.name(), r.description(),
                                json.writeValueAsString(r.constraints()), json.writeValueAsString(r.serviceRoles()))
                        .update();
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("userSystem", s.entityId());
            details.put("roles", s.roles().stream().map(SystemRole::entityId).toList());
            securityLog.record(SecurityEventType.SYSTEM_CHANGED, SecurityEvent.OK,
                    new SecurityLog.Subject(actor, actor, null), details);
            return s;
        });
        read.invalidate();
        return written;
    }

    /** Removes a system and its roles; logins from it are refused from then on. False when there was none. */
    public boolean remove(String entityId, String actor) {
        Boolean removed = tx.execute(st -> {
            jdbc.sql("DELETE FROM access.user_system_role WHERE system = ?").param(entityId).update();
            if (jdbc.sql("DELETE FROM access.user_system WHERE entity_id = ?").param(entityId).update() == 0) {
                return false;
            }
            securityLog.record(SecurityEventType.SYSTEM_CHANGED, SecurityEvent.OK,
                    new SecurityLog.Subject(actor, actor, null), Map.of("userSystem", entityId, "removed", true));
            return true;
        });
        read.invalidate();
        return Boolean.TRUE.equals(removed);
    }

    /** The system as read within the configured age (see the constructor). */
    public Optional<UserSystem> find(String entityId) {
        return entityId == null ? Optional.empty() : read.get(entityId, () -> readSystem(entityId));
    }

    private Optional<UserSystem> readSystem(String entityId) {
        return jdbc.sql("SELECT * FROM access.user_system WHERE entity_id = ?").param(entityId)
                .query((rs, n) -> new UserSystem(rs.getString("entity_id"), rs.getString("name"),
                        List.of((String[]) rs.getArray("acs_urls").getArray()), rs.getString("signing_pem"),
                        rs.getString("encryption_pem"), Assurance.valueOf(rs.getString("min_assurance")),
                        WithoutPrivileges.valueOf(rs.getString("without_privileges")),
                        rs.getObject("it_system", java.util.UUID.class), roles(entityId)))
                .optional();
    }

    /** All systems, read now. */
    public List<UserSystem> list() {
        return jdbc.sql("SELECT entity_id FROM access.user_system ORDER BY entity_id").query(String.class).list()
                .stream().map(this::readSystem).flatMap(Optional::stream).toList();
    }

    /** The system role with this URI, with the system it belongs to. */
    public Optional<Map.Entry<String, SystemRole>> role(String uri) {
        return jdbc.sql("SELECT system FROM access.user_system_role WHERE role_uri = ?").param(uri)
                .query(String.class).optional()
                .flatMap(system -> find(system).flatMap(s -> s.role(uri)).map(r -> Map.entry(system, r)));
    }

    private List<SystemRole> roles(String system) {
        return jdbc.sql("SELECT * FROM access.user_system_role WHERE system = ? ORDER BY role_uri").param(system)
                .query((rs, n) -> new SystemRole(rs.getString("role_uri"), rs.getString("name"),
                        rs.getString("description"), json.readValue(rs.getString("constraints"), CONSTRAINTS),
                        json.readValue(rs.getString("service_roles"), SERVICE_ROLES)))
                .list();
    }

    private void validate(UserSystem s) {
        if (s.entityId() == null || !ServiceCatalogue.absoluteUri(s.entityId())) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/entityId", "must be an absolute URI");
        }
        if (s.name() == null || s.name().isBlank()) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/name", "required");
        }
        if (s.assertionConsumerUrls().isEmpty()) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/assertionConsumerUrls", "at least one URL");
        }
        for (int i = 0; i < s.assertionConsumerUrls().size(); i++) {
            String url = s.assertionConsumerUrls().get(i);
            if (!httpUrl(url)) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/assertionConsumerUrls/" + i,
                        "an absolute http or https URL");
            }
        }
        certificate(s.signingCertificate(), "/signingCertificate", true);
        X509Certificate encryption = certificate(s.encryptionCertificate(), "/encryptionCertificate", false);
        if (encryption != null && !"RSA".equals(encryption.getPublicKey().getAlgorithm())) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/encryptionCertificate",
                    "must hold an RSA key (assertions are encrypted with RSA-OAEP)");
        }
        Set<String> uris = new HashSet<>();
        for (int i = 0; i < s.roles().size(); i++) {
            SystemRole r = s.roles().get(i);
            if (r == null || r.entityId() == null || !ServiceCatalogue.absoluteUri(r.entityId()) || !uris.add(r.entityId())) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/roles/" + i + "/entityId",
                        "an absolute URI, once per system");
            }
            if (r.name() == null || r.name().isBlank()) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/roles/" + i + "/name", "required");
            }
            ServiceCatalogue.validateConstraints(r.constraints(), "/roles/" + i + "/constraints/");
            for (int j = 0; j < r.serviceRoles().size(); j++) {
                ServiceRole sr = r.serviceRoles().get(j);
                boolean known = sr != null && sr.service() != null && services.find(sr.service())
                        .flatMap(d -> d.role(sr.role())).isPresent();
                if (!known) {
                    throw ApiException.field(ErrorCode.BROKEN_REFERENCE, "/roles/" + i + "/serviceRoles/" + j,
                            "no role " + (sr == null ? null : sr.role()) + " of service " + (sr == null ? null : sr.service()));
                }
            }
        }
        if (s.itSystem() != null && itSystems.find(s.itSystem()).isEmpty()) {
            throw ApiException.field(ErrorCode.BROKEN_REFERENCE, "/itSystem", "no IT system " + s.itSystem());
        }
    }

    private X509Certificate certificate(String pem, String field, boolean required) {
        if (pem == null || pem.isBlank()) {
            if (required) {
                throw ApiException.field(ErrorCode.VALIDATION_FAILED, field, "a PEM certificate is required");
            }
            return null;
        }
        try {
            List<X509Certificate> certs = Pem.certificates(pem);
            if (certs.isEmpty()) {
                throw new GeneralSecurityException("none");
            }
            certs.get(0).checkValidity(Date.from(clock.instant()));
            return certs.get(0);
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, field, "the certificate is not valid now");
        } catch (GeneralSecurityException | RuntimeException e) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, field, "not a PEM X.509 certificate");
        }
    }

    static boolean httpUrl(String url) {
        try {
            URI u = new URI(url);
            return u.isAbsolute() && u.getHost() != null
                    && ("https".equals(u.getScheme()) || "http".equals(u.getScheme()));
        } catch (Exception e) {
            return false;
        }
    }
}
