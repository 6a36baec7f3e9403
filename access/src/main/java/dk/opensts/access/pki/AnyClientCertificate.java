package dk.opensts.access.pki;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS connector's trust manager: it lets the handshake finish with any client certificate
 * whose key the client proves it holds, so that OpenSTS itself decides (against its trusted CAs
 * and the registered, unrevoked certificates) and can answer an untrusted certificate with an
 * OAuth2 error and a security log entry instead of a bare handshake failure. Never used for
 * server certificates.
 */
public class AnyClientCertificate implements X509TrustManager {

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("no client certificate");
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("not a client trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
