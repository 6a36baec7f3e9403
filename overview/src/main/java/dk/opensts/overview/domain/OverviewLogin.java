package dk.opensts.overview.domain;

import dk.opensts.access.api.UserAccess;
import dk.opensts.overview.api.OverviewSystem;
import dk.opensts.saml.ServiceProvider;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;

/**
 * The overview's SAML service provider toward the context handler. Its URLs follow the base URL the
 * context handler is reached at, known once the web server runs, so it is made at first use.
 */
public class OverviewLogin implements OverviewSystem {

    private final UserAccess access;
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final Clock clock;
    private final Duration clockSkew;
    private volatile ServiceProvider sp;

    OverviewLogin(UserAccess access, PrivateKey key, X509Certificate certificate, Clock clock, Duration clockSkew) {
        this.access = access;
        this.key = key;
        this.certificate = certificate;
        this.clock = clock;
        this.clockSkew = clockSkew;
    }

    /** The service provider (made at first use). */
    public ServiceProvider sp() {
        ServiceProvider s = sp;
        if (s == null) {
            String base = access.baseUrl() + "/overview";
            s = new ServiceProvider(base, base + "/saml/acs", key, certificate, access::contextHandler, clock, clockSkew);
            sp = s;
        }
        return s;
    }

    @Override
    public String entityId() {
        return sp().entityId();
    }

    @Override
    public String acsUrl() {
        return sp().acsUrl();
    }

    @Override
    public X509Certificate certificate() {
        return certificate;
    }
}
