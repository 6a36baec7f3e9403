package dk.demofagsystem;

import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Where OpenSTS is, where this system is reached, and its keys and data. */
@Component
public class DemoSettings {

    final String openstsUrl;
    final String openstsTlsUrl;
    final String baseUrl;
    final String overviewUrl;
    final Path pkiDir;
    final char[] keystorePassword;
    final Path dataDir;
    final String municipality;

    DemoSettings(@Value("${demo.opensts-url:http://127.0.0.1:8080}") String openstsUrl,
                 @Value("${demo.opensts-tls-url:https://127.0.0.1:8443}") String openstsTlsUrl,
                 @Value("${demo.base-url:http://127.0.0.1:${server.port:8081}}") String baseUrl,
                 @Value("${demo.overview-url:${demo.opensts-url:http://127.0.0.1:8080}/overview}") String overviewUrl,
                 @Value("${demo.pki-dir:./data/pki}") Path pkiDir,
                 @Value("${demo.keystore-password:opensts-dev}") String keystorePassword,
                 @Value("${demo.data-dir:./data/demo-fagsystem}") Path dataDir,
                 @Value("${demo.municipality:11111111}") String municipality) {
        this.openstsUrl = strip(openstsUrl);
        this.openstsTlsUrl = strip(openstsTlsUrl);
        this.baseUrl = strip(baseUrl);
        this.overviewUrl = strip(overviewUrl);
        this.pkiDir = pkiDir;
        this.keystorePassword = keystorePassword.toCharArray();
        this.dataDir = dataDir;
        this.municipality = municipality;
    }

    /** Its entity id as a SAML service provider. */
    public String entityId() {
        return baseUrl + "/saml";
    }

    public String acsUrl() {
        return baseUrl + "/saml/acs";
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
