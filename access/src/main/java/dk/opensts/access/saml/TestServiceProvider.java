package dk.opensts.access.saml;

import dk.opensts.saml.PrivilegeGroup;
import dk.opensts.saml.SamlException;
import dk.opensts.saml.ServiceProvider;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A built-in service provider for the demo run and the tests only: it starts a login at the context
 * handler and shows what came back (the user, her assurance level and her privilege groups), so the
 * whole flow can be tried in a browser before any user-facing system is connected. It checks the
 * answer as every service provider does ({@link ServiceProvider}); having no session, it keeps the
 * requests it started in memory.
 */
public class TestServiceProvider {

    /** What the answer said. */
    public record Result(String status, String message, Map<String, List<String>> attributes, List<PrivilegeGroup> groups) {
    }

    private final PrivateKey key;
    private final X509Certificate certificate;
    private final java.util.function.Supplier<ContextHandler.Settings> handler;
    private final Clock clock;
    private final Map<String, Instant> outstanding = new ConcurrentHashMap<>();

    public TestServiceProvider(PrivateKey key, X509Certificate certificate,
                               java.util.function.Supplier<ContextHandler.Settings> handler, Clock clock) {
        this.key = key;
        this.certificate = certificate;
        this.handler = handler;
        this.clock = clock;
    }

    /** The service provider at the context handler's current base URL (known once the web server runs). */
    private ServiceProvider sp() {
        ContextHandler.Settings s = handler.get();
        return new ServiceProvider(s.baseUrl() + "/saml/test-sp", s.baseUrl() + "/saml/test-sp/acs", key, certificate,
                () -> new ServiceProvider.IdentityProvider(s.idpEntityId(), s.ssoUrl(), List.of(s.certificate())), clock,
                s.clockSkew());
    }

    public String entityId() {
        return handler.get().baseUrl() + "/saml/test-sp";
    }

    public String acsUrl() {
        return handler.get().baseUrl() + "/saml/test-sp/acs";
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The URL that starts a login: a signed AuthnRequest to the context handler. */
    public String loginUrl() {
        Instant now = clock.instant();
        outstanding.values().removeIf(t -> t.isBefore(now));
        ServiceProvider.Login login = sp().login(null);
        outstanding.put(login.requestId(), now.plus(handler.get().loginTimeout()));
        return login.redirectUrl();
    }

    /** Reads the context handler's answer; a message that fails a check is refused. */
    public Result receive(byte[] xml) {
        String inResponseTo = dk.opensts.saml.SamlXml.parse(xml).getDocumentElement().getAttribute("InResponseTo");
        if (outstanding.remove(inResponseTo) == null) {
            throw new SamlException("the answer is to no login this service provider started (or it was used)");
        }
        ServiceProvider.Answer a = sp().receive(xml, inResponseTo);
        return new Result(a.status(), a.message(), a.attributes(), a.groups());
    }
}
