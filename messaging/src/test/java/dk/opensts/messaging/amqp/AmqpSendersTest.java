package dk.opensts.messaging.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import dk.opensts.access.api.ItSystems;
import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.Pem;
import dk.opensts.platform.security.Services;
import dk.opensts.platform.securitylog.SecurityLog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * Who published a message on the ingress queue, by its token and, as the broker names the user of
 * the publisher's certificate, its {@code user_id}: with the certificate's common name, its
 * distinguished name (as RabbitMQ writes it, non-ASCII escaped), or nothing required.
 */
class AmqpSendersTest {

    static final String CVR = "29189846";

    @TempDir
    static Path dir;
    static DevelopmentCa.Issued certificate;
    static String thumbprint;

    final UUID system = UUID.randomUUID();
    final Map<String, Jwt> tokens = new HashMap<>();
    Instant revokedAt;
    boolean active = true;
    int lookUps;

    @BeforeAll
    static void issue() {
        DevelopmentCa ca = new DevelopmentCa(dir.resolve("ca"));
        certificate = ca.issueClient("Fagsystem Ærø", CVR, Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(30)));
        thumbprint = Pem.thumbprint(certificate.certificate());
    }

    /** The registry, with the one certificate; every other call is not this class's business. */
    final ItSystems registry = new ItSystems() {
        @Override
        public Map<String, BoundCertificate> byThumbprint(Collection<String> thumbprints) {
            lookUps++;
            Map<String, BoundCertificate> out = new HashMap<>();
            if (thumbprints.contains(thumbprint)) {
                var c = certificate.certificate();
                out.put(thumbprint, new BoundCertificate(new SystemCertificate(thumbprint, system,
                        c.getSubjectX500Principal().getName(), c.getIssuerX500Principal().getName(), "1",
                        c.getNotBefore().toInstant(), c.getNotAfter().toInstant(), Instant.now(), "test", revokedAt,
                        null, null, Pem.encode(c)), active));
            }
            return out;
        }

        @Override
        public ItSystem register(UUID id, String name, String vendorCvr, String contact, String actor) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<ItSystem> find(UUID id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<ItSystem> list() {
            throw new UnsupportedOperationException();
        }

        @Override
        public SystemCertificate addCertificate(UUID system, String pem, String actor) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SystemCertificate revokeCertificate(UUID system, String thumbprint, String reason, String actor) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<SystemCertificate> certificates(UUID system) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ItSystem setActive(UUID system, boolean active, String reason, String actor) {
            throw new UnsupportedOperationException();
        }
    };

    final JwtDecoder decoder = token -> {
        Jwt jwt = tokens.get(token);
        if (jwt == null) {
            throw new BadJwtException("bad signature");
        }
        return jwt;
    };

    /** A token of the system for the messaging service, bound to {@code bound} (none when null). */
    String token(String name, String bound) {
        return token(name, bound, Services.MESSAGING, CVR);
    }

    /** A token of the system for {@code audience}, acting for {@code cvr} (no claim when null). */
    String token(String name, String bound, String audience, String cvr) {
        Jwt.Builder b = Jwt.withTokenValue(name).header("alg", "RS256").subject(system.toString())
                .audience(List.of(audience)).issuedAt(Instant.now())
                .expiresAt(Instant.now().plusSeconds(300)).jti(name);
        if (cvr != null) {
            b.claim("cvr", cvr);
        }
        if (bound != null) {
            b.claim("cnf", Map.of("x5t#S256", bound));
        }
        tokens.put(name, b.build());
        return name;
    }

    static AMQP.BasicProperties message(String token, String userId) {
        return new AMQP.BasicProperties.Builder().userId(userId)
                .headers(token == null ? Map.of() : Map.of(AmqpTransport.AUTHORIZATION, "Bearer " + token)).build();
    }

    record Outcome(Object[] results, List<SecurityLog.NewEntry> refusals, List<Integer> refused) {
        String detail(int i) {
            return results[i] instanceof ApiException e ? e.getMessage() : null;
        }
    }

    Outcome identify(AmqpTransport.CertificateUser mode, AMQP.BasicProperties... messages) {
        List<SecurityLog.NewEntry> refusals = new ArrayList<>();
        List<Integer> refused = new ArrayList<>();
        Object[] results = new AmqpSenders(decoder, mode, registry, Clock.systemUTC(), "opensts.publish")
                .identify(List.of(messages), refusals, refused);
        return new Outcome(results, refusals, refused);
    }

    @Test
    void byDistinguishedNameTheBrokersEscapedFormIsTheCertificatesName() {
        String good = token("good", thumbprint);
        // as RabbitMQ writes the user of this certificate with ssl_cert_login_from = distinguished_name
        String broker = "CN=Fagsystem \\C3\\86r\\C3\\B8,O=OpenSTS development,SERIALNUMBER=CVR:" + CVR + ",C=DK";
        Outcome o = identify(AmqpTransport.CertificateUser.DISTINGUISHED_NAME,
                message(good, broker),
                message(good, "CN=Fagsystem Ærø,O=OpenSTS development,SERIALNUMBER=CVR:" + CVR + ",C=DK"),
                message(good, "Fagsystem Ærø"),
                message(good, "CN=Fagsystem Ærø,O=OpenSTS development,SERIALNUMBER=CVR:87654321,C=DK"),
                message(good, null));
        assertThat(o.results()[0]).isInstanceOf(Actor.class);
        assertThat(((Actor) o.results()[0]).id()).isEqualTo(system.toString());
        assertThat(o.results()[1]).isInstanceOf(Actor.class);
        assertThat(o.detail(2)).contains("distinguished name");
        assertThat(o.detail(3)).contains("distinguished name");
        assertThat(o.detail(4)).contains("user_id");
        assertThat(o.refused()).containsExactlyInAnyOrder(2, 3, 4);
        Map<String, Object> logged = new HashMap<>(o.refusals().get(0).details());
        assertThat(logged).containsEntry("userId", "Fagsystem Ærø").containsEntry("thumbprint", thumbprint)
                .containsEntry("channel", "AMQP");
        // the batch's certificates in one look-up
        assertThat(lookUps).isEqualTo(1);
    }

    @Test
    void byCommonNameOnlyTheCommonNameItself() {
        String good = token("good", thumbprint);
        Outcome o = identify(AmqpTransport.CertificateUser.COMMON_NAME, message(good, "Fagsystem Ærø"),
                message(good, "fagsystem ærø"), message(good, "CN=Fagsystem Ærø"));
        assertThat(o.results()[0]).isInstanceOf(Actor.class);
        assertThat(o.detail(1)).contains("common name");
        assertThat(o.detail(2)).contains("common name");
    }

    @Test
    void tokensNotBoundToARegisteredLiveCertificateOfAnActiveSystemAreRefused() {
        String unbound = token("unbound", null);
        String other = token("other", "another-thumbprint");
        Outcome o = identify(AmqpTransport.CertificateUser.COMMON_NAME, message(unbound, "Fagsystem Ærø"),
                message(other, "Fagsystem Ærø"), message(null, "Fagsystem Ærø"), message("forged", "Fagsystem Ærø"));
        assertThat(o.detail(0)).contains("not bound");
        assertThat(o.detail(1)).contains("not registered");
        // no token at all is answered but not logged; a token that does not verify is logged
        assertThat(o.detail(2)).contains("authorization");
        assertThat(o.detail(3)).contains("not valid");
        assertThat(o.refused()).containsExactlyInAnyOrder(0, 1, 3);
        for (Object r : o.results()) {
            assertThat(((ApiException) r).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        }

        String good = token("good", thumbprint);
        revokedAt = Instant.now().minusSeconds(5);
        assertThat(identify(AmqpTransport.CertificateUser.DISTINGUISHED_NAME, message(good, "x")).detail(0))
                .contains("revoked");
        revokedAt = null;
        active = false;
        assertThat(identify(AmqpTransport.CertificateUser.COMMON_NAME, message(good, "Fagsystem Ærø")).detail(0))
                .contains("not active");
    }

    @Test
    void aTokenMustBeForTheMessageDistributorAndNameAMunicipality() {
        Outcome o = identify(AmqpTransport.CertificateUser.NONE,
                message(token("organisation", thumbprint, Services.ORGANISATION, CVR), "Fagsystem Ærø"),
                message(token("no-cvr", thumbprint, Services.MESSAGING, null), "Fagsystem Ærø"),
                message(token("bad-cvr", thumbprint, Services.MESSAGING, "2918984"), "Fagsystem Ærø"),
                message(token("good", thumbprint), "Fagsystem Ærø"));
        assertThat(o.detail(0)).isEqualTo("The token is not for the message distributor");
        assertThat(o.detail(1)).isEqualTo("The token names no municipality");
        assertThat(o.detail(2)).isEqualTo("The token names no municipality");
        assertThat(o.results()[3]).isInstanceOf(Actor.class);
        assertThat(o.refused()).containsExactly(0, 1, 2);
        // the security log says which service the token was for
        assertThat(o.refusals().get(0).details().get("reason")).isEqualTo("the token is for " + Services.ORGANISATION
                + ", not for " + Services.MESSAGING);
        assertThat(o.refusals().get(1).details().get("reason")).isEqualTo("the token names no municipality (cvr)");
    }

    @Test
    void withoutACertificateUserTheTokenAloneDecidesAndNothingIsLookedUp() {
        String unbound = token("unbound", null);
        Outcome o = identify(AmqpTransport.CertificateUser.NONE, message(unbound, null), message(unbound, "anyone"));
        assertThat(o.results()).allMatch(r -> r instanceof Actor);
        assertThat(lookUps).isZero();
    }

    @Test
    void theSettingIsReadByItsNames() {
        assertThat(AmqpTransport.CertificateUser.of("distinguished-name"))
                .isEqualTo(AmqpTransport.CertificateUser.DISTINGUISHED_NAME);
        assertThat(AmqpTransport.CertificateUser.of(" Common-Name ")).isEqualTo(AmqpTransport.CertificateUser.COMMON_NAME);
        assertThat(AmqpTransport.CertificateUser.of("none")).isEqualTo(AmqpTransport.CertificateUser.NONE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AmqpTransport.CertificateUser.of("cn"))
                .hasMessageContaining("none, common-name or distinguished-name");
    }
}
