package dk.opensts.saml;

import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.w3c.dom.Element;

/**
 * A user-facing system's side of a login through the context handler (a SAML 2.0 service provider):
 * it sends a signed AuthnRequest by the HTTP-Redirect binding and checks the Response that comes back
 * by HTTP-POST as a service provider must. Both signatures with the IdP's certificate, the issuer, the
 * Destination, that it answers the request this login started (the caller keeps the request id, in
 * the user's session, so a Response can be used once), the status, the decryption with its own key,
 * the time window with clock skew, the audience and the bearer confirmation's recipient.
 * <p>
 * It keeps no state: the request id travels in the caller's session.
 */
public final class ServiceProvider {

    /** The IdP a service provider trusts (from its metadata). */
    public record IdentityProvider(String entityId, String ssoUrl, List<X509Certificate> signing) {

        /** Reads IdP metadata ({@code md:EntityDescriptor} with an {@code IDPSSODescriptor}). */
        public static IdentityProvider fromMetadata(byte[] xml) {
            Messages.IdpDescriptor d = Messages.readIdpMetadata(xml);
            List<X509Certificate> certs = new ArrayList<>();
            for (String b64 : d.signingCertificates()) {
                try {
                    certs.addAll(SamlXml.certificates("-----BEGIN CERTIFICATE-----\n" + b64
                            + "\n-----END CERTIFICATE-----\n"));
                } catch (CertificateException e) {
                    throw new SamlException("the IdP's signing certificate cannot be read: " + e.getMessage());
                }
            }
            return new IdentityProvider(d.entityId(), d.ssoUrl(), List.copyOf(certs));
        }
    }

    /** A login started: the request id to keep, and where to send the browser. */
    public record Login(String requestId, String redirectUrl) {
    }

    /**
     * The answer: {@code status} is SAML's success URI or the second-level status of a refusal; on success
     * the user's OIOSAML 3 attributes, her privilege groups and the verified assertion (its XML, for a
     * token exchange).
     */
    public record Answer(String status, String message, Map<String, List<String>> attributes,
                         List<PrivilegeGroup> groups, byte[] assertion, Instant notOnOrAfter) {

        public boolean success() {
            return SamlXml.SUCCESS.equals(status);
        }

        public UUID user() {
            String v = Messages.first(attributes, Messages.PERSISTENT_UUID);
            return v == null ? null : Messages.uuid(v);
        }

        public String cvr() {
            return Messages.first(attributes, Messages.CVR);
        }

        public String name() {
            return Messages.first(attributes, Messages.FULL_NAME);
        }

        public String assurance() {
            return Messages.first(attributes, Messages.LOA);
        }
    }

    private final String entityId;
    private final String acsUrl;
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final Supplier<IdentityProvider> idp;
    private final Clock clock;
    private final Duration clockSkew;

    public ServiceProvider(String entityId, String acsUrl, PrivateKey key, X509Certificate certificate,
                           Supplier<IdentityProvider> idp, Clock clock, Duration clockSkew) {
        this.entityId = entityId;
        this.acsUrl = acsUrl;
        this.key = key;
        this.certificate = certificate;
        this.idp = idp;
        this.clock = clock;
        this.clockSkew = clockSkew;
    }

    public String entityId() {
        return entityId;
    }

    public String acsUrl() {
        return acsUrl;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** This service provider's metadata (the same certificate for signing and encryption). */
    public byte[] metadata() {
        return SamlXml.serialize(Messages.spMetadata(entityId, acsUrl, certificate));
    }

    /** Starts a login: a signed AuthnRequest to the IdP, by redirect, with a RelayState (may be null). */
    public Login login(String relayState) {
        String id = Messages.newId();
        IdentityProvider p = idp.get();
        String url = RedirectBinding.encode(p.ssoUrl(), "SAMLRequest", SamlXml.serialize(Messages.authnRequest(id,
                entityId, p.ssoUrl(), acsUrl, null, null, clock.instant())), relayState, key);
        return new Login(id, url);
    }

    /**
     * Checks a Response (the base64 {@code SAMLResponse} of the POST) to the login started with
     * {@code requestId}; a message that fails a check is refused with {@link SamlException}.
     */
    public Answer receive(String samlResponse, String requestId) {
        byte[] xml;
        try {
            xml = Base64.getMimeDecoder().decode(samlResponse);
        } catch (IllegalArgumentException e) {
            throw new SamlException("the SAMLResponse is not base64");
        }
        return receive(xml, requestId);
    }

    /** As {@link #receive(String, String)}, for the decoded XML. */
    public Answer receive(byte[] xml, String requestId) {
        Instant now = clock.instant();
        IdentityProvider p = idp.get();
        Element resp = SamlXml.parse(xml).getDocumentElement();
        if (!SamlXml.PROTOCOL.equals(resp.getNamespaceURI()) || !"Response".equals(resp.getLocalName())) {
            throw new SamlException("not a SAML 2.0 Response");
        }
        SamlXml.verify(resp, p.signing(), now);
        if (!p.entityId().equals(SamlXml.text(resp, SamlXml.ASSERTION, "Issuer"))) {
            throw new SamlException("the answer is not from " + p.entityId());
        }
        if (requestId == null || !requestId.equals(resp.getAttribute("InResponseTo"))) {
            throw new SamlException("the answer is to no login this browser started here (or it was used)");
        }
        if (!resp.getAttribute("Destination").isEmpty() && !acsUrl.equals(resp.getAttribute("Destination"))) {
            throw new SamlException("the answer is for " + resp.getAttribute("Destination"));
        }
        Element status = SamlXml.child(resp, SamlXml.PROTOCOL, "Status");
        Element code = status == null ? null : SamlXml.child(status, SamlXml.PROTOCOL, "StatusCode");
        if (code == null) {
            throw new SamlException("the answer has no status");
        }
        if (!SamlXml.SUCCESS.equals(code.getAttribute("Value"))) {
            Element inner = SamlXml.child(code, SamlXml.PROTOCOL, "StatusCode");
            return new Answer(inner == null ? code.getAttribute("Value") : inner.getAttribute("Value"),
                    SamlXml.text(status, SamlXml.PROTOCOL, "StatusMessage"), Map.of(), List.of(), null, null);
        }
        List<Element> encrypted = SamlXml.children(resp, SamlXml.ASSERTION, "EncryptedAssertion");
        List<Element> plain = SamlXml.children(resp, SamlXml.ASSERTION, "Assertion");
        if (encrypted.size() + plain.size() != 1) {
            throw new SamlException("a successful answer must hold exactly one assertion");
        }
        Element assertion = encrypted.isEmpty() ? plain.get(0) : SamlXml.decrypt(encrypted.get(0), key);
        SamlXml.verify(assertion, p.signing(), now);
        if (!p.entityId().equals(SamlXml.text(assertion, SamlXml.ASSERTION, "Issuer"))) {
            throw new SamlException("the assertion is not from " + p.entityId());
        }
        Instant notOnOrAfter = checkConditions(assertion, now);
        checkBearer(assertion, requestId, now);
        Map<String, List<String>> attributes = Messages.attributes(assertion);
        String bpp = Messages.first(attributes, Messages.PRIVILEGES);
        List<PrivilegeGroup> groups = bpp == null ? List.of() : PrivilegeProfile.decode(bpp);
        return new Answer(SamlXml.SUCCESS, null, attributes, groups, SamlXml.serialize(assertion), notOnOrAfter);
    }

    private Instant checkConditions(Element assertion, Instant now) {
        Element conditions = SamlXml.child(assertion, SamlXml.ASSERTION, "Conditions");
        if (conditions == null || conditions.getAttribute("NotOnOrAfter").isEmpty()) {
            throw new SamlException("the assertion has no time window");
        }
        Instant notOnOrAfter = Instant.parse(conditions.getAttribute("NotOnOrAfter"));
        if (!now.isBefore(notOnOrAfter.plus(clockSkew))) {
            throw new SamlException("the assertion has expired");
        }
        String notBefore = conditions.getAttribute("NotBefore");
        if (!notBefore.isEmpty() && Instant.parse(notBefore).isAfter(now.plus(clockSkew))) {
            throw new SamlException("the assertion is not valid yet");
        }
        boolean forUs = false;
        for (Element r : SamlXml.children(conditions, SamlXml.ASSERTION, "AudienceRestriction")) {
            for (Element a : SamlXml.children(r, SamlXml.ASSERTION, "Audience")) {
                forUs |= entityId.equals(a.getTextContent().strip());
            }
        }
        if (!forUs) {
            throw new SamlException("the assertion is not for " + entityId);
        }
        return notOnOrAfter;
    }

    private void checkBearer(Element assertion, String requestId, Instant now) {
        Element subject = SamlXml.child(assertion, SamlXml.ASSERTION, "Subject");
        Element confirmation = subject == null ? null : SamlXml.child(subject, SamlXml.ASSERTION, "SubjectConfirmation");
        Element data = confirmation == null ? null
                : SamlXml.child(confirmation, SamlXml.ASSERTION, "SubjectConfirmationData");
        if (data == null || !SamlXml.BEARER.equals(confirmation.getAttribute("Method"))) {
            throw new SamlException("the assertion has no bearer confirmation");
        }
        if (!acsUrl.equals(data.getAttribute("Recipient")) || !requestId.equals(data.getAttribute("InResponseTo"))) {
            throw new SamlException("the assertion's confirmation is for another recipient or request");
        }
        String until = data.getAttribute("NotOnOrAfter");
        if (!until.isEmpty() && !now.isBefore(Instant.parse(until).plus(clockSkew))) {
            throw new SamlException("the assertion's confirmation has expired");
        }
    }
}
