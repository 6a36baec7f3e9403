package dk.opensts.access.pki;

import dk.opensts.platform.security.Pem;
import dk.opensts.access.api.ItSystems;
import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.platform.bitemporal.Period;
import dk.opensts.platform.security.Actor;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Sets up an IT system for development, demo data, tests and benchmarks the way an operator and a
 * municipality would: registered, with a certificate from the development CA, and approved
 * agreements for the given services and roles in one municipality.
 */
public final class Enrolment {

    private Enrolment() {
    }

    /** Registers the system (if new), issues and adds a certificate, and approves one agreement per service. */
    public static DevelopmentCa.Issued enrol(DevelopmentCa ca, ItSystems systems, ServiceAgreements agreements, UUID id,
                                             String name, String cvr, Map<String, List<String>> rolesByService,
                                             String actor) {
        return enrolGrants(ca, systems, agreements, id, name, cvr, grants(rolesByService), actor);
    }

    /** As {@link #enrol}, with roles and their constraint values per service. */
    public static DevelopmentCa.Issued enrolGrants(DevelopmentCa ca, ItSystems systems, ServiceAgreements agreements,
                                                   UUID id, String name, String cvr,
                                                   Map<String, List<ServiceAgreements.Grant>> grantsByService,
                                                   String actor) {
        if (systems.find(id).isEmpty()) {
            systems.register(id, name, "12345678", null, actor);
        }
        DevelopmentCa.Issued issued = ca.issueClient(name, cvr, Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(397)));
        systems.addCertificate(id, Pem.encode(issued.certificate()), actor);
        approveGrants(agreements, id, cvr, grantsByService, actor);
        return issued;
    }

    /** Requests and approves one agreement per service, valid from now, open-ended. */
    public static void approve(ServiceAgreements agreements, UUID system, String cvr,
                               Map<String, List<String>> rolesByService, String actor) {
        approveGrants(agreements, system, cvr, grants(rolesByService), actor);
    }

    private static Map<String, List<ServiceAgreements.Grant>> grants(Map<String, List<String>> rolesByService) {
        Map<String, List<ServiceAgreements.Grant>> out = new java.util.LinkedHashMap<>();
        rolesByService.forEach((service, roles) -> out.put(service,
                roles.stream().map(r -> new ServiceAgreements.Grant(r, Map.of())).toList()));
        return out;
    }

    /** Requests and approves one agreement per service with the given grants, valid from now, open-ended. */
    public static void approveGrants(ServiceAgreements agreements, UUID system, String cvr,
                                     Map<String, List<ServiceAgreements.Grant>> grantsByService, String actor) {
        Actor internal = Actor.internal(actor, cvr);
        for (var e : grantsByService.entrySet()) {
            var grants = e.getValue();
            var a = agreements.request(system, e.getKey(), cvr, grants, new Period(Instant.now().minusSeconds(1), null),
                    "set up by " + actor, internal);
            agreements.approve(a.id(), a.version(), "set up by " + actor, internal);
        }
    }

    /** A TLS context that presents the issued certificate and trusts the given CA (for clients of OpenSTS). */
    public static SSLContext clientContext(DevelopmentCa.Issued issued, X509Certificate trustedCa) {
        return context(issued, trustedCa);
    }

    /** A TLS context that presents no certificate and trusts the given CA. */
    public static SSLContext trustingContext(X509Certificate trustedCa) {
        return context(null, trustedCa);
    }

    private static SSLContext context(DevelopmentCa.Issued issued, X509Certificate trustedCa) {
        try {
            KeyManagerFactory kmf = null;
            if (issued != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(issued.keyStore(), DevelopmentCa.PASSWORD);
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", trustedCa);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
