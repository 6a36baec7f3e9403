package dk.opensts.platform.security;

import jakarta.servlet.http.HttpServletRequest;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Base64;

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
}
