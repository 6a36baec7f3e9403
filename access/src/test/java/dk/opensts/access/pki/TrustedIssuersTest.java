package dk.opensts.access.pki;

import dk.opensts.platform.security.Pem;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which client certificates are trusted: issued by a configured CA, valid at the time asked. */
class TrustedIssuersTest {

    @TempDir
    Path dir;

    @Test
    void onlyCertificatesOfTheConfiguredCasWithinTheirValidityAreTrusted() throws Exception {
        DevelopmentCa ours = new DevelopmentCa(dir.resolve("ours"));
        DevelopmentCa theirs = new DevelopmentCa(dir.resolve("theirs"));
        // configured as production does: the CA's certificate as a PEM file
        Path pem = dir.resolve("trusted.pem");
        Files.writeString(pem, Pem.encode(ours.certificate()));
        TrustedIssuers trusted = new TrustedIssuers(Pem.certificates(Files.readString(pem)));
        Instant now = Instant.now();
        var good = ours.issueClient("System", "11111111", now.minusSeconds(60), now.plus(Duration.ofDays(1)));
        assertThat(trusted.problem(List.of(good.certificate()), now)).isNull();
        // twice: the remembered path gives the same answer, and time still counts
        assertThat(trusted.problem(List.of(good.certificate()), now)).isNull();
        assertThat(trusted.problem(List.of(good.certificate()), now.plus(Duration.ofDays(2)))).contains("expired");
        assertThat(trusted.problem(List.of(good.certificate()), now.minus(Duration.ofDays(1)))).contains("not valid before");
        var foreign = theirs.issueClient("System", "11111111", now.minusSeconds(60), now.plus(Duration.ofDays(1)));
        assertThat(trusted.problem(List.of(foreign.certificate()), now)).contains("not issued by a trusted certificate authority");
        // a foreign leaf sent with our CA's certificate in the chain is still foreign
        assertThat(trusted.problem(List.of(foreign.certificate(), ours.certificate()), now)).isNotNull();
        assertThat(new TrustedIssuers(List.of()).problem(List.of(good.certificate()), now)).contains("no certificate authority");
        // the same CA opened again from its folder is the same CA
        assertThat(new DevelopmentCa(dir.resolve("ours")).certificate()).isEqualTo(ours.certificate());
    }
}
