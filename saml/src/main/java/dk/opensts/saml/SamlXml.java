package dk.opensts.saml;

import java.io.ByteArrayInputStream;
import java.security.PrivateKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.xml.parsers.DocumentBuilder;
import org.apache.xml.security.c14n.Canonicalizer;
import org.apache.xml.security.encryption.EncryptedData;
import org.apache.xml.security.encryption.EncryptedKey;
import org.apache.xml.security.encryption.XMLCipher;
import org.apache.xml.security.keys.KeyInfo;
import org.apache.xml.security.signature.Reference;
import org.apache.xml.security.signature.SignedInfo;
import org.apache.xml.security.signature.XMLSignature;
import org.apache.xml.security.signature.XMLSignatureInput;
import org.apache.xml.security.transforms.Transforms;
import org.apache.xml.security.utils.Constants;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * XML for SAML on Apache Santuario: parsing with no DTDs or external entities, enveloped
 * signatures (RSA-SHA256, exclusive canonicalisation) made and checked, and assertions encrypted
 * (AES-256-GCM, the key transported with RSA-OAEP). Verification reads only what was signed: the
 * signature must be a direct child of the element, reference exactly that element by its ID, the ID
 * must be unique in the document, and only the expected transforms and SHA-256 or stronger are accepted,
 * so a moved or added element (signature wrapping) is refused.
 */
public final class SamlXml {

    public static final String PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
    public static final String ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";
    public static final String METADATA = "urn:oasis:names:tc:SAML:2.0:metadata";
    public static final String DSIG = Constants.SignatureSpecNS;
    public static final String XMLENC = "http://www.w3.org/2001/04/xmlenc#";
    public static final String BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
    public static final String BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
    public static final String SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
    public static final String PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
    public static final String BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
    public static final String RSA_SHA256 = XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256;

    private static final Set<String> SIGNATURE_METHODS = Set.of(XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256,
            XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA384, XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA512,
            XMLSignature.ALGO_ID_SIGNATURE_ECDSA_SHA256, XMLSignature.ALGO_ID_SIGNATURE_ECDSA_SHA384,
            XMLSignature.ALGO_ID_SIGNATURE_ECDSA_SHA512);
    private static final Set<String> DIGESTS = Set.of("http://www.w3.org/2001/04/xmlenc#sha256",
            "http://www.w3.org/2001/04/xmldsig-more#sha384", "http://www.w3.org/2001/04/xmlenc#sha512");
    private static final Set<String> TRANSFORMS = Set.of(Transforms.TRANSFORM_ENVELOPED_SIGNATURE,
            Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS);

    static {
        org.apache.xml.security.Init.init();
    }

    private SamlXml() {
    }

    // ------------------------------------------------------------------ parsing


    /** Parses XML; a DTD, an entity or malformed XML is refused. */
    public static Document parse(byte[] xml) {
        try {
            DocumentBuilder b = dk.opensts.platform.security.SecureXml.builder();
            b.reset();
            b.setErrorHandler(null);
            return b.parse(new ByteArrayInputStream(xml));
        } catch (Exception e) {
            throw new SamlException("not well-formed XML without a DTD: " + e.getMessage());
        }
    }

    public static Document newDocument() {
        DocumentBuilder b = dk.opensts.platform.security.SecureXml.builder();
        b.reset();
        return b.newDocument();
    }

    public static byte[] serialize(Node node) {
        return dk.opensts.platform.security.SecureXml.serialize(node, true);
    }

    /** Certificates of PEM texts that are read again and again (stored keys of systems and IdPs), parsed once. */
    private static final java.util.Map<String, List<X509Certificate>> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    public static List<X509Certificate> certificates(String pem) throws java.security.cert.CertificateException {
        List<X509Certificate> known = PARSED.get(pem);
        if (known != null) {
            return known;
        }
        List<X509Certificate> parsed = List.copyOf(dk.opensts.platform.security.Pem.certificates(pem));
        if (PARSED.size() > 10_000) {
            PARSED.clear();
        }
        PARSED.put(pem, parsed);
        return parsed;
    }

    /** The direct child elements of {@code parent} with this name. */
    public static List<Element> children(Element parent, String ns, String local) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && ns.equals(e.getNamespaceURI()) && local.equals(e.getLocalName())) {
                out.add(e);
            }
        }
        return out;
    }

    /** The one direct child with this name, or {@code null}; more than one is refused. */
    public static Element child(Element parent, String ns, String local) {
        List<Element> found = children(parent, ns, local);
        if (found.size() > 1) {
            throw new SamlException(parent.getLocalName() + " has " + found.size() + " " + local + " elements");
        }
        return found.isEmpty() ? null : found.get(0);
    }

    public static String text(Element parent, String ns, String local) {
        Element e = child(parent, ns, local);
        return e == null ? null : e.getTextContent().strip();
    }

    // ------------------------------------------------------------------ signatures

    /**
     * Signs {@code element} with an enveloped signature (RSA-SHA256, or ECDSA-SHA256 for an EC key)
     * placed after its {@code Issuer} (or first), referencing it by its {@code ID}.
     */
    public static void sign(Element element, PrivateKey key, X509Certificate certificate) {
        try {
            String id = element.getAttribute("ID");
            element.setIdAttributeNS(null, "ID", true);
            Document doc = element.getOwnerDocument();
            String method = "EC".equals(key.getAlgorithm()) ? XMLSignature.ALGO_ID_SIGNATURE_ECDSA_SHA256 : RSA_SHA256;
            XMLSignature sig = new XMLSignature(doc, "", method, Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS);
            Element issuer = child(element, ASSERTION, "Issuer");
            Node before = issuer != null ? issuer.getNextSibling() : element.getFirstChild();
            element.insertBefore(sig.getElement(), before);
            Transforms t = new Transforms(doc);
            t.addTransform(Transforms.TRANSFORM_ENVELOPED_SIGNATURE);
            t.addTransform(Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS);
            sig.addDocument("#" + id, t, "http://www.w3.org/2001/04/xmlenc#sha256");
            sig.addKeyInfo(certificate);
            sig.sign(key);
        } catch (Exception e) {
            throw new IllegalStateException("could not sign " + element.getLocalName(), e);
        }
    }

    /** Whether {@code element} carries a signature as its direct child. */
    public static boolean isSigned(Element element) {
        return !children(element, DSIG, "Signature").isEmpty();
    }

    /**
     * Checks the enveloped signature of {@code element} against the trusted certificates (never the
     * key the message carries), each valid at {@code now}. Refuses anything but exactly one reference
     * to the element itself.
     */
    public static void verify(Element element, List<X509Certificate> trusted, Instant now) {
        String id = element.getAttribute("ID");
        if (id.isEmpty()) {
            throw new SamlException(element.getLocalName() + " has no ID");
        }
        List<Element> signatures = children(element, DSIG, "Signature");
        if (signatures.size() != 1) {
            throw new SamlException(element.getLocalName() + " is not signed");
        }
        Document doc = element.getOwnerDocument();
        if (countIds(doc.getDocumentElement(), id) != 1) {
            throw new SamlException("the ID " + id + " is not unique in the message");
        }
        element.setIdAttributeNS(null, "ID", true);
        try {
            XMLSignature sig = new XMLSignature(signatures.get(0), "", true);
            SignedInfo info = sig.getSignedInfo();
            if (!SIGNATURE_METHODS.contains(info.getSignatureMethodURI())) {
                throw new SamlException("signature method " + info.getSignatureMethodURI() + " is not accepted");
            }
            if (!Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS.equals(info.getCanonicalizationMethodURI())
                    && !Canonicalizer.ALGO_ID_C14N_EXCL_WITH_COMMENTS.equals(info.getCanonicalizationMethodURI())) {
                throw new SamlException("canonicalisation " + info.getCanonicalizationMethodURI() + " is not accepted");
            }
            if (info.getLength() != 1) {
                throw new SamlException("the signature must have exactly one reference");
            }
            Reference ref = info.item(0);
            if (!("#" + id).equals(ref.getURI())) {
                throw new SamlException("the signature does not reference the " + element.getLocalName());
            }
            if (!DIGESTS.contains(ref.getMessageDigestAlgorithm().getAlgorithmURI())) {
                throw new SamlException("digest " + ref.getMessageDigestAlgorithm().getAlgorithmURI() + " is not accepted");
            }
            Transforms transforms = ref.getTransforms();
            for (int i = 0; transforms != null && i < transforms.getLength(); i++) {
                if (!TRANSFORMS.contains(transforms.item(i).getURI())) {
                    throw new SamlException("transform " + transforms.item(i).getURI() + " is not accepted");
                }
            }
            boolean valid = false;
            for (X509Certificate cert : trusted) {
                try {
                    cert.checkValidity(Date.from(now));
                } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                    continue;
                }
                if (sig.checkSignatureValue(cert)) {
                    valid = true;
                    break;
                }
            }
            if (!valid) {
                throw new SamlException("the signature of the " + element.getLocalName()
                        + " does not verify with a trusted, valid certificate");
            }
            XMLSignatureInput signed = ref.getContentsBeforeTransformation();
            if (signed == null || signed.getSubNode() != element) {
                throw new SamlException("the signature covers another element than the " + element.getLocalName());
            }
        } catch (SamlException e) {
            throw e;
        } catch (Exception e) {
            throw new SamlException("the signature of the " + element.getLocalName() + " is invalid: " + e.getMessage());
        }
    }

    private static int countIds(Element e, String id) {
        int n = id.equals(e.getAttribute("ID")) || id.equals(e.getAttribute("Id")) || id.equals(e.getAttribute("id")) ? 1 : 0;
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element child) {
                n += countIds(child, id);
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ encryption

    /**
     * Replaces a signed assertion with an {@code EncryptedAssertion} for the holder of
     * {@code recipient}: AES-256-GCM content, the key with RSA-OAEP.
     */
    public static Element encrypt(Element assertion, X509Certificate recipient) {
        try {
            Document doc = assertion.getOwnerDocument();
            KeyGenerator g = KeyGenerator.getInstance("AES");
            g.init(256);
            SecretKey content = g.generateKey();
            XMLCipher keyCipher = XMLCipher.getInstance(XMLCipher.RSA_OAEP);
            keyCipher.init(XMLCipher.WRAP_MODE, recipient.getPublicKey());
            EncryptedKey encryptedKey = keyCipher.encryptKey(doc, content);
            XMLCipher dataCipher = XMLCipher.getInstance(XMLCipher.AES_256_GCM);
            dataCipher.init(XMLCipher.ENCRYPT_MODE, content);
            EncryptedData data = dataCipher.getEncryptedData();
            KeyInfo info = new KeyInfo(doc);
            info.add(encryptedKey);
            data.setKeyInfo(info);
            declareNamespaces(assertion);
            Element wrapper = doc.createElementNS(ASSERTION, "saml:EncryptedAssertion");
            assertion.getParentNode().replaceChild(wrapper, assertion);
            wrapper.appendChild(assertion);
            dataCipher.doFinal(doc, assertion, false);
            return wrapper;
        } catch (Exception e) {
            throw new IllegalStateException("could not encrypt the assertion", e);
        }
    }

    /**
     * Declares on {@code root} every namespace prefix its subtree uses but an ancestor declares, so the
     * element reads the same on its own (encrypted content is decrypted outside its context by some
     * peers). Exclusive canonicalisation ignores such declarations, so signatures are unchanged.
     */
    static void declareNamespaces(Element root) {
        java.util.Map<String, String> used = new java.util.LinkedHashMap<>();
        collectPrefixes(root, java.util.Set.of(), used);
        used.forEach((prefix, uri) -> root.setAttributeNS(XMLNS, prefix.isEmpty() ? "xmlns" : "xmlns:" + prefix, uri));
    }

    private static final String XMLNS = "http://www.w3.org/2000/xmlns/";

    /** The prefixes used in {@code e}'s subtree that are declared neither there nor in {@code declared}. */
    private static void collectPrefixes(Element e, java.util.Set<String> declared, java.util.Map<String, String> used) {
        java.util.Set<String> here = new java.util.HashSet<>(declared);
        var attrs = e.getAttributes();
        for (int i = 0; i < attrs.getLength(); i++) {
            Node a = attrs.item(i);
            if (XMLNS.equals(a.getNamespaceURI())) {
                here.add("xmlns".equals(a.getNodeName()) ? "" : a.getLocalName());
            }
        }
        String prefix = e.getPrefix() == null ? "" : e.getPrefix();
        if (e.getNamespaceURI() != null && !here.contains(prefix)) {
            used.putIfAbsent(prefix, e.getNamespaceURI());
        }
        for (int i = 0; i < attrs.getLength(); i++) {
            Node a = attrs.item(i);
            if (a.getPrefix() != null && !"xmlns".equals(a.getPrefix()) && !"xml".equals(a.getPrefix())
                    && !here.contains(a.getPrefix())) {
                used.putIfAbsent(a.getPrefix(), a.getNamespaceURI());
            }
        }
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element child) {
                collectPrefixes(child, here, used);
            }
        }
    }

    /** Decrypts an {@code EncryptedAssertion} in place with our key; returns the assertion. */
    public static Element decrypt(Element encryptedAssertion, PrivateKey key) {
        Element data = child(encryptedAssertion, XMLENC, "EncryptedData");
        if (data == null) {
            throw new SamlException("EncryptedAssertion without EncryptedData");
        }
        try {
            XMLCipher cipher = XMLCipher.getInstance();
            cipher.init(XMLCipher.DECRYPT_MODE, null);
            cipher.setKEK(key);
            cipher.doFinal(encryptedAssertion.getOwnerDocument(), data);
        } catch (Exception e) {
            throw new SamlException("the assertion could not be decrypted: " + e.getMessage());
        }
        Element assertion = child(encryptedAssertion, ASSERTION, "Assertion");
        if (assertion == null) {
            throw new SamlException("the encrypted data held no assertion");
        }
        return assertion;
    }
}
