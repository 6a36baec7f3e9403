package dk.opensts.access.domain;

import dk.opensts.access.api.ItSystems;
import dk.opensts.platform.security.Pem;
import dk.opensts.access.pki.TrustedIssuers;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.securitylog.SecurityEvent;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;

/** IT systems and their certificates in {@code access.it_system} and {@code access.certificate}. */
public class JdbcItSystems implements ItSystems {

    private static final Pattern CVR = Pattern.compile("[0-9]{8}");

    private final JdbcClient jdbc;
    private final TrustedIssuers trusted;
    private final SecurityLog securityLog;
    private final Clock clock;

    public JdbcItSystems(JdbcClient jdbc, TrustedIssuers trusted, SecurityLog securityLog, Clock clock) {
        this.jdbc = jdbc;
        this.trusted = trusted;
        this.securityLog = securityLog;
        this.clock = clock;
    }

    @Override
    @Transactional
    public ItSystem register(UUID id, String name, String vendorCvr, String contact, String actor) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/name", "required, at most 200 characters");
        }
        if (vendorCvr != null && !CVR.matcher(vendorCvr).matches()) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/vendorCvr", "must be 8 digits");
        }
        if (find(id).isPresent()) {
            throw new ApiException(ErrorCode.DUPLICATE, "IT system " + id + " exists already");
        }
        Instant now = clock.instant();
        jdbc.sql("INSERT INTO access.it_system (id, name, vendor_cvr, contact, created_at, created_by)"
                        + " VALUES (?, ?, ?, ?, ?, ?)")
                .params(id, name.strip(), vendorCvr, contact, Timestamp.from(now), actor)
                .update();
        log(actor, id, Map.of("action", "registered", "name", name.strip()));
        return new ItSystem(id, name.strip(), vendorCvr, contact, true, now);
    }

    @Override
    public Optional<ItSystem> find(UUID id) {
        return jdbc.sql("SELECT * FROM access.it_system WHERE id = ?").param(id).query((rs, n) -> system(rs)).optional();
    }

    @Override
    public List<ItSystem> list() {
        return jdbc.sql("SELECT * FROM access.it_system ORDER BY name, id").query((rs, n) -> system(rs)).list();
    }

    @Override
    @Transactional
    public SystemCertificate addCertificate(UUID system, String pem, String actor) {
        requireSystem(system);
        List<X509Certificate> chain;
        try {
            chain = pem == null ? List.of() : Pem.certificates(pem);
        } catch (CertificateException e) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/pem", "not a PEM X.509 certificate");
        }
        if (chain.isEmpty()) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/pem", "not a PEM X.509 certificate");
        }
        Instant now = clock.instant();
        String problem = trusted.problem(chain, now);
        if (problem != null) {
            securityLog.denied(SecurityEventType.CERTIFICATE_REJECTED, new SecurityLog.Subject(actor, system.toString(), null),
                    problem, Map.of("action", "register certificate", "subject",
                            chain.get(0).getSubjectX500Principal().getName()));
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/pem", problem);
        }
        X509Certificate leaf = chain.get(0);
        String thumbprint = Pem.thumbprint(leaf);
        if (jdbc.sql("SELECT count(*) FROM access.certificate WHERE thumbprint = ?").param(thumbprint)
                .query(Long.class).single() > 0) {
            throw new ApiException(ErrorCode.DUPLICATE, "This certificate is registered already");
        }
        jdbc.sql("INSERT INTO access.certificate (thumbprint, system_id, pem, subject, issuer, serial, not_before,"
                        + " not_after, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(thumbprint, system, Pem.encode(leaf), leaf.getSubjectX500Principal().getName(),
                        leaf.getIssuerX500Principal().getName(), leaf.getSerialNumber().toString(16),
                        Timestamp.from(leaf.getNotBefore().toInstant()), Timestamp.from(leaf.getNotAfter().toInstant()),
                        Timestamp.from(now), actor)
                .update();
        log(actor, system, Map.of("action", "certificate added", "thumbprint", thumbprint,
                "subject", leaf.getSubjectX500Principal().getName()));
        return certificate(system, thumbprint);
    }

    @Override
    @Transactional
    public SystemCertificate revokeCertificate(UUID system, String thumbprint, String reason, String actor) {
        SystemCertificate c = certificate(system, thumbprint);
        if (c.revoked()) {
            return c;
        }
        jdbc.sql("UPDATE access.certificate SET revoked_at = ?, revoked_by = ?, revocation_reason = ? WHERE thumbprint = ?")
                .params(Timestamp.from(clock.instant()), actor, reason, thumbprint).update();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("action", "certificate revoked");
        details.put("thumbprint", thumbprint);
        details.put("reason", reason);
        log(actor, system, details);
        return certificate(system, thumbprint);
    }

    @Override
    public List<SystemCertificate> certificates(UUID system) {
        requireSystem(system);
        return jdbc.sql("SELECT * FROM access.certificate WHERE system_id = ? ORDER BY added_at, thumbprint")
                .param(system).query((rs, n) -> certificate(rs)).list();
    }

    @Override
    public Map<String, BoundCertificate> byThumbprint(Collection<String> thumbprints) {
        if (thumbprints.isEmpty()) {
            return Map.of();
        }
        Map<String, BoundCertificate> out = new LinkedHashMap<>();
        jdbc.sql("SELECT c.*, s.active AS system_active FROM access.certificate c JOIN access.it_system s"
                        + " ON s.id = c.system_id WHERE c.thumbprint = ANY (?)")
                .param(thumbprints.toArray(String[]::new))
                .query((rs, n) -> new BoundCertificate(certificate(rs), rs.getBoolean("system_active")))
                .list().forEach(b -> out.put(b.certificate().thumbprint(), b));
        return out;
    }

    @Override
    @Transactional
    public ItSystem setActive(UUID system, boolean active, String reason, String actor) {
        requireSystem(system);
        jdbc.sql("UPDATE access.it_system SET active = ? WHERE id = ?").params(active, system).update();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("action", active ? "activated" : "deactivated");
        details.put("reason", reason);
        log(actor, system, details);
        return find(system).orElseThrow();
    }

    private SystemCertificate certificate(UUID system, String thumbprint) {
        return jdbc.sql("SELECT * FROM access.certificate WHERE system_id = ? AND thumbprint = ?")
                .params(system, thumbprint).query((rs, n) -> certificate(rs)).optional()
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND,
                        "IT system " + system + " has no certificate " + thumbprint));
    }

    private void requireSystem(UUID system) {
        if (find(system).isEmpty()) {
            throw new ApiException(ErrorCode.NOT_FOUND, "No IT system " + system);
        }
    }

    private void log(String actor, UUID system, Map<String, ?> details) {
        securityLog.record(SecurityEventType.SYSTEM_CHANGED, SecurityEvent.OK,
                new SecurityLog.Subject(actor, system.toString(), null), details);
    }

    private static ItSystem system(ResultSet rs) throws SQLException {
        return new ItSystem(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("vendor_cvr"),
                rs.getString("contact"), rs.getBoolean("active"), rs.getTimestamp("created_at").toInstant());
    }

    private static SystemCertificate certificate(ResultSet rs) throws SQLException {
        Timestamp revoked = rs.getTimestamp("revoked_at");
        return new SystemCertificate(rs.getString("thumbprint"), rs.getObject("system_id", UUID.class),
                rs.getString("subject"), rs.getString("issuer"), rs.getString("serial"),
                rs.getTimestamp("not_before").toInstant(), rs.getTimestamp("not_after").toInstant(),
                rs.getTimestamp("added_at").toInstant(), rs.getString("added_by"),
                revoked == null ? null : revoked.toInstant(), rs.getString("revoked_by"),
                rs.getString("revocation_reason"), rs.getString("pem"));
    }
}
