package dk.opensts.access.saml;

import dk.opensts.saml.SamlXml;
import dk.opensts.saml.Messages;
import dk.opensts.saml.SamlException;

import dk.opensts.platform.security.Pem;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.securitylog.SecurityEvent;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import dk.opensts.platform.db.StaleBoundedCache;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The identity provider of each municipality, configured by importing its SAML metadata. Logins use
 * the IdPs as read within a bounded age (see the constructor).
 */
public class MunicipalIdps {

    private static final Pattern CVR = Pattern.compile("[0-9]{8}");

    /** A configured IdP. */
    public record MunicipalIdp(String cvr, String entityId, String ssoUrl, List<X509Certificate> signing) {
    }

    /** What the administration API shows of an IdP. */
    public record Summary(String cvr, String entityId, String ssoUrl, List<String> signingCertificates) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final SecurityLog securityLog;
    /** All configured IdPs by CVR, as read within the configured age: a login does not read them. */
    private final StaleBoundedCache<Boolean, Map<String, MunicipalIdp>> read;

    /**
     * @param maxAge how long the IdPs read here are used before they are read again: a change made on another
     *               node holds here within it (one made here, at once); zero reads every time
     */
    public MunicipalIdps(JdbcClient jdbc, Clock clock, SecurityLog securityLog, Duration maxAge) {
        this.read = new StaleBoundedCache<>(maxAge, 1);
        this.jdbc = jdbc;
        this.clock = clock;
        this.securityLog = securityLog;
    }

    /** Configures (or replaces) the municipality's IdP from its metadata; bad metadata is refused with the reason. */
    public Summary configure(String cvr, byte[] metadata, String actor) {
        if (cvr == null || !CVR.matcher(cvr).matches()) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "cvr", "a CVR number of 8 digits");
        }
        Messages.IdpDescriptor d;
        List<X509Certificate> certs = new ArrayList<>();
        try {
            d = Messages.readIdpMetadata(metadata);
            for (String b64 : d.signingCertificates()) {
                certs.add(certificate(b64));
            }
        } catch (SamlException | CertificateException | IllegalArgumentException e) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "The metadata is not usable: " + e.getMessage());
        }
        StringBuilder pem = new StringBuilder();
        certs.forEach(c -> pem.append(Pem.encode(c)));
        jdbc.sql("INSERT INTO access.municipal_idp (cvr, entity_id, sso_url, signing_pem, metadata, updated_at, updated_by)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cvr) DO UPDATE SET entity_id = excluded.entity_id,"
                        + " sso_url = excluded.sso_url, signing_pem = excluded.signing_pem, metadata = excluded.metadata,"
                        + " updated_at = excluded.updated_at, updated_by = excluded.updated_by")
                .params(cvr, d.entityId(), d.ssoUrl(), pem.toString(), new String(metadata, StandardCharsets.UTF_8),
                        Timestamp.from(clock.instant()), actor)
                .update();
        securityLog.record(SecurityEventType.IDP_CHANGED, SecurityEvent.OK, new SecurityLog.Subject(actor, actor, cvr),
                Map.of("entityId", d.entityId(), "ssoUrl", d.ssoUrl()));
        read.invalidate();
        return new Summary(cvr, d.entityId(), d.ssoUrl(), certs.stream().map(Pem::encode).toList());
    }

    /** Removes the municipality's IdP: its users cannot log in until one is configured again. False when there was none. */
    public boolean remove(String cvr, String actor) {
        boolean removed = jdbc.sql("DELETE FROM access.municipal_idp WHERE cvr = ?").param(cvr).update() > 0;
        if (removed) {
            securityLog.record(SecurityEventType.IDP_CHANGED, SecurityEvent.OK, new SecurityLog.Subject(actor, actor, cvr),
                    Map.of("removed", true));
        }
        read.invalidate();
        return removed;
    }

    /** The municipality's IdP, as read within the configured age. */
    public Optional<MunicipalIdp> find(String cvr) {
        return Optional.ofNullable(configured().get(cvr));
    }

    /** The CVRs of the municipalities with an IdP, in order, as read within the configured age. */
    public List<String> municipalities() {
        return List.copyOf(configured().keySet());
    }

    private Map<String, MunicipalIdp> configured() {
        return read.get(Boolean.TRUE, () -> {
            Map<String, MunicipalIdp> all = new java.util.LinkedHashMap<>();
            list().forEach(i -> all.put(i.cvr(), i));
            return Optional.of(java.util.Collections.unmodifiableMap(all));
        }).orElseThrow();
    }

    /** All configured IdPs, read now. */
    public List<MunicipalIdp> list() {
        return jdbc.sql("SELECT * FROM access.municipal_idp ORDER BY cvr").query((rs, n) -> idp(rs)).list();
    }

    public static Summary summary(MunicipalIdp i) {
        return new Summary(i.cvr(), i.entityId(), i.ssoUrl(), i.signing().stream().map(Pem::encode).toList());
    }

    private static MunicipalIdp idp(java.sql.ResultSet rs) throws java.sql.SQLException {
        try {
            return new MunicipalIdp(rs.getString("cvr"), rs.getString("entity_id"), rs.getString("sso_url"),
                    SamlXml.certificates(rs.getString("signing_pem")));
        } catch (CertificateException e) {
            throw new IllegalStateException("stored IdP certificate of " + rs.getString("cvr"), e);
        }
    }

    private static X509Certificate certificate(String base64) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getMimeDecoder().decode(base64)));
    }
}
