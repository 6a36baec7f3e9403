package dk.opensts.access.saml;

import dk.opensts.saml.SamlXml;
import dk.opensts.saml.RedirectBinding;
import dk.opensts.saml.Messages;
import dk.opensts.saml.SamlException;
import dk.opensts.saml.PrivilegeProfile;

import dk.opensts.access.roles.Assurance;
import dk.opensts.access.roles.UserPrivileges;
import dk.opensts.saml.PrivilegeGroup;
import dk.opensts.access.roles.UserSystems;
import dk.opensts.access.roles.UserSystems.UserSystem;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.securitylog.SecurityEvent;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The context handler (Adgangsstyring for brugere): a SAML 2.0 IdP for user-facing systems that
 * proxies each municipality's own IdP. It takes a registered system's signed AuthnRequest, sends the
 * user to her municipality's IdP naming the requester, checks that IdP's answer (signature, issuer,
 * audience, InResponseTo, time window, one-time use), finds the user in Organisation, and answers the
 * system with a signed (and, when the system has an encryption certificate, encrypted) OIOSAML 3
 * assertion carrying exactly the system roles the user holds there. Every refusal is answered with
 * a SAML status where the system is known, and written to the security log.
 */
public class ContextHandler {

    /** Where the controller sends the browser next. */
    public sealed interface Outcome permits Redirect, PostForm, ChooseMunicipality, ErrorPage {
    }

    public record Redirect(String url) implements Outcome {
    }

    /** An auto-submitted form (HTTP-POST binding). */
    public record PostForm(String action, Map<String, String> fields) implements Outcome {
    }

    /** The user picks her municipality (more than one IdP is configured). */
    public record ChooseMunicipality(String login, List<String> municipalities) implements Outcome {
    }

    /** The request cannot be answered to a system (unknown system or consumer URL): a page for the user. */
    public record ErrorPage(int status, String message) implements Outcome {
    }

    /** The context handler's own names, endpoints, key and time rules. */
    public record Settings(String baseUrl, String idpEntityId, String spEntityId, String ssoUrl, String acsUrl,
                           PrivateKey key, X509Certificate certificate, Duration clockSkew, Duration loginTimeout,
                           Duration assertionLifetime) {
    }

    private final java.util.function.Supplier<Settings> settings;
    private final UserSystems systems;
    private final MunicipalIdps idps;
    private final SamlState state;
    private final Organisations organisations;
    private final UserPrivileges privileges;
    private final SecurityLog securityLog;
    private final Clock clock;
    private final Timer requestHop;
    private final Timer answerHop;
    private final HopGate gate;
    private final io.micrometer.core.instrument.Counter busyHops;

    ContextHandler(java.util.function.Supplier<Settings> settings, UserSystems systems, MunicipalIdps idps, SamlState state,
                   Organisations organisations, UserPrivileges privileges, SecurityLog securityLog, Clock clock,
                   MeterRegistry meters, HopGate gate) {
        this.gate = gate;
        this.busyHops = io.micrometer.core.instrument.Counter.builder("opensts.saml.hop.busy")
                .description("hops refused because none was admitted within opensts.saml.hop-wait").register(meters);
        this.settings = settings;
        this.systems = systems;
        this.idps = idps;
        this.state = state;
        this.organisations = organisations;
        this.privileges = privileges;
        this.securityLog = securityLog;
        this.clock = clock;
        this.requestHop = Timer.builder("opensts.saml.hop").tag("hop", "authn-request").publishPercentiles(0.5, 0.99)
                .register(meters);
        this.answerHop = Timer.builder("opensts.saml.hop").tag("hop", "idp-response").publishPercentiles(0.5, 0.99)
                .register(meters);
    }

    /** Resolved once the server knows its port. */
    public Settings settings() {
        return settings.get();
    }

    public Document idpMetadata() {
        return Messages.idpMetadata(settings().idpEntityId(), settings().ssoUrl(), settings().certificate());
    }

    public Document spMetadata() {
        return Messages.spMetadata(settings().spEntityId(), settings().acsUrl(), settings().certificate());
    }

    // ------------------------------------------------------------------ hop 1: the system's AuthnRequest

    /**
     * An AuthnRequest from a system.
     *
     * @param redirect     the request as received over HTTP-Redirect, or {@code null}
     * @param postXml      the request as received over HTTP-POST (signed in the XML), or {@code null}
     * @param postRelay    RelayState of a POST
     * @param municipality the CVR the user chose or the system named, or {@code null}
     */
    public Outcome authnRequest(RedirectBinding.Received redirect, byte[] postXml, String postRelay, String municipality) {
        return requestHop.record(() -> gate.through(() -> handleRequest(redirect, postXml, postRelay, municipality),
                this::busy));
    }

    private Outcome handleRequest(RedirectBinding.Received redirect, byte[] postXml, String postRelay, String municipality) {
        Instant now = clock.instant();
        Element req;
        try {
            req = SamlXml.parse(redirect != null ? redirect.xml() : postXml).getDocumentElement();
        } catch (SamlException e) {
            return refusePage(null, e.getMessage());
        }
        if (!SamlXml.PROTOCOL.equals(req.getNamespaceURI()) || !"AuthnRequest".equals(req.getLocalName())) {
            return refusePage(null, "not an AuthnRequest");
        }
        String issuer;
        try {
            issuer = SamlXml.text(req, SamlXml.ASSERTION, "Issuer");
        } catch (SamlException e) {
            return refusePage(null, e.getMessage());
        }
        Optional<UserSystem> found = issuer == null ? Optional.empty() : systems.find(issuer);
        if (found.isEmpty()) {
            return refusePage(issuer, "unknown service provider " + issuer);
        }
        UserSystem sp = found.get();
        String acs;
        try {
            acs = consumerUrl(req, sp);
        } catch (SamlException e) {
            return refusePage(issuer, e.getMessage());
        }
        String requestId = req.getAttribute("ID");
        String relay = redirect != null ? redirect.relayState() : postRelay;
        try {
            List<X509Certificate> trusted = certificates(sp.signingCertificate());
            if (redirect != null) {
                redirect.verify(trusted, now);
            } else {
                SamlXml.verify(req, trusted, now);
            }
            if (!"2.0".equals(req.getAttribute("Version"))) {
                throw new SamlException(SamlException.REQUESTER, "urn:oasis:names:tc:SAML:2.0:status:VersionMismatch",
                        "SAML version 2.0 only");
            }
            checkTime(req.getAttribute("IssueInstant"), now, "IssueInstant");
            String destination = req.getAttribute("Destination");
            if (!destination.isEmpty() && !destination.equals(settings().ssoUrl())) {
                throw new SamlException("the request is for " + destination + ", not " + settings().ssoUrl());
            }
            if (requestId.isEmpty()) {
                throw new SamlException(SamlException.REQUESTER, SamlException.REQUEST_DENIED, "the request has no ID");
            }
            Assurance minimum = sp.minimumAssurance();
            Element ctx = SamlXml.child(req, SamlXml.PROTOCOL, "RequestedAuthnContext");
            if (ctx != null) {
                for (Element ref : SamlXml.children(ctx, SamlXml.ASSERTION, "AuthnContextClassRef")) {
                    Assurance asked = Assurance.parse(ref.getTextContent()).orElse(null);
                    if (asked != null && asked.atLeast(minimum)) {
                        minimum = asked;
                    }
                }
            }
            List<String> municipalities = idps.municipalities();
            if (municipalities.isEmpty()) {
                throw new SamlException(SamlException.RESPONDER, null, "no municipal IdP is configured");
            }
            String cvr = municipality != null ? municipality : municipalities.size() == 1 ? municipalities.get(0) : null;
            if (cvr != null && !municipalities.contains(cvr)) {
                throw new SamlException(SamlException.REQUESTER, SamlException.REQUEST_DENIED,
                        "municipality " + cvr + " has no IdP here");
            }
            String loginId = Messages.newId();
            // the request's ID is recorded as seen as the login starts: a request is answered once
            if (!state.start(new SamlState.Login(loginId, sp.entityId(), requestId, acs, relay, cvr, minimum.name(),
                            now.plus(settings().loginTimeout())), "req:" + sp.entityId() + ":" + requestId,
                    now.plus(settings().loginTimeout()).plus(settings().clockSkew()))) {
                throw new SamlException(SamlException.REQUESTER, SamlException.REQUEST_DENIED,
                        "the request " + requestId + " was used before (replay)");
            }
            if (cvr == null) {
                return new ChooseMunicipality(loginId, municipalities);
            }
            return toMunicipalIdp(loginId, sp.entityId(), cvr, minimum, now);
        } catch (SamlException e) {
            refused(sp.entityId(), null, null, e.getMessage());
            return errorToSystem(acs, requestId, relay, e);
        }
    }

    /** The user chose her municipality: on to its IdP. */
    public Outcome chosen(String loginId, String cvr) {
        Optional<SamlState.Login> login = state.find(loginId);
        if (login.isEmpty() || idps.find(cvr).isEmpty() || !state.choose(loginId, cvr)) {
            return refusePage(login.map(SamlState.Login::sp).orElse(null), "the login has expired or was decided; start again");
        }
        return toMunicipalIdp(loginId, login.get().sp(), cvr, Assurance.valueOf(login.get().minimumLoa()), clock.instant());
    }

    private Outcome toMunicipalIdp(String loginId, String requester, String cvr, Assurance minimum, Instant now) {
        MunicipalIdps.MunicipalIdp idp = idps.find(cvr).orElseThrow();
        Document authn = Messages.authnRequest(loginId, settings().spEntityId(), idp.ssoUrl(), settings().acsUrl(),
                minimum.contextClass(), requester, now);
        return new Redirect(RedirectBinding.encode(idp.ssoUrl(), "SAMLRequest", SamlXml.serialize(authn), null,
                settings().key()));
    }

    private static String consumerUrl(Element req, UserSystem sp) {
        String binding = req.getAttribute("ProtocolBinding");
        if (!binding.isEmpty() && !SamlXml.BINDING_POST.equals(binding)) {
            throw new SamlException("answers go by HTTP-POST only, not " + binding);
        }
        String url = req.getAttribute("AssertionConsumerServiceURL");
        String index = req.getAttribute("AssertionConsumerServiceIndex");
        if (!url.isEmpty()) {
            if (!sp.assertionConsumerUrls().contains(url)) {
                throw new SamlException("the assertion consumer URL " + url + " is not registered for " + sp.entityId());
            }
            return url;
        }
        if (!index.isEmpty()) {
            try {
                return sp.assertionConsumerUrls().get(Integer.parseInt(index));
            } catch (RuntimeException e) {
                throw new SamlException("no assertion consumer URL with index " + index);
            }
        }
        return sp.assertionConsumerUrls().get(0);
    }

    // ------------------------------------------------------------------ hop 2: the municipal IdP's Response

    /** The municipal IdP's Response (HTTP-POST to our assertion consumer URL). */
    public Outcome idpResponse(byte[] xml) {
        return answerHop.record(() -> gate.through(() -> handleResponse(xml), this::busy));
    }

    /** The number of hops admitted at once ({@code opensts.saml.concurrent-hops}), or 0 for no limit. */
    public int concurrentHops() {
        return gate.limit();
    }

    /** A hop not admitted within the wait: the user is asked to try again; nothing was read or taken. */
    private Outcome busy() {
        busyHops.increment();
        return new ErrorPage(503, "the context handler is busy; please try again in a moment");
    }

    private Outcome handleResponse(byte[] xml) {
        Instant now = clock.instant();
        Element resp;
        try {
            resp = SamlXml.parse(xml).getDocumentElement();
            if (!SamlXml.PROTOCOL.equals(resp.getNamespaceURI()) || !"Response".equals(resp.getLocalName())) {
                throw new SamlException("not a Response");
            }
        } catch (SamlException e) {
            return refusePage(null, e.getMessage());
        }
        String inResponseTo = resp.getAttribute("InResponseTo");
        // read here, taken once the answer is verified (SamlState.complete) or refused
        Optional<SamlState.Login> found = inResponseTo.isEmpty() ? Optional.empty() : state.find(inResponseTo);
        if (found.isEmpty()) {
            return refusePage(null, "the answer is to no login under way (unknown, used before or expired): "
                    + (inResponseTo.isEmpty() ? "no InResponseTo" : inResponseTo));
        }
        SamlState.Login login = found.get();
        UserSystem sp = systems.find(login.sp()).orElse(null);
        if (sp == null) {
            state.take(login.id());
            return refusePage(login.sp(), "the service provider " + login.sp() + " is no longer registered");
        }
        String userId = null;
        try {
            MunicipalIdps.MunicipalIdp idp = idps.find(login.cvr()).orElseThrow(() ->
                    new SamlException(SamlException.RESPONDER, null, "municipality " + login.cvr() + " has no IdP"));
            Element assertion = verifiedAssertion(resp, idp, login, now);
            SamlState.Completion completion = state.complete(login.id(), "assertion:" + idp.entityId() + ":"
                    + assertion.getAttribute("ID"), parse(SamlXml.child(assertion, SamlXml.ASSERTION, "Conditions")
                    .getAttribute("NotOnOrAfter")).plus(settings().clockSkew()));
            if (completion == SamlState.Completion.GONE) {
                return refusePage(sp.entityId(), "the answer is to no login under way (used before or expired): "
                        + inResponseTo);
            }
            if (completion == SamlState.Completion.REPLAY) {
                throw new SamlException(SamlException.REQUESTER, SamlException.REQUEST_DENIED,
                        "the assertion " + assertion.getAttribute("ID") + " was used before (replay)");
            }
            Map<String, List<String>> attrs = Messages.attributes(assertion);
            String nameId = nameId(assertion);
            Assurance loa = assurance(assertion, attrs);
            Assurance minimum = Assurance.valueOf(login.minimumLoa());
            if (!loa.atLeast(minimum)) {
                throw new SamlException(SamlException.RESPONDER, SamlException.NO_AUTHN_CONTEXT,
                        "assurance " + loa.value() + " is below the " + minimum.value() + " the system requires");
            }
            String cvr = Messages.first(attrs, Messages.CVR);
            if (!login.cvr().equals(cvr)) {
                throw new SamlException(SamlException.RESPONDER, SamlException.REQUEST_DENIED,
                        "the IdP of " + login.cvr() + " asserted a user of " + cvr);
            }
            String uuidText = Optional.ofNullable(Messages.first(attrs, Messages.PERSISTENT_UUID)).orElse(nameId);
            userId = uuidText;
            UUID uuid = Messages.uuid(uuidText);
            Organisations.User user = organisations.findUser(cvr, uuid).orElseThrow(() ->
                    new SamlException(SamlException.RESPONDER, SamlException.UNKNOWN_PRINCIPAL,
                            "user " + uuidText + " is not in the organisation of " + cvr));
            List<String> fromIdp = new ArrayList<>();
            String bpp = Messages.first(attrs, Messages.PRIVILEGES);
            if (bpp != null) {
                for (PrivilegeGroup g : PrivilegeProfile.decode(bpp)) {
                    if (cvr.equals(g.cvr())) {
                        fromIdp.add(g.privilege());
                    }
                }
            }
            UserPrivileges.Result result = privileges.compute(cvr, user, fromIdp, sp);
            if (result.groups().isEmpty() && sp.withoutPrivileges() == UserSystems.WithoutPrivileges.REFUSE) {
                throw new SamlException(SamlException.RESPONDER, SamlException.REQUEST_DENIED,
                        "the user holds no role of " + sp.entityId());
            }
            String email = user.email() != null ? user.email() : Messages.first(attrs, Messages.EMAIL);
            String name = user.name() != null ? user.name() : Messages.first(attrs, Messages.FULL_NAME);
            Messages.Subject subject = new Messages.Subject(nameId(uuid), loa.contextClass(),
                    Messages.oiosaml3(loa.value(), cvr, uuid.toString(), email, name,
                            result.groups().isEmpty() ? null : PrivilegeProfile.encode(result.groups())));
            PostForm answer = answer(sp, login, subject, now);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("system", sp.entityId());
            details.put("user", uuid.toString());
            details.put("assurance", loa.value());
            details.put("jobRoles", List.copyOf(result.jobRoles()));
            details.put("systemRoles", result.groups().stream().map(PrivilegeGroup::privilege).distinct().toList());
            securityLog.record(SecurityEventType.LOGIN, SecurityEvent.OK, new SecurityLog.Subject(uuid.toString(), sp.entityId(), cvr),
                    details);
            return answer;
        } catch (SamlException e) {
            // a refused answer ends its login too: the login is answered once
            state.take(login.id());
            refused(sp.entityId(), userId, login.cvr(), e.getMessage());
            return errorToSystem(login.acsUrl(), login.requestId(), login.relayState(), e);
        }
    }

    /**
     * The one assertion of the Response, verified: the Response's signature when it has one, the
     * assertion's always (decrypted first when encrypted), issuer, destination, subject confirmation,
     * conditions and audience. That its ID was not seen before is checked as the login is taken
     * ({@link SamlState#complete}).
     */
    private Element verifiedAssertion(Element resp, MunicipalIdps.MunicipalIdp idp, SamlState.Login login, Instant now) {
        String responseIssuer = SamlXml.text(resp, SamlXml.ASSERTION, "Issuer");
        if (responseIssuer != null && !responseIssuer.equals(idp.entityId())) {
            throw new SamlException("the answer is from " + responseIssuer + ", not the IdP of " + login.cvr());
        }
        if (SamlXml.isSigned(resp)) {
            SamlXml.verify(resp, idp.signing(), now);
        }
        String destination = resp.getAttribute("Destination");
        if (!destination.isEmpty() && !destination.equals(settings().acsUrl())) {
            throw new SamlException("the answer is for " + destination);
        }
        Element status = SamlXml.child(resp, SamlXml.PROTOCOL, "Status");
        Element code = status == null ? null : SamlXml.child(status, SamlXml.PROTOCOL, "StatusCode");
        if (code == null || !SamlXml.SUCCESS.equals(code.getAttribute("Value"))) {
            Element inner = code == null ? null : SamlXml.child(code, SamlXml.PROTOCOL, "StatusCode");
            throw new SamlException(SamlException.RESPONDER, SamlException.AUTHN_FAILED, "the municipal IdP refused: "
                    + (code == null ? "no status" : code.getAttribute("Value"))
                    + (inner == null ? "" : " / " + inner.getAttribute("Value")));
        }
        List<Element> plain = SamlXml.children(resp, SamlXml.ASSERTION, "Assertion");
        List<Element> encrypted = SamlXml.children(resp, SamlXml.ASSERTION, "EncryptedAssertion");
        if (plain.size() + encrypted.size() != 1) {
            throw new SamlException("the answer must hold exactly one assertion");
        }
        Element assertion = plain.isEmpty() ? SamlXml.decrypt(encrypted.get(0), settings().key()) : plain.get(0);
        if (resp.getOwnerDocument().getElementsByTagNameNS(SamlXml.ASSERTION, "Assertion").getLength() != 1) {
            throw new SamlException("the answer holds more than one assertion");
        }
        SamlXml.verify(assertion, idp.signing(), now);
        if (!idp.entityId().equals(SamlXml.text(assertion, SamlXml.ASSERTION, "Issuer"))) {
            throw new SamlException("the assertion is not issued by " + idp.entityId());
        }
        Element subject = SamlXml.child(assertion, SamlXml.ASSERTION, "Subject");
        if (subject == null) {
            throw new SamlException("the assertion has no subject");
        }
        boolean confirmed = false;
        for (Element conf : SamlXml.children(subject, SamlXml.ASSERTION, "SubjectConfirmation")) {
            Element data = SamlXml.child(conf, SamlXml.ASSERTION, "SubjectConfirmationData");
            if (!SamlXml.BEARER.equals(conf.getAttribute("Method")) || data == null) {
                continue;
            }
            if (!settings().acsUrl().equals(data.getAttribute("Recipient"))) {
                throw new SamlException("the assertion is for recipient " + data.getAttribute("Recipient"));
            }
            if (!login.id().equals(data.getAttribute("InResponseTo"))) {
                throw new SamlException("the assertion answers another request");
            }
            if (!before(now, data.getAttribute("NotOnOrAfter"))) {
                throw new SamlException("the assertion's subject confirmation has expired");
            }
            confirmed = true;
        }
        if (!confirmed) {
            throw new SamlException("the assertion has no bearer subject confirmation");
        }
        Element conditions = SamlXml.child(assertion, SamlXml.ASSERTION, "Conditions");
        if (conditions == null) {
            throw new SamlException("the assertion has no conditions");
        }
        String notBefore = conditions.getAttribute("NotBefore");
        if (!notBefore.isEmpty() && parse(notBefore).isAfter(now.plus(settings().clockSkew()))) {
            throw new SamlException("the assertion is not valid yet");
        }
        String notOnOrAfter = conditions.getAttribute("NotOnOrAfter");
        if (notOnOrAfter.isEmpty() || !before(now, notOnOrAfter)) {
            throw new SamlException("the assertion has expired");
        }
        boolean forUs = false;
        for (Element r : SamlXml.children(conditions, SamlXml.ASSERTION, "AudienceRestriction")) {
            forUs = false;
            for (Element a : SamlXml.children(r, SamlXml.ASSERTION, "Audience")) {
                forUs |= settings().spEntityId().equals(a.getTextContent().strip());
            }
            if (!forUs) {
                break;
            }
        }
        if (!forUs) {
            throw new SamlException("the assertion is not for audience " + settings().spEntityId());
        }
        return assertion;
    }

    private PostForm answer(UserSystem sp, SamlState.Login login, Messages.Subject subject, Instant now) {
        Document doc = Messages.response(settings().idpEntityId(), login.acsUrl(), login.requestId(), sp.entityId(), subject,
                now, settings().assertionLifetime().toSeconds());
        Element resp = doc.getDocumentElement();
        Element assertion = SamlXml.child(resp, SamlXml.ASSERTION, "Assertion");
        SamlXml.sign(assertion, settings().key(), settings().certificate());
        if (sp.encryptionCertificate() != null && !sp.encryptionCertificate().isBlank()) {
            SamlXml.encrypt(assertion, certificates(sp.encryptionCertificate()).get(0));
        }
        SamlXml.sign(resp, settings().key(), settings().certificate());
        return form(login.acsUrl(), "SAMLResponse", SamlXml.serialize(doc), login.relayState());
    }

    private Outcome errorToSystem(String acs, String requestId, String relay, SamlException e) {
        Document doc = Messages.errorResponse(settings().idpEntityId(), acs, requestId.isEmpty() ? null : requestId,
                e.topStatus(), e.subStatus(), e.getMessage(), clock.instant());
        SamlXml.sign(doc.getDocumentElement(), settings().key(), settings().certificate());
        return form(acs, "SAMLResponse", SamlXml.serialize(doc), relay);
    }

    static PostForm form(String action, String parameter, byte[] xml, String relay) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(parameter, Base64.getEncoder().encodeToString(xml));
        if (relay != null) {
            fields.put("RelayState", relay);
        }
        return new PostForm(action, fields);
    }

    private Outcome refusePage(String system, String reason) {
        refused(system, null, null, reason);
        return new ErrorPage(400, reason);
    }

    private void refused(String system, String user, String cvr, String reason) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (system != null) {
            details.put("system", system);
        }
        securityLog.denied(SecurityEventType.LOGIN_REFUSED,
                new SecurityLog.Subject(user == null ? "anonymous" : user, system, cvr), reason, details);
    }

    // ------------------------------------------------------------------ reading

    private static String nameId(Element assertion) {
        Element subject = SamlXml.child(assertion, SamlXml.ASSERTION, "Subject");
        String id = SamlXml.text(subject, SamlXml.ASSERTION, "NameID");
        if (id == null || id.isEmpty()) {
            throw new SamlException("the assertion names no subject");
        }
        return id;
    }

    private static Assurance assurance(Element assertion, Map<String, List<String>> attrs) {
        String value = Messages.first(attrs, Messages.LOA);
        if (value == null) {
            Element statement = SamlXml.child(assertion, SamlXml.ASSERTION, "AuthnStatement");
            Element ctx = statement == null ? null : SamlXml.child(statement, SamlXml.ASSERTION, "AuthnContext");
            value = ctx == null ? null : SamlXml.text(ctx, SamlXml.ASSERTION, "AuthnContextClassRef");
        }
        return Assurance.parse(value).orElseThrow(() -> new SamlException(SamlException.RESPONDER,
                SamlException.NO_AUTHN_CONTEXT, "the assertion states no NSIS assurance level"));
    }

    private static String nameId(UUID uuid) {
        return "https://data.gov.dk/model/core/eid/professional/uuid/" + uuid;
    }

    private void checkTime(String issueInstant, Instant now, String what) {
        if (issueInstant.isEmpty()) {
            throw new SamlException("no " + what);
        }
        Instant t = parse(issueInstant);
        if (t.isAfter(now.plus(settings().clockSkew())) || t.isBefore(now.minus(settings().loginTimeout()).minus(settings().clockSkew()))) {
            throw new SamlException(what + " " + issueInstant + " lies outside the accepted window");
        }
    }

    /** Whether {@code now} lies before {@code notOnOrAfter} plus the clock skew. */
    private boolean before(Instant now, String notOnOrAfter) {
        return !notOnOrAfter.isEmpty() && now.isBefore(parse(notOnOrAfter).plus(settings().clockSkew()));
    }

    private static Instant parse(String time) {
        try {
            return Instant.parse(time);
        } catch (DateTimeParseException e) {
            throw new SamlException("not a time: " + time);
        }
    }

    private static List<X509Certificate> certificates(String pem) {
        try {
            return SamlXml.certificates(pem);
        } catch (CertificateException e) {
            throw new SamlException(SamlException.RESPONDER, null, "a stored certificate is unreadable");
        }
    }
}
