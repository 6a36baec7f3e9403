package dk.opensts.access.pki;

import dk.opensts.platform.security.Pem;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The CAs whose certificates OpenSTS accepts from IT systems: the configured ones and, in
 * development, its own development CA. A certificate is trusted when a PKIX path leads from it to
 * one of them (revocation is OpenSTS's own: a certificate is revoked in its registry).
 */
public class TrustedIssuers {

    private final List<X509Certificate> cas;
    private final Set<TrustAnchor> anchors;
    /**
     * Chains (by their certificates' thumbprints) whose path to a trusted CA was found, with the
     * time the path holds until (the first expiry in it); the CAs do not change at run time.
     */
    private final java.util.Map<String, Instant> validPaths = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_REMEMBERED = 100_000;

    public TrustedIssuers(List<X509Certificate> cas) {
        this.cas = List.copyOf(cas);
        this.anchors = cas.stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toUnmodifiableSet());
    }

    public List<X509Certificate> certificates() {
        return cas;
    }

    /** Why the chain is not trusted at {@code at}, or {@code null} when it is. */
    public String problem(List<X509Certificate> chain, Instant at) {
        if (chain.isEmpty()) {
            return "no certificate";
        }
        X509Certificate leaf = chain.get(0);
        if (at.isBefore(leaf.getNotBefore().toInstant())) {
            return "the certificate is not valid before " + leaf.getNotBefore().toInstant();
        }
        if (at.isAfter(leaf.getNotAfter().toInstant())) {
            return "the certificate expired at " + leaf.getNotAfter().toInstant();
        }
        if (anchors.isEmpty()) {
            return "no certificate authority is trusted";
        }
        StringBuilder chainKey = new StringBuilder();
        for (X509Certificate c : chain) {
            chainKey.append(Pem.thumbprint(c)).append(' ');
        }
        Instant holdsUntil = validPaths.get(chainKey.toString());
        if (holdsUntil != null && at.isBefore(holdsUntil)) {
            return null;
        }
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate c : chain) {
            if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) || path.isEmpty()) {
                path.add(c);
            }
        }
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
            if (validPaths.size() >= MAX_REMEMBERED) {
                validPaths.clear();
            }
            Instant until = leaf.getNotAfter().toInstant();
            for (X509Certificate c : path) {
                until = c.getNotAfter().toInstant().isBefore(until) ? c.getNotAfter().toInstant() : until;
            }
            for (X509Certificate ca : cas) {
                until = ca.getNotAfter().toInstant().isBefore(until) ? ca.getNotAfter().toInstant() : until;
            }
            validPaths.put(chainKey.toString(), until);
            return null;
        } catch (CertPathValidatorException e) {
            return "the certificate is not issued by a trusted certificate authority (" + e.getReason() + ")";
        } catch (GeneralSecurityException e) {
            return "the certificate chain cannot be checked: " + e.getMessage();
        }
    }
}
