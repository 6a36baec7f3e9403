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
