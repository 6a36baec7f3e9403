package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.platform.security.Services;
import java.time.Instant;
import java.net.URLEncoder;
import java.util.List;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rules of the Organisation registry, through its REST API against a real database. */
class OrganisationApiTest extends ApiTest {

    static final String O = "/api/organisation/v1";
    String token;
    String org;

    @BeforeEach
    void municipality() {
        token = token(Services.ORGANISATION, Services.READ, Services.WRITE);
        Res existing = get(O + "/organisations?cvr=" + CVR, token);
        if (existing.body().path("items").size() > 0) {
            org = existing.body().path("items").get(0).path("id").asString();
            return;
        }
        Res r = call("POST", O + "/organisations", token, "{\"cvr\":\"" + CVR + "\",\"name\":\"Testkommune\",\"validity\":{\"from\":\"2000-01-01\"}}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        org = r.body().path("id").asString();
    }

    String unit(String userKey, String parent) {
        Res r = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"" + userKey
                + "\",\"name\":\"Enhed " + userKey + "\"" + (parent == null ? "" : ",\"parent\":\"" + parent + "\"") + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.body().path("id").asString();
    }

    long versions() {
        return count("SELECT count(*) FROM organisation.object_version");
    }

    @Test
    void createReadAndETag() {
        String id = unit("u1", null);
        Res r = get(O + "/units/" + id, token);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("ETag")).isEqualTo("\"1\"");
        assertThat(r.body().path("name").asString()).isEqualTo("Enhed u1");
        assertThat(r.body().path("lifecycle").asString()).isEqualTo("CREATED");
        assertThat(r.body().path("registration").path("actor").asString()).isNotBlank();
    }

    @Test
    void badInputIsRefusedAndNothingWritten() {
        long before = versions();
        Res unknown = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"x\",\"name\":\"X\",\"colour\":\"red\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.code()).isEqualTo("UNKNOWN_FIELD");
        assertThat(unknown.body().path("errors").get(0).path("field").asString()).isEqualTo("/colour");
        Res wrongType = call("POST", O + "/units", token, "{\"organisation\":\"not-a-uuid\",\"userKey\":\"x\",\"name\":\"X\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.code()).isEqualTo("WRONG_TYPE");
        // a truth value or a number where a text belongs, an id that is not a UUID written out: wrong types
        for (String[] wrong : new String[][] {{"name", "true"}, {"name", "12"}, {"userKey", "1.5"},
                {"parent", "\"AAAAAAAAAAAAAAAAAAAAAA\""}, {"parent", "1180591620717411303424"}}) {
            var body = json.createObjectNode().put("organisation", org).put("userKey", "x").put("name", "X");
            body.set(wrong[0], json.readTree(wrong[1]));
            Res r = call("POST", O + "/units", token, body.toString());
            assertThat(r.status()).as(wrong[0] + "=" + wrong[1] + ": " + r.text()).isEqualTo(400);
            assertThat(r.code()).isEqualTo("WRONG_TYPE");
            assertThat(r.body().path("errors").get(0).path("field").asString()).isEqualTo("/" + wrong[0]);
        }
        Res twice = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"x\","
                + "\"name\":\"A\",\"validity\":{\"from\":\"2020-01-01T00:00:00Z\"},\"name\":\"B\"}");
        assertThat(twice.status()).as(twice.text()).isEqualTo(400);
        assertThat(twice.code()).isEqualTo("MALFORMED_BODY");
        assertThat(twice.body().path("detail").asString()).isEqualTo("The member \"name\" appears twice in one object");
        Res malformed = call("POST", O + "/units", token, "{\"organisation\":");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.code()).isEqualTo("MALFORMED_BODY");
        // beyond what the parser reads: said so, not "could not be read", and without the parser's own names
        Res deep = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"x\",\"name\":\"X\","
                + "\"note\":" + "[".repeat(2000) + "]".repeat(2000) + "}");
        assertThat(deep.status()).as(deep.text()).isEqualTo(400);
        assertThat(deep.code()).isEqualTo("MALFORMED_BODY");
        assertThat(deep.body().path("detail").asString()).contains("nesting depth").doesNotContain("StreamReadConstraints");
        Res longNumber = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"x\","
                + "\"name\":\"X\",\"sortOrder\":" + "9".repeat(5000) + "}");
        assertThat(longNumber.status()).as(longNumber.text()).isEqualTo(400);
        assertThat(longNumber.code()).isEqualTo("MALFORMED_BODY");
        assertThat(longNumber.body().path("detail").asString()).contains("Number value length")
                .doesNotContain("StreamReadConstraints");
        for (String notAnObject : List.of("null", "[]", "\"x\"", "1")) {
            Res r = call("POST", O + "/units", token, notAnObject);
            assertThat(r.status()).as(notAnObject).isEqualTo(400);
            assertThat(r.code()).isEqualTo("MALFORMED_BODY");
            assertThat(r.body().path("detail").asString()).as(notAnObject).isEqualTo("The body must be a JSON object");
        }
        // a query parameter whose percent-encoding is not of UTF-8 text
        Res undecodable = get(O + "/units?name=%FF%FE", token);
        assertThat(undecodable.status()).as(undecodable.text()).isEqualTo(400);
        assertThat(undecodable.code()).isEqualTo("INVALID_PARAMETER");
        Res missing = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"x\"}");
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.code()).isEqualTo("VALIDATION_FAILED");
        // the API speaks English, whatever language the caseworkers' overview beside it is in or is asked for
        assertThat(missing.body().path("errors").get(0).path("reason").asString()).isEqualTo("must not be blank");
        Res danish = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"x\"}",
                "Accept-Language", "da-DK,da;q=0.9");
        assertThat(danish.body().path("errors").get(0).path("reason").asString()).isEqualTo("must not be blank");
        Res period = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"x\",\"name\":\"X\","
                + "\"validity\":{\"from\":\"2025-01-01T00:00:00Z\",\"to\":\"2024-01-01T00:00:00Z\"}}");
        assertThat(period.status()).isEqualTo(422);
        assertThat(period.code()).isEqualTo("INVALID_PERIOD");
        Res broken = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"x\",\"name\":\"X\","
                + "\"parent\":\"00000000-0000-4000-8000-000000000000\"}");
        assertThat(broken.status()).isEqualTo(422);
        assertThat(broken.code()).isEqualTo("BROKEN_REFERENCE");
        Res cpr = call("POST", O + "/persons", token, "{\"organisation\":\"" + org + "\",\"cpr\":\"12345\",\"name\":\"A\"}");
        assertThat(cpr.status()).isEqualTo(422);
        assertThat(cpr.body().path("errors").get(0).path("field").asString()).isEqualTo("/cpr");
        // the NUL character, which PostgreSQL's text cannot hold: in a body named by its field, in a query
        // parameter by the firewall, both as problem+json
        Res nul = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"x\",\"name\":\"X\\u0000\"}");
        assertThat(nul.status()).as(nul.text()).isEqualTo(422);
        assertThat(nul.code()).isEqualTo("VALIDATION_FAILED");
        assertThat(nul.body().path("errors").get(0).path("field").asString()).isEqualTo("/name");
        String id = unit("nul", null);
        Res nulPatch = call("PATCH", O + "/units/" + id, token, "{\"name\":\"Y\\u0000\"}", "If-Match", "\"1\"");
        assertThat(nulPatch.status()).as(nulPatch.text()).isEqualTo(422);
        for (var query : Map.of(O + "/units?userKey=a%00b", token, "/api/classification/v1/classes?userKey=a%00b",
                token(Services.CLASSIFICATION, Services.READ)).entrySet()) {
            Res q = get(query.getKey(), query.getValue());
            assertThat(q.status()).as(q.text()).isEqualTo(400);
            assertThat(q.header("Content-Type")).startsWith("application/problem+json");
            assertThat(q.code()).isEqualTo("INVALID_PARAMETER");
        }
        // times beyond what the database holds (years 1 to 9999), in a body and as a parameter
        Res far = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"x\",\"name\":\"X\","
                + "\"validity\":{\"from\":\"+294277-01-01T00:00:00Z\"}}");
        assertThat(far.status()).as(far.text()).isEqualTo(422);
        assertThat(far.body().path("errors").get(0).path("field").asString()).isEqualTo("/validity/from");
        assertThat(far.body().path("errors").get(0).path("reason").asString()).isEqualTo("lies outside the years 1 to 9999");
        Res farQuery = get(O + "/units?validAt=%2B294277-01-01T00:00:00Z", token);
        assertThat(farQuery.status()).as(farQuery.text()).isEqualTo(400);
        assertThat(farQuery.code()).isEqualTo("INVALID_PARAMETER");
        assertThat(get(O + "/units?validAt=9999-12-31&knownAt=0001-01-01T00:00:00Z", token).status()).isEqualTo(200);
        assertThat(versions()).isEqualTo(before + 1);
    }

    /**
     * An id only as a UUID written out: {@code UUID.fromString} read {@code 1-1-1-1-1} as
     * {@code 00000001-0001-0001-0001-000000000001}, so one unit answered to many ids.
     */
    @Test
    void idsAreTakenOnlyWrittenOut() {
        String id = "00000001-0001-0001-0001-000000000001";
        String body = "{\"organisation\":\"" + org + "\",\"userKey\":\"w\",\"name\":\"Skrevet ud\"}";
        assertThat(call("PUT", O + "/units/" + id, token, body).status()).isIn(200, 201);
        assertThat(get(O + "/units/" + id.toUpperCase(), token).status()).isEqualTo(200);
        long before = versions();
        for (String path : List.of("/units/1-1-1-1-1", "/units/1-1-1-1-1/subtree", "/units?parent=1-1-1-1-1",
                "/units/00000001-1-1-1-000000000001", "/units/" + id + "0")) {
            Res r = get(O + path, token);
            assertThat(r.status()).as(path + ": " + r.text()).isEqualTo(400);
            assertThat(r.code()).as(path).isEqualTo("INVALID_PARAMETER");
            assertThat(r.body().path("detail").asString()).as(path).contains("8-4-4-4-12");
        }
        Res put = call("PUT", O + "/units/1-1-1-1-2", token, body.replace("\"w\"", "\"w2\""));
        assertThat(put.status()).as(put.text()).isEqualTo(400);
        Res patch = call("PATCH", O + "/units/1-1-1-1-1", token, "{\"name\":\"Alias\"}", "If-Match", "\"1\"");
        assertThat(patch.status()).as(patch.text()).isEqualTo(400);
        Res inBody = call("POST", O + "/units", token, body.replace("{", "{\"id\":\"1-1-1-1-3\","));
        assertThat(inBody.status()).as(inBody.text()).isEqualTo(400);
        assertThat(inBody.code()).isEqualTo("WRONG_TYPE");
        assertThat(inBody.body().path("errors").get(0).path("field").asString()).isEqualTo("/id");
        assertThat(versions()).isEqualTo(before);
        assertThat(get(O + "/units/" + id, token).body().path("name").asString()).isEqualTo("Skrevet ud");
    }

    @Test
    void unitCannotMoveUnderItsOwnDescendant() {
        String a = unit("a", null);
        String b = unit("b", a);
        String c = unit("c", b);
        long before = versions();
        Res r = call("PATCH", O + "/units/" + a, token, "{\"parent\":\"" + c + "\"}", "If-Match", "\"1\"");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.code()).isEqualTo("HIERARCHY_CYCLE");
        assertThat(versions()).isEqualTo(before);
    }

    @Test
    void staleVersionIsRefusedAndIfMatchRequired() {
        String id = unit("s", null);
        Res ok = call("PATCH", O + "/units/" + id, token, "{\"name\":\"Ny\"}", "If-Match", "\"1\"");
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        assertThat(ok.header("ETag")).isEqualTo("\"2\"");
        Res stale = call("PATCH", O + "/units/" + id, token, "{\"name\":\"Ældre\"}", "If-Match", "\"1\"");
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.code()).isEqualTo("STALE_VERSION");
        Res none = call("PATCH", O + "/units/" + id, token, "{\"name\":\"Uden\"}");
        assertThat(none.status()).isEqualTo(428);
        assertThat(get(O + "/units/" + id, token).body().path("name").asString()).isEqualTo("Ny");
    }

    @Test
    void updatesWriteOnlyTheChangedPeriodAndHistoryIsKept() {
        Res created = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"h\",\"name\":\"Først\","
                + "\"validity\":{\"from\":\"2020-01-01\"}}");
        String id = created.body().path("id").asString();
        Instant afterCreate = Instant.now();
        // rename only for 2022
        Res patched = call("PATCH", O + "/units/" + id, token, "{\"name\":\"Midt\",\"validity\":{\"from\":\"2022-01-01\",\"to\":\"2023-01-01\"}}",
                "If-Match", "\"1\"");
        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        assertThat(get(O + "/units/" + id + "?validAt=2021-06-01", token).body().path("name").asString()).isEqualTo("Først");
        assertThat(get(O + "/units/" + id + "?validAt=2022-06-01", token).body().path("name").asString()).isEqualTo("Midt");
        assertThat(get(O + "/units/" + id + "?validAt=2024-06-01", token).body().path("name").asString()).isEqualTo("Først");
        // as known before the patch, 2022 was "Først"
        String known = URLEncoder.encode(afterCreate.toString(), StandardCharsets.UTF_8);
        assertThat(get(O + "/units/" + id + "?validAt=2022-06-01&knownAt=" + known, token).body().path("name").asString())
                .isEqualTo("Først");
        Res history = get(O + "/units/" + id + "/history", token);
        assertThat(history.body().path("registrations").size()).isEqualTo(2);
        // 1 original (closed) + 3 pieces of the new registration
        assertThat(history.body().path("versions").size()).isEqualTo(4);
        // overlapping versions are impossible by constraint
        assertThat(count("SELECT count(*) FROM pg_constraint WHERE conname = 'object_version_no_overlap'"
                + " AND connamespace = 'organisation'::regnamespace")).isEqualTo(1);
    }

    @Test
    void passivateHidesAndDeleteIsGone() {
        String id = unit("p", null);
        Instant before = Instant.now();
        Res p = call("POST", O + "/units/" + id + "/passivation", token, null, "If-Match", "\"1\"");
        assertThat(p.status()).as(p.text()).isEqualTo(200);
        Res hidden = get(O + "/units/" + id, token);
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(hidden.code()).isEqualTo("PASSIVATED");
        assertThat(get(O + "/units/" + id + "?knownAt=" + URLEncoder.encode(before.toString(), StandardCharsets.UTF_8), token)
                .status()).isEqualTo(200);
        Res d = call("DELETE", O + "/units/" + id, token, null, "If-Match", "\"2\"");
        assertThat(d.status()).isEqualTo(200);
        Res gone = get(O + "/units/" + id, token);
        assertThat(gone.status()).isEqualTo(410);
        assertThat(gone.code()).isEqualTo("GONE");
    }

    @Test
    void localIdOfTheSourceSystemMakesOneObject() {
        String body = "{\"organisation\":\"" + org + "\",\"userKey\":\"lid\",\"name\":\"Lokal\"}";
        Res first = call("POST", O + "/units", token, body, "Local-Id", "fag-42");
        assertThat(first.status()).as(first.text()).isEqualTo(201);
        long versions = versions();
        // a retry or re-sync of the same record finds the object and writes nothing
        Res again = call("POST", O + "/units", token, body, "Local-Id", "fag-42");
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        assertThat(again.body().path("id").asString()).isEqualTo(first.body().path("id").asString());
        assertThat(versions()).isEqualTo(versions);
        // other attributes under the same local id are refused with the object's id
        Res other = call("POST", O + "/units", token, body.replace("Lokal", "Anden"), "Local-Id", "fag-42");
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.code()).isEqualTo("DUPLICATE");
        assertThat(other.body().path("objectId").asString()).isEqualTo(first.body().path("id").asString());
        assertThat(versions()).isEqualTo(versions);
        // another system's local id of the same text is its own
        String otherSystem = tokenFor(CVR, Services.ORGANISATION, Services.WRITE, Services.READ);
        Res theirs = call("POST", O + "/units", otherSystem, body, "Local-Id", "fag-42");
        assertThat(theirs.status()).as(theirs.text()).isEqualTo(201);
        assertThat(theirs.body().path("id").asString()).isNotEqualTo(first.body().path("id").asString());
        // a refused create does not keep its local id
        Res invalid = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"name\":\"x\"}",
                "Local-Id", "fag-43");
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(count("SELECT count(*) FROM platform.source_key WHERE local_id = 'fag-43'")).isZero();
        assertThat(call("POST", O + "/units", token, body, "Local-Id", "x".repeat(201)).status()).isEqualTo(400);
    }

    @Test
    void idempotencyKeyMakesRetriesSafe() {
        String body = "{\"organisation\":\"" + org + "\",\"userKey\":\"i\",\"name\":\"Idem\"}";
        Res first = call("POST", O + "/units", token, body, "Idempotency-Key", "k-1");
        Res retry = call("POST", O + "/units", token, body, "Idempotency-Key", "k-1");
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.body().path("id").asString()).isEqualTo(first.body().path("id").asString());
        assertThat(count("SELECT count(*) FROM organisation.registry_object WHERE type = 'unit' AND id = '"
                + first.body().path("id").asString() + "'")).isEqualTo(1);
        Res other = call("POST", O + "/units", token, body.replace("Idem", "Other"), "Idempotency-Key", "k-1");
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.code()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        // PUT by id is idempotent by nature: the second one writes nothing
        String id = "3f1b8a2e-0000-4000-8000-0000000000aa";
        String put = "{\"organisation\":\"" + org + "\",\"userKey\":\"put\",\"name\":\"Put\"}";
        assertThat(call("PUT", O + "/units/" + id, token, put).status()).isEqualTo(201);
        long v = versions();
        Res again = call("PUT", O + "/units/" + id, token, put);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.header("ETag")).isEqualTo("\"1\"");
        assertThat(versions()).isEqualTo(v);
    }

    @Test
    void subtreeAndAncestorsAsOfAPastDate() {
        Res root = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"r\",\"name\":\"Rod\","
                + "\"validity\":{\"from\":\"2020-01-01\"}}");
        String r = root.body().path("id").asString();
        Res child = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"c1\",\"name\":\"Barn\","
                + "\"parent\":\"" + r + "\",\"validity\":{\"from\":\"2021-01-01\"}}");
        String c = child.body().path("id").asString();
        Res grand = call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"g1\",\"name\":\"Barnebarn\","
                + "\"parent\":\"" + c + "\",\"validity\":{\"from\":\"2023-01-01\"}}");
        assertThat(grand.status()).as(grand.text()).isEqualTo(201);
        assertThat(get(O + "/units/" + r + "/subtree", token).body().path("items").size()).isEqualTo(3);
        assertThat(get(O + "/units/" + r + "/subtree?validAt=2022-01-01", token).body().path("items").size()).isEqualTo(2);
        assertThat(get(O + "/units/" + r + "/subtree?depth=0", token).body().path("items").size()).isEqualTo(1);
        var ancestors = get(O + "/units/" + grand.body().path("id").asString() + "/ancestors", token).body().path("items");
        assertThat(ancestors.size()).isEqualTo(2);
        assertThat(ancestors.get(0).path("id").asString()).isEqualTo(c);
        // siblings in Danish alphabetical order ("Aa" is Å, after Æ); items carry depth, attributes, validity
        for (String name : new String[] {"Aabenraa", "Ærø", "Amager"}) {
            assertThat(call("POST", O + "/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\"" + name
                    + "\",\"name\":\"" + name + "\",\"parent\":\"" + r + "\",\"validity\":{\"from\":\"2021-06-01\"}}")
                    .status()).isEqualTo(201);
        }
        var items = get(O + "/units/" + r + "/subtree?depth=1", token).body().path("items");
        assertThat(items.size()).isEqualTo(5);
        List<String> names = new java.util.ArrayList<>();
        items.forEach(i -> names.add(i.path("name").asString()));
        assertThat(names).containsExactly("Rod", "Amager", "Barn", "Ærø", "Aabenraa");
        assertThat(items.get(1).path("depth").asInt()).isEqualTo(1);
        assertThat(items.get(1).path("parent").asString()).isEqualTo(r);
        assertThat(items.get(0).path("validity").path("from").asString()).startsWith("2019-12-31T23:00:00Z");
        assertThat(items.get(0).has("registration")).isFalse();
        // the tree follows every write at once: a rename, a passivation
        String amager = items.get(1).path("id").asString();
        Res renamed = call("PATCH", O + "/units/" + amager, token, "{\"name\":\"Zealand\"}", "If-Match", "\"1\"");
        assertThat(renamed.status()).as(renamed.text()).isEqualTo(200);
        names.clear();
        get(O + "/units/" + r + "/subtree?depth=1", token).body().path("items").forEach(i -> names.add(i.path("name").asString()));
        assertThat(names).containsExactly("Rod", "Barn", "Zealand", "Ærø", "Aabenraa");
        Res passivated = call("POST", O + "/units/" + amager + "/passivation", token, null, "If-Match", "\"2\"");
        assertThat(passivated.status()).as(passivated.text()).isEqualTo(200);
        assertThat(get(O + "/units/" + r + "/subtree?depth=1", token).body().path("items").size()).isEqualTo(4);
        // as known before the siblings were registered
        String before = java.time.Instant.now().minusSeconds(3600).toString();
        assertThat(get(O + "/units/" + r + "/subtree?knownAt=" + before, token).status()).isEqualTo(404);
        // only units have subtrees
        Res person = call("POST", O + "/persons", token, "{\"organisation\":\"" + org + "\",\"cpr\":\"0202021234\",\"name\":\"B\"}");
        assertThat(get(O + "/units/" + person.body().path("id").asString() + "/subtree", token).status()).isEqualTo(404);
    }

    @org.springframework.beans.factory.annotation.Autowired
    dk.opensts.organisation.api.Organisations organisations;

    private static String unitRow(java.util.UUID id, String key, java.util.UUID parent) {
        return "{\"type\":\"unit\",\"id\":\"" + id + "\",\"userKey\":\"" + key + "\",\"name\":\"" + key + "\""
                + (parent == null ? "" : ",\"parent\":\"" + parent + "\"") + "}\n";
    }

    @Test
    void whatALoginReadsOfAUser() {
        java.util.UUID top = java.util.UUID.randomUUID();
        java.util.UUID mid = java.util.UUID.randomUUID();
        java.util.UUID low = java.util.UUID.randomUUID();
        java.util.UUID user = java.util.UUID.randomUUID();
        String feed = unitRow(top, "login-top", null) + unitRow(mid, "login-mid", top) + unitRow(low, "login-low", mid)
                + "{\"type\":\"user\",\"id\":\"" + user + "\",\"userKey\":\"login-u\",\"name\":\"Lise\"}\n"
                + "{\"type\":\"function\",\"id\":\"" + java.util.UUID.randomUUID() + "\",\"userKey\":\"login-f\","
                + "\"name\":\"Ansættelse\",\"functionType\":\"ENGAGEMENT\",\"users\":[\"" + user + "\"],\"units\":[\""
                + mid + "\"]}\n"
                + "{\"type\":\"address\",\"id\":\"" + java.util.UUID.randomUUID() + "\",\"belongsTo\":\"" + user
                + "\",\"addressType\":\"EMAIL\",\"value\":\"lise@kommune.dk\"}\n";
        assertThat(organisations.importFeed(CVR, new java.io.StringReader(feed), "test")).isEqualTo(6);

        var found = organisations.findUser(CVR, user).orElseThrow();
        assertThat(found.userKey()).isEqualTo("login-u");
        assertThat(found.name()).isEqualTo("Lise");
        assertThat(found.email()).isEqualTo("lise@kommune.dk");
        assertThat(found.units()).containsExactly(mid);
        // only in her own municipality, and only a user
        assertThat(organisations.findUser("99999999", user)).isEmpty();
        assertThat(organisations.findUser(CVR, mid)).isEmpty();

        var around = organisations.around(found.units());
        assertThat(around.ancestors()).containsExactly(top);
        assertThat(around.withSubunits()).containsExactlyInAnyOrder(mid, low);
        // the tree read follows a write at once: the lowest unit moved to the top
        Res moved = call("PATCH", O + "/units/" + low, token, "{\"parent\":\"" + top + "\"}", "If-Match", "\"1\"");
        assertThat(moved.status()).as(moved.text()).isEqualTo(200);
        assertThat(organisations.around(found.units()).withSubunits()).containsExactly(mid);
        assertThat(organisations.around(java.util.Set.of()).ancestors()).isEmpty();
    }

    @Test
    void personalDataIsAuditedAndChangesGoToTheOutbox() {
        Res person = call("POST", O + "/persons", token, "{\"organisation\":\"" + org + "\",\"cpr\":\"0101011234\",\"name\":\"Anna\"}");
        assertThat(person.status()).isEqualTo(201);
        String id = person.body().path("id").asString();
        get(O + "/persons/" + id, token);
        Res search = get(O + "/persons?cpr=0101011234&organisation=" + org, token);
        assertThat(search.body().path("items").size()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM platform.audit_log WHERE '" + id + "' = ANY(object_ids)")).isEqualTo(3);
        assertThat(count("SELECT count(*) FROM platform.audit_log WHERE action = 'SEARCH' AND details->>'cpr' = '0101011234'"))
                .isEqualTo(1);
        // the outbox delivers the change to the change feed after commit
        long deadline = System.currentTimeMillis() + 10_000;
        while (count("SELECT count(*) FROM platform.change_feed WHERE object_id = '" + id + "'") == 0
                && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(count("SELECT count(*) FROM platform.change_feed WHERE object_id = '" + id + "'")).isEqualTo(1);
    }

    @Test
    void keysetPagination() {
        for (int i = 0; i < 5; i++) {
            unit("page" + i, null);
        }
        Res first = get(O + "/units?organisation=" + org + "&name=enhed%20page&limit=2", token);
        assertThat(first.body().path("items").size()).isEqualTo(2);
        String next = first.body().path("next").asString();
        Res second = get(O + "/units?organisation=" + org + "&name=enhed%20page&limit=2&after=" + next, token);
        assertThat(second.body().path("items").get(0).path("id").asString())
                .isGreaterThan(first.body().path("items").get(1).path("id").asString());
        assertThat(get(O + "/units?limit=5000", token).status()).isEqualTo(400);
        assertThat(get(O + "/units?bogus=1", token).code()).isEqualTo("INVALID_PARAMETER");
        // a page token is for the search it came from: not another type's, not other filters'
        for (String other : List.of(O + "/users?organisation=" + org + "&name=enhed%20page&limit=2&after=" + next,
                O + "/units?organisation=" + org + "&name=enhed&limit=2&after=" + next,
                O + "/units?organisation=" + org + "&limit=2&after=" + next)) {
            Res r = get(other, token);
            assertThat(r.status()).as(other + ": " + r.text()).isEqualTo(400);
            assertThat(r.code()).isEqualTo("INVALID_PARAMETER");
            assertThat(r.body().path("errors").get(0).path("field").asString()).isEqualTo("after");
        }
        assertThat(get(O + "/units?organisation=" + org + "&name=enhed%20page&limit=2&after=bm90LWEtdG9rZW4", token)
                .code()).isEqualTo("INVALID_PARAMETER");
    }

    /**
     * The pages of one search show the objects as valid when its first page was read: a unit that
     * becomes valid while the client reads the pages (and sorts after every other) is not on them.
     */
    @Test
    void thePagesOfASearchAreValidAtTheMomentOfTheFirst() throws Exception {
        for (int i = 0; i < 3; i++) {
            unit("moment" + i, null);
        }
        Instant soon = Instant.now().plusSeconds(2);
        Res late = call("POST", O + "/units", token, "{\"id\":\"ffffffff-ffff-4fff-bfff-ffffffffffff\",\"organisation\":\""
                + org + "\",\"userKey\":\"moment-late\",\"name\":\"Enhed moment late\",\"validity\":{\"from\":\"" + soon + "\"}}");
        assertThat(late.status()).as(late.text()).isEqualTo(201);
        String search = O + "/units?organisation=" + org + "&name=enhed%20moment&limit=2";
        Res first = get(search, token);
        assertThat(first.body().path("items").size()).isEqualTo(2);
        Thread.sleep(java.time.Duration.between(Instant.now(), soon).toMillis() + 200);
        List<String> seen = new java.util.ArrayList<>();
        first.body().path("items").forEach(i -> seen.add(i.path("userKey").asString()));
        String next = first.body().path("next").asString();
        while (next != null && !next.isEmpty() && !"null".equals(next)) {
            Res page = get(search + "&after=" + next, token);
            assertThat(page.status()).as(page.text()).isEqualTo(200);
            page.body().path("items").forEach(i -> seen.add(i.path("userKey").asString()));
            next = page.body().path("next").isNull() ? null : page.body().path("next").asString();
        }
        assertThat(seen).containsExactlyInAnyOrder("moment0", "moment1", "moment2");
        // a new search sees it
        assertThat(get(O + "/units?organisation=" + org + "&name=enhed%20moment&limit=10", token).body().path("items"))
                .hasSize(4);
    }
}
