package dk.opensts.platform.security;

import jakarta.servlet.http.HttpServletRequest;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.security.auth.x500.X500Principal;
import org.springframework.security.oauth2.jwt.Jwt;

/** The client certificate of a mutual-TLS request, and the thumbprint tokens are bound to it by. */
public final class ClientCertificates {

    private static final String ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

    private ClientCertificates() {
    }

    /** The chain the client presented in the TLS handshake, leaf first, or {@code null}. */
    public static X509Certificate[] chain(HttpServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof X509Certificate[] chain && chain.length > 0 ? chain : null;
    }

    /** RFC 8705 {@code x5t#S256}: base64url (no padding) of the SHA-256 of the certificate's DER. */
    public static String thumbprint(X509Certificate certificate) {
        try {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The common name (CN) of a subject in RFC 2253 form, as brokers and servers name a certificate's
     * user; {@code null} when the subject has no CN, more than one, or is not a name.
     */
    public static String commonName(String subject) {
        try {
            List<String> names = new LdapName(subject).getRdns().stream()
                    .filter(r -> r.getType().equalsIgnoreCase("CN")).map(r -> String.valueOf(r.getValue())).toList();
            return names.size() == 1 ? names.get(0) : null;
        } catch (InvalidNameException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The subject as RabbitMQ names a certificate's user with {@code ssl_cert_login_from =
     * distinguished_name}: RFC 4514, most specific first, with serialNumber (which Danish OCES
     * certificates carry the CVR and unique id in) by name, not as a hex-encoded OID.
     */
    public static String distinguishedName(X500Principal subject) {
        return subject.getName(X500Principal.RFC2253, Map.of("2.5.4.5", "SERIALNUMBER"));
    }

    /**
     * Whether two RFC 4514 names are the same name: the same attribute types and values in the same
     * order, escapes undone (RabbitMQ writes non-ASCII characters as escaped UTF-8 bytes), types and
     * values compared regardless of case. Not a name: false.
     */
    public static boolean sameName(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        try {
            return new LdapName(a).equals(new LdapName(b));
        } catch (InvalidNameException | RuntimeException e) {
            return false;
        }
    }

    /** The thumbprint a token is bound to ({@code cnf.x5t#S256}), or {@code null}. */
    public static String boundThumbprint(Jwt jwt) {
        Object cnf = jwt.getClaim("cnf");
        return cnf instanceof Map<?, ?> m && m.get("x5t#S256") instanceof String s ? s : null;
    }
}
