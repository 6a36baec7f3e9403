package dk.opensts.saml;

import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The SAML HTTP-Redirect binding: a message DEFLATE-compressed, base64 and URL-encoded in the query,
 * signed over the query string itself ({@code SAMLRequest=...&RelayState=...&SigAlg=...}) with
 * RSA-SHA256 (ECDSA-SHA256 for an EC key). The receiving side checks the signature over the parameters exactly as they arrived.
 */
public final class RedirectBinding {

    /** A compressed message bigger than this is refused (no inflation bombs). */
    public static final int MAX_INFLATED = 256 * 1024;
    private static final String RSA_SHA256 = SamlXml.RSA_SHA256;
    private static final String RSA_SHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";
    private static final String ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
    /** The accepted query signature algorithms and their JCA names (ECDSA values DER-encoded). */
    private static final java.util.Map<String, String> ALGORITHMS = java.util.Map.of(RSA_SHA256, "SHA256withRSA",
            RSA_SHA512, "SHA512withRSA", ECDSA_SHA256, "SHA256withECDSA");

    private RedirectBinding() {
    }

    /**
     * The URL that carries {@code xml} to {@code endpoint}.
     *
     * @param parameter {@code SAMLRequest} or {@code SAMLResponse}
     */
    public static String encode(String endpoint, String parameter, byte[] xml, String relayState, PrivateKey key) {
        StringBuilder q = new StringBuilder(parameter).append('=').append(url(Base64.getEncoder().encodeToString(deflate(xml))));
        if (relayState != null) {
            q.append("&RelayState=").append(url(relayState));
        }
        boolean ec = "EC".equals(key.getAlgorithm());
        q.append("&SigAlg=").append(url(ec ? ECDSA_SHA256 : RSA_SHA256));
        try {
            Signature s = Signature.getInstance(ec ? "SHA256withECDSA" : "SHA256withRSA");
            s.initSign(key);
            s.update(q.toString().getBytes(StandardCharsets.UTF_8));
            q.append("&Signature=").append(url(Base64.getEncoder().encodeToString(s.sign())));
        } catch (Exception e) {
            throw new IllegalStateException("could not sign the redirect", e);
        }
        return endpoint + (endpoint.contains("?") ? "&" : "?") + q;
    }

    /** A received redirect message. */
    public record Received(String parameter, byte[] xml, String relayState, boolean signed,
                           String signedPart, String sigAlg, byte[] signature) {

        /** Checks the query signature against trusted certificates valid now. */
        public void verify(List<X509Certificate> trusted, Instant now) {
            if (!signed) {
                throw new SamlException("the request is not signed");
            }
            String jca = sigAlg == null ? null : ALGORITHMS.get(sigAlg);
            if (jca == null) {
                throw new SamlException("signature algorithm " + sigAlg + " is not accepted");
            }
            for (X509Certificate cert : trusted) {
                try {
                    cert.checkValidity(Date.from(now));
                    Signature s = Signature.getInstance(jca);
                    s.initVerify(cert.getPublicKey());
                    s.update(signedPart.getBytes(StandardCharsets.UTF_8));
                    if (s.verify(signature)) {
                        return;
                    }
                } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                    // an expired certificate verifies nothing
                } catch (Exception e) {
                    throw new SamlException("the request signature is malformed");
                }
            }
            throw new SamlException("the request signature does not verify with the system's certificate");
        }
    }

    /**
     * Reads a redirect message from the raw query string (as received, not re-encoded).
     *
     * @param parameter {@code SAMLRequest} or {@code SAMLResponse}
     */
    public static Received decode(String rawQuery, String parameter) {
        if (rawQuery == null) {
            throw new SamlException("no " + parameter + " in the query");
        }
        Map<String, String> raw = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (raw.putIfAbsent(name, eq < 0 ? "" : pair.substring(eq + 1)) != null
                    && List.of(parameter, "RelayState", "SigAlg", "Signature").contains(name)) {
                throw new SamlException(name + " is given twice");
            }
        }
        String message = raw.get(parameter);
        if (message == null || message.isEmpty()) {
            throw new SamlException("no " + parameter + " in the query");
        }
        byte[] xml;
        try {
            xml = inflate(Base64.getMimeDecoder().decode(unurl(message)));
        } catch (IllegalArgumentException e) {
            throw new SamlException(parameter + " is not base64");
        }
        StringBuilder signedPart = new StringBuilder(parameter).append('=').append(message);
        if (raw.containsKey("RelayState")) {
            signedPart.append("&RelayState=").append(raw.get("RelayState"));
        }
        String sigAlg = raw.get("SigAlg");
        String signature = raw.get("Signature");
        boolean signed = sigAlg != null && signature != null;
        if (sigAlg != null) {
            signedPart.append("&SigAlg=").append(sigAlg);
        }
        byte[] sig = null;
        if (signed) {
            try {
                sig = Base64.getMimeDecoder().decode(unurl(signature));
            } catch (IllegalArgumentException e) {
                throw new SamlException("Signature is not base64");
            }
        }
        String relay = raw.containsKey("RelayState") ? unurl(raw.get("RelayState")) : null;
        return new Received(parameter, xml, relay, signed, signedPart.toString(), sigAlg == null ? null : unurl(sigAlg), sig);
    }

    static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFLATED, true);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    static byte[] inflate(byte[] data) {
        Inflater i = new Inflater(true);
        i.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            while (!i.finished()) {
                int n = i.inflate(buf);
                if (n == 0 && (i.needsInput() || i.needsDictionary())) {
                    throw new SamlException("the message is not DEFLATE-compressed");
                }
                out.write(buf, 0, n);
                if (out.size() > MAX_INFLATED) {
                    throw new SamlException("the message is too large");
                }
            }
        } catch (DataFormatException e) {
            throw new SamlException("the message is not DEFLATE-compressed");
        } finally {
            i.end();
        }
        return out.toByteArray();
    }

    private static String url(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String unurl(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
