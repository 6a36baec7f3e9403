package dk.opensts.access.api;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The registry of IT systems (anvendersystemer) that may call OpenSTS, and their certificates. */
public interface ItSystems {

    /** A registered system; its id is the {@code sub} of its tokens. */
    record ItSystem(UUID id, String name, String vendorCvr, String contact, boolean active, Instant createdAt) {
    }

    /** One of a system's X.509 certificates; {@code thumbprint} is its {@code x5t#S256}. */
    record SystemCertificate(String thumbprint, UUID system, String subject, String issuer, String serial,
                             Instant notBefore, Instant notAfter, Instant addedAt, String addedBy, Instant revokedAt,
                             String revokedBy, String revocationReason, String pem) {
        public boolean revoked() {
            return revokedAt != null;
        }
    }

    ItSystem register(UUID id, String name, String vendorCvr, String contact, String actor);

    Optional<ItSystem> find(UUID id);

    List<ItSystem> list();

    /**
     * Adds a certificate (PEM) to a system. It must be issued by a trusted CA, valid now and not
     * registered yet (to this or another system).
     */
    SystemCertificate addCertificate(UUID system, String pem, String actor);

    /** Revokes a certificate: from now on it gets no token and tokens bound to it are refused. */
    SystemCertificate revokeCertificate(UUID system, String thumbprint, String reason, String actor);

    List<SystemCertificate> certificates(UUID system);

    /** A registered certificate and whether its system is active now. */
    record BoundCertificate(SystemCertificate certificate, boolean systemActive) {
    }

    /**
     * The registered certificates with these thumbprints ({@code x5t#S256}, as tokens are bound by),
     * keyed by thumbprint, in one look-up; thumbprints of no registered certificate are left out.
     */
    Map<String, BoundCertificate> byThumbprint(Collection<String> thumbprints);

    /** Turns a system off (no tokens, its certificates refused) or on again. */
    ItSystem setActive(UUID system, boolean active, String reason, String actor);
}
