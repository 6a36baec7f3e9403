package dk.opensts.access.saml;

import dk.opensts.access.roles.UserPrivileges.PrivilegeGroup;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.w3c.dom.Element;

/**
 * A built-in service provider for the demo run and the tests only: it starts a login at the context
 * handler and shows what came back (the user, her assurance level and her privilege groups), so the
 * whole flow can be tried in a browser before any user-facing system is connected. It checks the
 * answer as any service provider must: both signatures, its own request, decryption with its key.
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
        String id = Messages.newId();
        outstanding.put(id, now.plus(handler.get().loginTimeout()));
        return RedirectBinding.encode(handler.get().ssoUrl(), "SAMLRequest", SamlXml.serialize(Messages.authnRequest(id,
                entityId(), handler.get().ssoUrl(), acsUrl(), null, null, now)), null, key);
    }

    /** Reads the context handler's answer; a message that fails a check is refused. */
    public Result receive(byte[] xml) {
        Instant now = clock.instant();
        ContextHandler.Settings ch = handler.get();
        Element resp = SamlXml.parse(xml).getDocumentElement();
        SamlXml.verify(resp, List.of(ch.certificate()), now);
        if (!ch.idpEntityId().equals(SamlXml.text(resp, SamlXml.ASSERTION, "Issuer"))) {
            throw new SamlException("the answer is not from the context handler");
        }
        String inResponseTo = resp.getAttribute("InResponseTo");
        if (outstanding.remove(inResponseTo) == null) {
            throw new SamlException("the answer is to no login this service provider started (or it was used)");
        }
        Element status = SamlXml.child(resp, SamlXml.PROTOCOL, "Status");
        Element code = SamlXml.child(status, SamlXml.PROTOCOL, "StatusCode");
        if (!SamlXml.SUCCESS.equals(code.getAttribute("Value"))) {
            Element inner = SamlXml.child(code, SamlXml.PROTOCOL, "StatusCode");
            return new Result(inner == null ? code.getAttribute("Value") : inner.getAttribute("Value"),
                    SamlXml.text(status, SamlXml.PROTOCOL, "StatusMessage"), Map.of(), List.of());
        }
        Element encrypted = SamlXml.child(resp, SamlXml.ASSERTION, "EncryptedAssertion");
        Element assertion = encrypted != null ? SamlXml.decrypt(encrypted, key)
                : SamlXml.child(resp, SamlXml.ASSERTION, "Assertion");
        if (assertion == null) {
            throw new SamlException("a successful answer without an assertion");
        }
        SamlXml.verify(assertion, List.of(ch.certificate()), now);
        Map<String, List<String>> attributes = ContextHandler.attributes(assertion);
        List<String> bpp = attributes.get(Messages.PRIVILEGES);
        List<PrivilegeGroup> groups = bpp == null || bpp.isEmpty() ? List.of() : PrivilegeProfile.decode(bpp.get(0));
        return new Result(SamlXml.SUCCESS, null, attributes, groups);
    }
}
