package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dk.opensts.platform.security.Services;
import dk.opensts.platform.securitylog.SecurityEvent;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The security log: append-only, hash-chained, and every change, insertion or deletion found and placed. */
class SecurityLogTest extends ApiTest {

    static final String LOG = "/api/admin/v1/security-log";

    @Autowired
    SecurityLog log;

    @BeforeEach
    @AfterEach
    void intact() {
        // each test starts from an empty, intact chain, and none is left tampered with
        jdbc.sql("ALTER TABLE platform.security_log DISABLE TRIGGER USER").update();
        jdbc.sql("DELETE FROM platform.security_log").update();
        jdbc.sql("UPDATE platform.security_log_head SET seq = 0, hash = 'genesis'").update();
        jdbc.sql("ALTER TABLE platform.security_log ENABLE TRIGGER USER").update();
    }

    void write(int n) {
        for (int i = 0; i < n; i++) {
            log.denied(SecurityEventType.TOKEN_REJECTED, new SecurityLog.Subject("sys-" + (i % 3), "sys-" + (i % 3), "11111111"),
                    "test " + i, Map.of("i", i));
        }
    }

    void tamper(String sql) {
        jdbc.sql("ALTER TABLE platform.security_log DISABLE TRIGGER USER").update();
        jdbc.sql(sql).update();
        jdbc.sql("ALTER TABLE platform.security_log ENABLE TRIGGER USER").update();
    }

    @Test
    void theLogIsAppendOnly() {
        write(2);
        assertThatThrownBy(() -> jdbc.sql("UPDATE platform.security_log SET type = 'X'").update())
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.sql("DELETE FROM platform.security_log").update()).hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.sql("TRUNCATE platform.security_log").update()).hasMessageContaining("append-only");
        assertThat(log.verify().intact()).isTrue();
    }

    @Test
    void aChangedEntryIsFoundAndPlaced() {
        write(10);
        assertThat(log.verify().intact()).isTrue();
        tamper("UPDATE platform.security_log SET details = replace(details, 'test 4', 'test 5') WHERE seq = 5");
        SecurityLog.Verification v = log.verify();
        assertThat(v.intact()).isFalse();
        assertThat(v.problems()).extracting(SecurityLog.Problem::seq).containsExactly(5L);
        assertThat(v.problems().get(0).kind()).isEqualTo(SecurityLog.Problem.CHANGED);
    }

    @Test
    void aDeletedEntryIsFoundAndPlaced() {
        write(10);
        tamper("DELETE FROM platform.security_log WHERE seq = 7");
        SecurityLog.Verification v = log.verify();
        assertThat(v.intact()).isFalse();
        assertThat(v.problems().get(0)).isEqualTo(new SecurityLog.Problem(7, SecurityLog.Problem.MISSING,
                "entry 7 is missing (deleted)"));
    }

    @Test
    void aDeletedEntryWithTheRestRenumberedIsFound() {
        write(10);
        tamper("DELETE FROM platform.security_log WHERE seq = 3");
        tamper("UPDATE platform.security_log SET seq = seq - 1 WHERE seq > 3");
        tamper("UPDATE platform.security_log_head SET seq = seq - 1");
        SecurityLog.Verification v = log.verify();
        assertThat(v.intact()).isFalse();
        assertThat(v.problems().get(0).seq()).isEqualTo(3);
    }

    @Test
    void aFabricatedEntryIsFound() {
        write(5);
        tamper("INSERT INTO platform.security_log SELECT 6, gen_random_uuid(), now(), 'AGREEMENT_CHANGED', 'OK', 'attacker',"
                + " NULL, NULL, NULL, NULL, '{}', hash, repeat('0', 64) FROM platform.security_log WHERE seq = 5");
        SecurityLog.Verification v = log.verify();
        assertThat(v.intact()).isFalse();
        assertThat(v.problems()).extracting(SecurityLog.Problem::seq).contains(6L);
    }

    @Test
    void aCutTailIsFound() {
        write(6);
        tamper("DELETE FROM platform.security_log WHERE seq >= 5");
        SecurityLog.Verification v = log.verify();
        assertThat(v.intact()).isFalse();
        assertThat(v.problems()).extracting(SecurityLog.Problem::kind).containsExactly(SecurityLog.Problem.MISSING);
        assertThat(v.problems().get(0).detail()).contains("cut from the end");
    }

    @Test
    void searchExportAndVerifyOverTheApi() {
        write(5);
        String op = token(Services.ADMINISTRATION, Services.OPERATOR);
        Res page = get(LOG + "?type=TOKEN_REJECTED&actor=sys-1&limit=1", op);
        assertThat(page.status()).as(page.text()).isEqualTo(200);
        assertThat(page.body().path("items").size()).isEqualTo(1);
        assertThat(page.body().path("items").get(0).path("actor").asString()).isEqualTo("sys-1");
        assertThat(page.body().path("items").get(0).path("hash").asString()).hasSize(64);
        Res next = get(LOG + "?type=TOKEN_REJECTED&actor=sys-1&limit=1&after=" + page.body().path("next").asString(), op);
        assertThat(next.body().path("items").size()).isEqualTo(1);
        assertThat(next.body().path("items").get(0).path("seq").asLong())
                .isLessThan(page.body().path("items").get(0).path("seq").asLong());
        Res export = call("GET", LOG + "/export?type=TOKEN_REJECTED", op, null);
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.header("Content-Type")).startsWith("application/x-ndjson");
        List<String> lines = export.text().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(json.readTree(lines.get(0)).path("seq").asLong()).isEqualTo(1);
        Res verified = get(LOG + "/verify", op);
        assertThat(verified.body().path("intact").asBoolean()).isTrue();
        assertThat(get(LOG + "?type=NO_SUCH_TYPE", op).status()).isEqualTo(400);
        assertThat(get(LOG + "?from=yesterday", op).status()).isEqualTo(400);
        assertThat(count("SELECT count(*) FROM platform.security_log WHERE type = 'LOG_VERIFIED'")).isEqualTo(1);
        // a municipal administrator sees its own municipality's entries only
        log.denied(SecurityEventType.TOKEN_REJECTED, new SecurityLog.Subject("x", "x", "22222222"), "other", Map.of());
        String admin = tokenFor("22222222", Services.ADMINISTRATION, Services.MUNICIPAL_ADMIN);
        Res theirs = get(LOG + "?type=TOKEN_REJECTED", admin);
        assertThat(theirs.body().path("items").size()).isEqualTo(1);
        // and someone with another service's token gets nothing
        assertThat(get(LOG, token(Services.ORGANISATION, Services.READ)).status()).isEqualTo(401);
    }

    @Test
    void entriesCarryTheirContext() {
        Res r = get("/api/organisation/v1/units", "garbage.token.value", "X-Correlation-Id", "corr-77");
        assertThat(r.status()).isEqualTo(401);
        SecurityEvent e = log.search(new SecurityLog.Filter(null, null, SecurityEventType.TOKEN_REJECTED, null, null),
                null, 1).get(0);
        assertThat(e.correlationId()).isEqualTo("corr-77");
        assertThat(e.ip()).isEqualTo("127.0.0.1");
        assertThat(e.at()).isNotNull();
        assertThat(e.details()).containsKey("reason");
        assertThat(e.details().toString()).doesNotContain("garbage.token.value");
    }

    private Res get(String path, String token, String... headers) {
        return call("GET", path, token, null, headers);
    }
}
