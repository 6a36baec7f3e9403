package dk.opensts.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;

/** The common name a broker names a certificate's user by, and the thumbprint a token is bound to. */
class ClientCertificatesTest {

    @Test
    void theCommonNameIsTheSubjectsOnlyCn() {
        assertThat(ClientCertificates.commonName("CN=fagsystem,O=Leverandør A/S,C=DK")).isEqualTo("fagsystem");
        assertThat(ClientCertificates.commonName("C=DK,cn=fagsystem")).isEqualTo("fagsystem");
        // as the JDK writes a subject with characters that are escaped in a name
        String escaped = new X500Principal("CN=\"Fag, system+1\",O=Kommune").getName();
        assertThat(ClientCertificates.commonName(escaped)).isEqualTo("Fag, system+1");
    }

    @Test
    void noCommonNameWhenThereIsNoneOrMoreThanOneOrNoName() {
        assertThat(ClientCertificates.commonName("O=Kommune,C=DK")).isNull();
        assertThat(ClientCertificates.commonName("CN=a,CN=b,O=Kommune")).isNull();
        assertThat(ClientCertificates.commonName("not a name")).isNull();
        assertThat(ClientCertificates.commonName("")).isNull();
    }

    @Test
    void theDistinguishedNameIsTheOneRabbitMqLogsTheCertificatesUserInAs() {
        // written by RabbitMQ 3.10 with ssl_cert_login_from = distinguished_name for this subject
        String broker = "CN=fagsystem-b,SERIALNUMBER=CVR:12345678-UID:1234,O=Leverand\\C3\\B8r,C=DK";
        X500Principal subject = new X500Principal("CN=fagsystem-b, SERIALNUMBER=CVR:12345678-UID:1234, O=Leverandør, C=DK");
        String ours = ClientCertificates.distinguishedName(subject);
        assertThat(ours).isEqualTo("CN=fagsystem-b,SERIALNUMBER=CVR:12345678-UID:1234,O=Leverandør,C=DK");
        assertThat(ClientCertificates.sameName(broker, ours)).isTrue();
        assertThat(ClientCertificates.sameName("cn=FAGSYSTEM-B,serialNumber=CVR:12345678-UID:1234,O=Leverandør,C=DK", ours))
                .isTrue();
        // another unique id, another order, a missing part, no name: not the same
        assertThat(ClientCertificates.sameName(broker.replace("UID:1234", "UID:1235"), ours)).isFalse();
        assertThat(ClientCertificates.sameName("C=DK,O=Leverandør,SERIALNUMBER=CVR:12345678-UID:1234,CN=fagsystem-b", ours))
                .isFalse();
        assertThat(ClientCertificates.sameName("CN=fagsystem-b,O=Leverandør,C=DK", ours)).isFalse();
        assertThat(ClientCertificates.sameName("fagsystem-b", ours)).isFalse();
        assertThat(ClientCertificates.sameName(null, ours)).isFalse();
    }

    @Test
    void theBoundThumbprintIsTheCnfClaims() {
        Jwt.Builder jwt = Jwt.withTokenValue("t").header("alg", "RS256").issuedAt(Instant.EPOCH)
                .expiresAt(Instant.EPOCH.plusSeconds(60));
        assertThat(ClientCertificates.boundThumbprint(jwt.claim("cnf", Map.of("x5t#S256", "abc")).build()))
                .isEqualTo("abc");
        assertThat(ClientCertificates.boundThumbprint(Jwt.withTokenValue("t").header("alg", "RS256")
                .claim("sub", "x").build())).isNull();
        assertThat(ClientCertificates.boundThumbprint(Jwt.withTokenValue("t").header("alg", "RS256")
                .claim("cnf", "abc").build())).isNull();
    }
}
