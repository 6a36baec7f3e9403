package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dk.opensts.platform.security.Services;
import dk.opensts.platform.securitylog.SecurityEvent;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The security log: append-only, hash-chained, and every change, insertion or deletion found and placed. */
class SecurityLogTest extends ApiTest {

    static final String LOG = "/api/admin/v1/security-log";

    @Autowired
    SecurityLog log;

    @Autowired
    DataSource dataSource;

    @org.springframework.beans.factory.annotation.Value("${opensts.data-dir:./data}")
    String dataDir;

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

    @Test
    void appendsMadeTogetherFormOneUnbrokenChain() throws Exception {
        int threads = 8;
        int each = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<SecurityEvent>>> callers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            callers.add(pool.submit(writer(log, "sys-" + t, each, start)));
        }
        start.countDown();
        List<SecurityEvent> all = new ArrayList<>();
        for (Future<List<SecurityEvent>> caller : callers) {
            List<SecurityEvent> mine = caller.get(60, TimeUnit.SECONDS);
            // one caller's entries keep the order it wrote them in
            assertThat(mine).extracting(SecurityEvent::seq).isSorted();
            all.addAll(mine);
        }
        pool.shutdown();
        assertThat(all).extracting(SecurityEvent::seq)
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, threads * each).boxed().toList());
        Map<Long, String> stored = new HashMap<>();
        jdbc.sql("SELECT seq, hash FROM platform.security_log").query(rs -> {
            stored.put(rs.getLong("seq"), rs.getString("hash"));
        });
        for (SecurityEvent e : all) {
            assertThat(stored.get(e.seq())).as("entry %d as answered to its caller", e.seq()).isEqualTo(e.hash());
        }
        SecurityLog.Verification v = log.verify();
        assertThat(v.intact()).isTrue();
        assertThat(v.entries()).isEqualTo(threads * each);
        assertThat(v.anchorSeq()).isEqualTo(threads * each);
    }

    @Test
    void appendsFromTwoNodesFormOneUnbrokenChain() throws Exception {
        // a second node: its own log on the same database and key, each chaining onto what the other wrote
        SecurityLog other = new SecurityLog(dataSource, json, java.time.Clock.systemUTC(),
                dk.opensts.platform.security.SecretFiles.readOrCreate(
                        java.nio.file.Path.of(dataDir, "secrets", "security-log.key"), 32));
        int threads = 4;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(2 * threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<SecurityEvent>>> callers = new ArrayList<>();
        for (SecurityLog node : List.of(log, other)) {
            for (int t = 0; t < threads; t++) {
                callers.add(pool.submit(writer(node, (node == log ? "a-" : "b-") + t, each, start)));
            }
        }
        start.countDown();
        List<Long> seqs = new ArrayList<>();
        for (Future<List<SecurityEvent>> caller : callers) {
            caller.get(60, TimeUnit.SECONDS).forEach(e -> seqs.add(e.seq()));
        }
        pool.shutdown();
        assertThat(seqs).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 2 * threads * each).boxed().toList());
        for (SecurityLog node : List.of(log, other)) {
            SecurityLog.Verification v = node.verify();
            assertThat(v.intact()).isTrue();
            assertThat(v.entries()).isEqualTo(2 * threads * each);
        }
        // and after the other node wrote last, this one chains onto it
        other.denied(SecurityEventType.TOKEN_REJECTED, SecurityLog.Subject.ANONYMOUS, "from b", Map.of());
        assertThat(record("after").seq()).isEqualTo(2 * threads * each + 2);
        assertThat(log.verify().intact()).isTrue();
    }

    @Test
    void anEntryTheDatabaseRefusesFailsAloneAndTheEntriesWrittenWithItAreKept() throws Exception {
        jdbc.sql("CREATE FUNCTION platform.test_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " BEGIN IF NEW.actor = 'poison' THEN RAISE EXCEPTION 'poisoned entry'; END IF; RETURN NEW; END $$").update();
        jdbc.sql("CREATE TRIGGER test_refuse_poison BEFORE INSERT ON platform.security_log"
                + " FOR EACH ROW EXECUTE FUNCTION platform.test_refuse_poison()").update();
        ExecutorService pool = Executors.newCachedThreadPool();
        try (Connection holder = dataSource.getConnection()) {
            // hold the anchor row: the first append waits in the database, the next ones behind it in
            // the process, and those are then written together in one transaction
            holder.setAutoCommit(false);
            holder.createStatement().execute("SELECT seq FROM platform.security_log_head FOR UPDATE");
            Future<SecurityEvent> first = pool.submit(() -> record("first"));
            await(() -> jdbc.sql("SELECT count(*) FROM pg_locks WHERE NOT granted").query(Long.class).single() > 0);
            List<Thread> queued = new CopyOnWriteArrayList<>();
            Map<String, Future<SecurityEvent>> together = new LinkedHashMap<>();
            for (String actor : List.of("a", "b", "poison", "c", "d")) {
                together.put(actor, pool.submit(() -> {
                    queued.add(Thread.currentThread());
                    return record(actor);
                }));
            }
            await(() -> queued.size() == 5 && queued.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
            holder.rollback();
            assertThat(first.get(30, TimeUnit.SECONDS).seq()).isEqualTo(1);
            for (Map.Entry<String, Future<SecurityEvent>> e : together.entrySet()) {
                if (e.getKey().equals("poison")) {
                    assertThatThrownBy(() -> e.getValue().get(30, TimeUnit.SECONDS)).hasMessageContaining("poisoned entry");
                } else {
                    assertThat(e.getValue().get(30, TimeUnit.SECONDS).actor()).isEqualTo(e.getKey());
                }
            }
        } finally {
            pool.shutdownNow();
            jdbc.sql("DROP TRIGGER test_refuse_poison ON platform.security_log").update();
            jdbc.sql("DROP FUNCTION platform.test_refuse_poison()").update();
        }
        assertThat(jdbc.sql("SELECT actor FROM platform.security_log ORDER BY seq").query(String.class).list())
                .containsExactlyInAnyOrder("first", "a", "b", "c", "d");
        SecurityLog.Verification v = log.verify();
        assertThat(v.intact()).isTrue();
        assertThat(v.entries()).isEqualTo(5);
    }

    @Test
    void entriesAppendedTogetherKeepTheirOrderInOneUnbrokenChain() {
        // more than one statement's worth (500)
        List<SecurityLog.NewEntry> many = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            many.add(SecurityLog.NewEntry.denied(SecurityEventType.TOKEN_REJECTED,
                    new SecurityLog.Subject("sys-" + i, "sys-" + i, "11111111"), "burst " + i, Map.of("i", i)));
        }
        List<SecurityEvent> written = log.recordAll(many);
        assertThat(written).extracting(SecurityEvent::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 1200).boxed().toList());
        assertThat(written).extracting(SecurityEvent::actor)
                .containsExactlyElementsOf(many.stream().map(e -> e.who().actor()).toList());
        assertThat(written.get(7).details()).containsEntry("reason", "burst 7");
        SecurityLog.Verification v = log.verify();
        assertThat(v.intact()).isTrue();
        assertThat(v.entries()).isEqualTo(1200);
    }

    @Test
    void anEntryTheDatabaseRefusesAmongOthersAppendedTogetherFailsTheCallAndTheOthersAreKept() {
        jdbc.sql("CREATE FUNCTION platform.test_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " BEGIN IF NEW.actor = 'poison' THEN RAISE EXCEPTION 'poisoned entry'; END IF; RETURN NEW; END $$").update();
        jdbc.sql("CREATE TRIGGER test_refuse_poison BEFORE INSERT ON platform.security_log"
                + " FOR EACH ROW EXECUTE FUNCTION platform.test_refuse_poison()").update();
        try {
            List<SecurityLog.NewEntry> entries = new ArrayList<>();
            for (String actor : List.of("a", "poison", "b")) {
                entries.add(SecurityLog.NewEntry.denied(SecurityEventType.TOKEN_REJECTED,
                        new SecurityLog.Subject(actor, actor, "11111111"), "together", Map.of()));
            }
            assertThatThrownBy(() -> log.recordAll(entries)).hasMessageContaining("poisoned entry");
        } finally {
            jdbc.sql("DROP TRIGGER test_refuse_poison ON platform.security_log").update();
            jdbc.sql("DROP FUNCTION platform.test_refuse_poison()").update();
        }
        assertThat(jdbc.sql("SELECT actor FROM platform.security_log ORDER BY seq").query(String.class).list())
                .containsExactly("a", "b");
        assertThat(log.verify().intact()).isTrue();
    }

    @Test
    void aNulCharacterCannotKeepAnEntryOut() {
        SecurityEvent e = log.denied(SecurityEventType.TOKEN_REJECTED, new SecurityLog.Subject("evil\0name", "sys\0", "11111111"),
                "nul in the subject", Map.of("header", "a\0b"));
        assertThat(e.actor()).isEqualTo("evil\uFFFDname");
        assertThat(e.system()).isEqualTo("sys\uFFFD");
        assertThat(log.search(SecurityLog.Filter.ALL, null, 1).get(0).details()).containsEntry("header", "a\0b");
        assertThat(log.verify().intact()).isTrue();
    }

    /** Once started, writes {@code each} entries of one actor in order and answers them as written. */
    private static java.util.concurrent.Callable<List<SecurityEvent>> writer(SecurityLog node, String actor, int each,
                                                                             CountDownLatch start) {
        return () -> {
            start.await();
            List<SecurityEvent> mine = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                mine.add(node.denied(SecurityEventType.TOKEN_REJECTED, new SecurityLog.Subject(actor, actor, "11111111"),
                        "test " + i, Map.of("i", i)));
            }
            return mine;
        };
    }

    private SecurityEvent record(String actor) {
        return log.denied(SecurityEventType.TOKEN_REJECTED, new SecurityLog.Subject(actor, actor, "11111111"), "test", Map.of());
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 20 s");
            }
            Thread.sleep(10);
        }
    }

    private Res get(String path, String token, String... headers) {
        return call("GET", path, token, null, headers);
    }
}
