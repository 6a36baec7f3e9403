package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dk.opensts.platform.bitemporal.BitemporalStore;
import dk.opensts.platform.bitemporal.TimePoint;
import dk.opensts.platform.db.ModuleMigrations;
import dk.opensts.platform.db.ModuleSchema;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The plans of the store's searches, as PostgreSQL's plan cache settles on them for a prepared
 * statement: generic plans, made without the parameters' values. None may walk the exclusion
 * constraint's index for "valid now": that reads every version valid now, of every owner in the
 * schema, where the search's own condition has its index. The schema holds 30,000 current versions
 * of two owners (units, users, functions linking them, addresses), analysed.
 */
class SearchPlanTest {

    static final UUID OWNER = md5Uuid("owner");
    static JdbcClient jdbc;
    /** The simple query protocol: {@code EXPLAIN (GENERIC_PLAN)} of a statement with {@code $n} and no values. */
    static JdbcClient explain;
    static BitemporalStore store;

    @BeforeAll
    static void schema() throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(TestDatabase.newDatabase());
        ds.setUser("postgres");
        ModuleMigrations.migrate(ds, List.of(new ModuleSchema("platform", false), new ModuleSchema("organisation", true)));
        jdbc = JdbcClient.create(ds);
        explain = simpleProtocol(ds.getUrl());
        // generic plans need PostgreSQL 16's EXPLAIN (GENERIC_PLAN); the embedded database is 17
        assumeTrue(jdbc.sql("SHOW server_version_num").query(Integer.class).single() >= 160000);
        String versions = "WITH o AS (SELECT g, md5(g::text)::uuid AS id,"
                + " CASE WHEN g % 3 = 0 THEN 'unit' WHEN g % 3 = 1 THEN 'user' ELSE 'function' END AS type,"
                + " CASE WHEN g % 2 = 0 THEN CAST(:owner AS uuid) ELSE md5('other')::uuid END AS owner"
                + " FROM generate_series(1, 30000) g)";
        jdbc.sql(versions + " INSERT INTO organisation.registry_object (id, type, owner, version, lifecycle, created_at,"
                + " registered_at) SELECT id, type, owner, 1, 'IMPORTED', now(), now() FROM o")
                .param("owner", OWNER).update();
        jdbc.sql("INSERT INTO organisation.registration (id, object_id, version, registered_at, actor, lifecycle)"
                + " SELECT id, id, 1, registered_at, 'test', 'IMPORTED' FROM organisation.registry_object").update();
        // units in a tree, users, and functions linking a user (two rows back) and a unit
        jdbc.sql(versions + " INSERT INTO organisation.object_version (object_id, type, owner, valid, sys, registration_id,"
                + " user_key, name, parent_id, refs, data)"
                + " SELECT id, type, owner, tstzrange('2026-01-01', NULL), tstzrange(now(), NULL), id, type || g,"
                + " 'Navn ' || g, CASE WHEN type = 'unit' AND g > 3 THEN md5((g / 6 * 3)::text)::uuid END,"
                + " CASE WHEN type = 'function' THEN ARRAY[md5((g - 1)::text)::uuid, md5((g - 2)::text)::uuid]"
                + " ELSE '{}' END, '{}' FROM o").param("owner", OWNER).update();
        jdbc.sql("ANALYZE organisation.object_version").update();
        jdbc.sql("ANALYZE organisation.registration").update();
        jdbc.sql("ANALYZE organisation.registry_object").update();
        store = new BitemporalStore("organisation", ds, JsonMapper.builder().build(), Clock.systemUTC());
    }

    static List<BitemporalStore.Query> searches() {
        UUID user = md5Uuid("4");
        TimePoint now = TimePoint.at(Instant.now());
        TimePoint past = new TimePoint(Instant.parse("2026-03-01T00:00:00Z"), Instant.now().minusSeconds(1));
        return List.of(
                // everything linked to a user (a login reads her engagements and e-mail so)
                new BitemporalStore.Query(null, OWNER, false, null, null, null, user, now, null, 100),
                new BitemporalStore.Query(null, OWNER, false, null, null, null, user, past, null, 100),
                new BitemporalStore.Query("user", OWNER, false, "user4", null, null, null, now, null, 100),
                new BitemporalStore.Query("user", null, false, "user4", null, null, null, now, null, 100),
                new BitemporalStore.Query("unit", OWNER, false, null, null, UUID.randomUUID(), null, now, null, 100),
                new BitemporalStore.Query("unit", OWNER, false, null, null, null, null, now, null, 100));
    }

    @ParameterizedTest
    @MethodSource("searches")
    void noGenericPlanWalksTheExclusionIndex(BitemporalStore.Query q) {
        BitemporalStore.Statement s = store.searchStatement(q);
        String plan = String.join("\n", explain.sql("EXPLAIN (GENERIC_PLAN) " + positional(s.sql()))
                .query(String.class).list());
        assertThat(plan).as(s.sql()).doesNotContain("object_version_no_overlap");
    }

    /** A client of the database at {@code url} on the simple query protocol (for {@code EXPLAIN (GENERIC_PLAN)}). */
    static JdbcClient simpleProtocol(String url) {
        PGSimpleDataSource simple = new PGSimpleDataSource();
        simple.setUrl(url);
        simple.setUser("postgres");
        simple.setPreferQueryMode(org.postgresql.jdbc.PreferQueryMode.SIMPLE);
        return JdbcClient.create(simple);
    }

    /** PostgreSQL's {@code md5(text)::uuid}: the digest's bytes as they are. */
    static UUID md5Uuid(String text) {
        try {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(java.security.MessageDigest.getInstance("MD5")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return new UUID(b.getLong(), b.getLong());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code :name} parameters as {@code $1}, {@code $2}, ... (casts such as {@code ::text} left alone). */
    static String positional(String sql) {
        Map<String, Integer> numbers = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?<![:\\w]):([A-Za-z]\\w*)").matcher(sql);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int n = numbers.computeIfAbsent(m.group(1), k -> numbers.size() + 1);
            m.appendReplacement(out, "\\$" + n);
        }
        m.appendTail(out);
        return out.toString();
    }
}
