package dk.opensts.saml;

import dk.opensts.platform.web.Uuids;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.security.SecureRandom;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** Builds the SAML messages and metadata the context handler and the test IdP send. */
public final class Messages {

    public static final String ATTR_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
    public static final String SPEC_VERSION = "https://data.gov.dk/model/core/specVersion";
    public static final String LOA = "https://data.gov.dk/concept/core/nsis/loa";
    public static final String CVR = "https://data.gov.dk/model/core/eid/professional/cvr";
    public static final String PERSISTENT_UUID = "https://data.gov.dk/model/core/eid/professional/uuid/persistent";
    public static final String EMAIL = "https://data.gov.dk/model/core/eid/email";
    public static final String FULL_NAME = "https://data.gov.dk/model/core/eid/fullName";
    public static final String PRIVILEGES = "https://data.gov.dk/model/core/eid/privilegesIntermediate";
    public static final String OIOSAML3 = "OIO-SAML-3.0";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Messages() {
    }

    /** A fresh message ID (an NCName: starts with a letter). */
    public static String newId() {
        byte[] b = new byte[20];
        RANDOM.nextBytes(b);
        return "_" + HexFormat.of().formatHex(b);
    }

    /**
     * The document with its namespace declarations as attributes, as a parser would give it: canonical
     * XML reads those, so a document built in memory is signed only after this.
     */
    static Document normalized(Document doc) {
        SamlXml.declareNamespaces(doc.getDocumentElement());
        return doc;
    }

    static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static Element el(Document doc, String ns, String qname, String text) {
        Element e = doc.createElementNS(ns, qname);
        if (text != null) {
            e.setTextContent(text);
        }
        return e;
    }

    /** An AuthnRequest for the HTTP-Redirect binding (signed over the query, not in the XML). */
    public static Document authnRequest(String id, String issuer, String destination, String acsUrl, String minimumLoa,
                                        String requester, Instant now) {
        Document doc = SamlXml.newDocument();
        Element r = el(doc, SamlXml.PROTOCOL, "samlp:AuthnRequest", null);
        r.setAttributeNS("http://www.w3.org/2000/xmlns/", "xmlns:saml", SamlXml.ASSERTION);
        r.setAttribute("ID", id);
        r.setAttribute("Version", "2.0");
        r.setAttribute("IssueInstant", time(now));
        r.setAttribute("Destination", destination);
        r.setAttribute("AssertionConsumerServiceURL", acsUrl);
        r.setAttribute("ProtocolBinding", SamlXml.BINDING_POST);
        doc.appendChild(r);
        r.appendChild(el(doc, SamlXml.ASSERTION, "saml:Issuer", issuer));
        Element policy = el(doc, SamlXml.PROTOCOL, "samlp:NameIDPolicy", null);
        policy.setAttribute("Format", SamlXml.PERSISTENT);
        policy.setAttribute("AllowCreate", "true");
        r.appendChild(policy);
        if (minimumLoa != null) {
            Element ctx = el(doc, SamlXml.PROTOCOL, "samlp:RequestedAuthnContext", null);
            ctx.setAttribute("Comparison", "minimum");
            ctx.appendChild(el(doc, SamlXml.ASSERTION, "saml:AuthnContextClassRef", minimumLoa));
            r.appendChild(ctx);
        }
        if (requester != null) {
            Element scoping = el(doc, SamlXml.PROTOCOL, "samlp:Scoping", null);
            scoping.appendChild(el(doc, SamlXml.PROTOCOL, "samlp:RequesterID", requester));
            r.appendChild(scoping);
        }
        return normalized(doc);
    }

    /** What an assertion says about the user. */
    public record Subject(String nameId, String loa, Map<String, List<String>> attributes) {
    }

    /** A Response with Success and an assertion (not yet signed). */
    public static Document response(String issuer, String destination, String inResponseTo, String audience,
                                     Subject subject, Instant now, long validSeconds) {
        Document doc = SamlXml.newDocument();
        Element resp = responseElement(doc, issuer, destination, inResponseTo, now);
        Element status = el(doc, SamlXml.PROTOCOL, "samlp:Status", null);
        Element code = el(doc, SamlXml.PROTOCOL, "samlp:StatusCode", null);
        code.setAttribute("Value", SamlXml.SUCCESS);
        status.appendChild(code);
        resp.appendChild(status);

        Element a = el(doc, SamlXml.ASSERTION, "saml:Assertion", null);
        a.setAttribute("ID", newId());
        a.setAttribute("Version", "2.0");
        a.setAttribute("IssueInstant", time(now));
        a.appendChild(el(doc, SamlXml.ASSERTION, "saml:Issuer", issuer));
        Element subj = el(doc, SamlXml.ASSERTION, "saml:Subject", null);
        Element nameId = el(doc, SamlXml.ASSERTION, "saml:NameID", subject.nameId());
        nameId.setAttribute("Format", SamlXml.PERSISTENT);
        subj.appendChild(nameId);
        Element conf = el(doc, SamlXml.ASSERTION, "saml:SubjectConfirmation", null);
        conf.setAttribute("Method", SamlXml.BEARER);
        Element data = el(doc, SamlXml.ASSERTION, "saml:SubjectConfirmationData", null);
        data.setAttribute("NotOnOrAfter", time(now.plusSeconds(validSeconds)));
        data.setAttribute("Recipient", destination);
        data.setAttribute("InResponseTo", inResponseTo);
        conf.appendChild(data);
        subj.appendChild(conf);
        a.appendChild(subj);
        Element cond = el(doc, SamlXml.ASSERTION, "saml:Conditions", null);
        cond.setAttribute("NotBefore", time(now.minusSeconds(5)));
        cond.setAttribute("NotOnOrAfter", time(now.plusSeconds(validSeconds)));
        Element restriction = el(doc, SamlXml.ASSERTION, "saml:AudienceRestriction", null);
        restriction.appendChild(el(doc, SamlXml.ASSERTION, "saml:Audience", audience));
        cond.appendChild(restriction);
        a.appendChild(cond);
        Element authn = el(doc, SamlXml.ASSERTION, "saml:AuthnStatement", null);
        authn.setAttribute("AuthnInstant", time(now));
        authn.setAttribute("SessionIndex", newId());
        Element ctx = el(doc, SamlXml.ASSERTION, "saml:AuthnContext", null);
        ctx.appendChild(el(doc, SamlXml.ASSERTION, "saml:AuthnContextClassRef", subject.loa()));
        authn.appendChild(ctx);
        a.appendChild(authn);
        Element attrs = el(doc, SamlXml.ASSERTION, "saml:AttributeStatement", null);
        for (Map.Entry<String, List<String>> e : subject.attributes().entrySet()) {
            Element attr = el(doc, SamlXml.ASSERTION, "saml:Attribute", null);
            attr.setAttribute("Name", e.getKey());
            attr.setAttribute("NameFormat", ATTR_URI);
            for (String v : e.getValue()) {
                attr.appendChild(el(doc, SamlXml.ASSERTION, "saml:AttributeValue", v));
            }
            attrs.appendChild(attr);
        }
        a.appendChild(attrs);
        resp.appendChild(a);
        return normalized(doc);
    }

    /** A Response refusing the request with a status (and a message for the service provider). */
    public static Document errorResponse(String issuer, String destination, String inResponseTo, String top,
                                         String second, String message, Instant now) {
        Document doc = SamlXml.newDocument();
        Element resp = responseElement(doc, issuer, destination, inResponseTo, now);
        Element status = el(doc, SamlXml.PROTOCOL, "samlp:Status", null);
        Element code = el(doc, SamlXml.PROTOCOL, "samlp:StatusCode", null);
        code.setAttribute("Value", top);
        if (second != null) {
            Element inner = el(doc, SamlXml.PROTOCOL, "samlp:StatusCode", null);
            inner.setAttribute("Value", second);
            code.appendChild(inner);
        }
        status.appendChild(code);
        status.appendChild(el(doc, SamlXml.PROTOCOL, "samlp:StatusMessage", message));
        resp.appendChild(status);
        return normalized(doc);
    }

    private static Element responseElement(Document doc, String issuer, String destination, String inResponseTo,
                                           Instant now) {
        Element resp = el(doc, SamlXml.PROTOCOL, "samlp:Response", null);
        resp.setAttributeNS("http://www.w3.org/2000/xmlns/", "xmlns:saml", SamlXml.ASSERTION);
        resp.setAttribute("ID", newId());
        resp.setAttribute("Version", "2.0");
        resp.setAttribute("IssueInstant", time(now));
        resp.setAttribute("Destination", destination);
        if (inResponseTo != null) {
            resp.setAttribute("InResponseTo", inResponseTo);
        }
        doc.appendChild(resp);
        resp.appendChild(el(doc, SamlXml.ASSERTION, "saml:Issuer", issuer));
        return resp;
    }

    /** The OIOSAML 3 attributes of a user. */
    public static Map<String, List<String>> oiosaml3(String loaValue, String cvr, String uuid, String email, String name,
                                                     String privileges) {
        Map<String, List<String>> a = new LinkedHashMap<>();
        a.put(SPEC_VERSION, List.of(OIOSAML3));
        a.put(LOA, List.of(loaValue));
        a.put(CVR, List.of(cvr));
        a.put(PERSISTENT_UUID, List.of("urn:uuid:" + uuid));
        if (email != null) {
            a.put(EMAIL, List.of(email));
        }
        if (name != null) {
            a.put(FULL_NAME, List.of(name));
        }
        if (privileges != null) {
            a.put(PRIVILEGES, List.of(privileges));
        }
        return a;
    }

    // ------------------------------------------------------------------ metadata

    /** IdP metadata: single sign-on over both bindings, the signing certificate. */
    public static Document idpMetadata(String entityId, String ssoUrl, X509Certificate signing) {
        Document doc = SamlXml.newDocument();
        Element ed = entity(doc, entityId);
        Element idp = el(doc, SamlXml.METADATA, "md:IDPSSODescriptor", null);
        idp.setAttribute("WantAuthnRequestsSigned", "true");
        idp.setAttribute("protocolSupportEnumeration", SamlXml.PROTOCOL);
        idp.appendChild(keyDescriptor(doc, "signing", signing));
        idp.appendChild(el(doc, SamlXml.METADATA, "md:NameIDFormat", SamlXml.PERSISTENT));
        for (String binding : List.of(SamlXml.BINDING_REDIRECT, SamlXml.BINDING_POST)) {
            Element sso = el(doc, SamlXml.METADATA, "md:SingleSignOnService", null);
            sso.setAttribute("Binding", binding);
            sso.setAttribute("Location", ssoUrl);
            idp.appendChild(sso);
        }
        ed.appendChild(idp);
        return doc;
    }

    /** SP metadata: signed requests, signed assertions wanted, the consumer URL, signing and encryption keys. */
    public static Document spMetadata(String entityId, String acsUrl, X509Certificate certificate) {
        Document doc = SamlXml.newDocument();
        Element ed = entity(doc, entityId);
        Element sp = el(doc, SamlXml.METADATA, "md:SPSSODescriptor", null);
        sp.setAttribute("AuthnRequestsSigned", "true");
        sp.setAttribute("WantAssertionsSigned", "true");
        sp.setAttribute("protocolSupportEnumeration", SamlXml.PROTOCOL);
        sp.appendChild(keyDescriptor(doc, "signing", certificate));
        sp.appendChild(keyDescriptor(doc, "encryption", certificate));
        sp.appendChild(el(doc, SamlXml.METADATA, "md:NameIDFormat", SamlXml.PERSISTENT));
        Element acs = el(doc, SamlXml.METADATA, "md:AssertionConsumerService", null);
        acs.setAttribute("Binding", SamlXml.BINDING_POST);
        acs.setAttribute("Location", acsUrl);
        acs.setAttribute("index", "0");
        acs.setAttribute("isDefault", "true");
        sp.appendChild(acs);
        ed.appendChild(sp);
        return doc;
    }

    private static Element entity(Document doc, String entityId) {
        Element ed = el(doc, SamlXml.METADATA, "md:EntityDescriptor", null);
        ed.setAttributeNS("http://www.w3.org/2000/xmlns/", "xmlns:ds", SamlXml.DSIG);
        ed.setAttribute("entityID", entityId);
        doc.appendChild(ed);
        return ed;
    }

    private static Element keyDescriptor(Document doc, String use, X509Certificate cert) {
        Element kd = el(doc, SamlXml.METADATA, "md:KeyDescriptor", null);
        kd.setAttribute("use", use);
        Element ki = el(doc, SamlXml.DSIG, "ds:KeyInfo", null);
        Element data = el(doc, SamlXml.DSIG, "ds:X509Data", null);
        try {
            data.appendChild(el(doc, SamlXml.DSIG, "ds:X509Certificate",
                    Base64.getEncoder().encodeToString(cert.getEncoded())));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        ki.appendChild(data);
        kd.appendChild(ki);
        return kd;
    }

    /** What IdP metadata says: entity id, the Redirect single sign-on URL and the signing certificates (base64 DER). */
    public record IdpDescriptor(String entityId, String ssoUrl, List<String> signingCertificates) {
    }

    public static IdpDescriptor readIdpMetadata(byte[] xml) {
        Element ed = SamlXml.parse(xml).getDocumentElement();
        if (!SamlXml.METADATA.equals(ed.getNamespaceURI()) || !"EntityDescriptor".equals(ed.getLocalName())) {
            throw new SamlException("not an md:EntityDescriptor");
        }
        Element idp = SamlXml.child(ed, SamlXml.METADATA, "IDPSSODescriptor");
        if (idp == null) {
            throw new SamlException("the metadata has no IDPSSODescriptor");
        }
        String sso = null;
        for (Element s : SamlXml.children(idp, SamlXml.METADATA, "SingleSignOnService")) {
            if (SamlXml.BINDING_REDIRECT.equals(s.getAttribute("Binding"))) {
                sso = s.getAttribute("Location");
                break;
            }
        }
        if (sso == null || sso.isBlank()) {
            throw new SamlException("the IdP offers no HTTP-Redirect single sign-on");
        }
        List<String> certs = new ArrayList<>();
        for (Element kd : SamlXml.children(idp, SamlXml.METADATA, "KeyDescriptor")) {
            String use = kd.getAttribute("use");
            if (!use.isEmpty() && !"signing".equals(use)) {
                continue;
            }
            org.w3c.dom.NodeList found = kd.getElementsByTagNameNS(SamlXml.DSIG, "X509Certificate");
            for (int i = 0; i < found.getLength(); i++) {
                certs.add(found.item(i).getTextContent().replaceAll("\\s", ""));
            }
        }
        if (certs.isEmpty()) {
            throw new SamlException("the metadata has no signing certificate");
        }
        String entityId = ed.getAttribute("entityID");
        if (entityId.isBlank()) {
            throw new SamlException("the metadata has no entityID");
        }
        return new IdpDescriptor(entityId, sso, certs);
    }

    // ------------------------------------------------------------------ reading an assertion

    /** The assertion's attributes by name, each with its values in order. */
    public static Map<String, List<String>> attributes(Element assertion) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Element statement : SamlXml.children(assertion, SamlXml.ASSERTION, "AttributeStatement")) {
            for (Element attr : SamlXml.children(statement, SamlXml.ASSERTION, "Attribute")) {
                List<String> values = out.computeIfAbsent(attr.getAttribute("Name"), k -> new ArrayList<>());
                for (Element v : SamlXml.children(attr, SamlXml.ASSERTION, "AttributeValue")) {
                    values.add(v.getTextContent().strip());
                }
            }
        }
        return out;
    }

    /** The first value of an attribute, or {@code null}. */
    public static String first(Map<String, List<String>> attrs, String name) {
        List<String> v = attrs.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** A user id as OIOSAML 3 writes it ({@code urn:uuid:}, the persistent-id URL, or plain). */
    public static UUID uuid(String text) {
        String t = text.strip();
        for (String prefix : List.of("urn:uuid:", "https://data.gov.dk/model/core/eid/professional/uuid/")) {
            if (t.startsWith(prefix)) {
                t = t.substring(prefix.length());
            }
        }
        try {
            return Uuids.parse(t);
        } catch (IllegalArgumentException e) {
            throw new SamlException(SamlException.RESPONDER, SamlException.UNKNOWN_PRINCIPAL,
                    "the user id " + text + " is not a UUID");
        }
    }
}
