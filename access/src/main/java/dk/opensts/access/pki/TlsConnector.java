package dk.opensts.access.pki;

import java.security.KeyStore;
import org.apache.catalina.connector.Connector;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/**
 * The HTTPS connector with mutual TLS: the token endpoint and every API are served on it, and a
 * client certificate, when sent, is handed to OpenSTS to decide on (see {@link AnyClientCertificate}).
 * The plain HTTP port stays for health, metrics and bearer-token calls in development.
 */
public final class TlsConnector {

    private final Connector connector;

    public TlsConnector(String address, int port, KeyStore serverKeyStore, char[] password) {
        connector = new Connector("org.apache.coyote.http11.Http11NioProtocol");
        connector.setPort(port);
        connector.setScheme("https");
        connector.setSecure(true);
        connector.setProperty("SSLEnabled", "true");
        connector.setProperty("address", address);
        SSLHostConfig host = new SSLHostConfig();
        host.setProtocols("TLSv1.2+TLSv1.3");
        host.setCertificateVerification("optional");
        host.setTrustManagerClassName(AnyClientCertificate.class.getName());
        SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.UNDEFINED);
        certificate.setCertificateKeystore(serverKeyStore);
        certificate.setCertificateKeystorePassword(new String(password));
        host.addCertificate(certificate);
        connector.addSslHostConfig(host);
    }

    public Connector connector() {
        return connector;
    }

    /** The port it listens on (the chosen one when configured as 0), once started. */
    public int port() {
        return connector.getLocalPort();
    }
}
