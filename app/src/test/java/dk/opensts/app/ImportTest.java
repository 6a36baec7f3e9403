package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.classification.kle.SyntheticKle;
import dk.opensts.platform.security.Services;
import java.io.StringWriter;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Bulk imports: the Organisation feed and whole classifications (KLE XML, JSON). */
class ImportTest extends ApiTest {

    static final String O = "/api/organisation/v1";
    static final String C = "/api/classification/v1";

    String org(String token) {
        Res r = call("POST", O + "/organisations", token, "{\"cvr\":\"" + CVR + "\",\"name\":\"K\",\"validity\":{\"from\":\"2000-01-01\"}}");
        return r.status() == 201 ? r.body().path("id").asString()
                : get(O + "/organisations?cvr=" + CVR, token).body().path("items").get(0).path("id").asString();
    }

    static String feed(int units, int changedNames) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < units; i++) {
            UUID id = UUID.nameUUIDFromBytes(("u" + i).getBytes());
            String parent = i == 0 ? "" : ",\"parent\":\"" + UUID.nameUUIDFromBytes(("u" + (i - 1) / 3).getBytes()) + "\"";
            sb.append("{\"type\":\"unit\",\"id\":\"").append(id).append("\",\"userKey\":\"u").append(i)
                    .append("\",\"name\":\"Enhed ").append(i).append(i < changedNames ? " ny" : "").append("\"")
                    .append(parent).append("}\n");
            UUID person = UUID.nameUUIDFromBytes(("p" + i).getBytes());
            sb.append("{\"type\":\"person\",\"id\":\"").append(person).append("\",\"cpr\":\"")
                    .append(String.format("%010d", i)).append("\",\"name\":\"Person ").append(i).append("\"}\n");
            UUID user = UUID.nameUUIDFromBytes(("b" + i).getBytes());
            sb.append("{\"type\":\"user\",\"id\":\"").append(user).append("\",\"userKey\":\"b").append(i)
                    .append("\",\"name\":\"Person ").append(i).append("\",\"person\":\"").append(person).append("\"}\n");
            sb.append("{\"type\":\"function\",\"id\":\"").append(UUID.nameUUIDFromBytes(("f" + i).getBytes()))
                    .append("\",\"userKey\":\"f").append(i).append("\",\"name\":\"Ansat\",\"functionType\":\"ENGAGEMENT\",\"users\":[\"")
                    .append(user).append("\"],\"units\":[\"").append(id).append("\"]}\n");
            sb.append("{\"type\":\"address\",\"id\":\"").append(UUID.nameUUIDFromBytes(("a" + i).getBytes()))
                    .append("\",\"belongsTo\":\"").append(user).append("\",\"addressType\":\"EMAIL\",\"value\":\"b")
                    .append(i).append("@kommune.dk\"}\n");
        }
        return sb.toString();
    }

    @Test
    void feedImportWritesOnlyDifferences() {
        String token = token(Services.ORGANISATION, Services.READ, Services.WRITE);
        String org = org(token);
        String path = O + "/organisations/" + org + "/import";
        Res first = call("POST", path, token, feed(40, 0), "Content-Type", "application/x-ndjson");
        assertThat(first.status()).as(first.text()).isEqualTo(200);
        assertThat(first.body().path("created").asInt()).isEqualTo(200);
        long versions = count("SELECT count(*) FROM organisation.object_version");
        Res again = call("POST", path, token, feed(40, 0), "Content-Type", "application/x-ndjson");
        assertThat(again.body().path("unchanged").asInt()).isEqualTo(200);
        assertThat(count("SELECT count(*) FROM organisation.object_version")).isEqualTo(versions);
        Res ten = call("POST", path, token, feed(40, 10), "Content-Type", "application/x-ndjson");
        assertThat(ten.body().path("changed").asInt()).isEqualTo(10);
        assertThat(count("SELECT count(*) FROM organisation.registration")).isEqualTo(200 + 1 + 10);
        // a unit missing from the next snapshot is passivated
        String fewer = feed(40, 10).lines().filter(l -> !l.contains("\"userKey\":\"f39\"")).reduce("", (a, b) -> a + b + "\n");
        Res missing = call("POST", path, token, fewer, "Content-Type", "application/x-ndjson");
        assertThat(missing.body().path("passivated").asInt()).isEqualTo(1);
        // persons written by the import are audited
        assertThat(count("SELECT count(*) FROM platform.audit_log WHERE resource = 'organisation.person'")).isEqualTo(1);
    }

    @Test
    void malformedRowRejectsTheWholeFeed() {
        String token = token(Services.ORGANISATION, Services.READ, Services.WRITE);
        String org = org(token);
        long before = count("SELECT count(*) FROM organisation.object_version");
        String bad = feed(5, 0) + "{\"type\":\"person\",\"id\":\"" + UUID.randomUUID() + "\",\"cpr\":\"12\",\"name\":\"X\"}\n";
        Res r = call("POST", O + "/organisations/" + org + "/import", token, bad, "Content-Type", "application/x-ndjson");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.code()).isEqualTo("IMPORT_REJECTED");
        assertThat(r.body().path("errors").get(0).path("field").asString()).isEqualTo("row 26");
        String cycle = "{\"type\":\"unit\",\"id\":\"00000000-0000-4000-8000-000000000001\",\"userKey\":\"a\",\"name\":\"A\",\"parent\":\"00000000-0000-4000-8000-000000000002\"}\n"
                + "{\"type\":\"unit\",\"id\":\"00000000-0000-4000-8000-000000000002\",\"userKey\":\"b\",\"name\":\"B\",\"parent\":\"00000000-0000-4000-8000-000000000001\"}\n";
        Res c = call("POST", O + "/organisations/" + org + "/import", token, cycle, "Content-Type", "application/x-ndjson");
        assertThat(c.status()).isEqualTo(422);
        assertThat(c.text()).contains("own ancestor");
        // a reference to something outside the feed (it is a whole snapshot)
        String outside = "{\"type\":\"unit\",\"id\":\"" + UUID.randomUUID() + "\",\"userKey\":\"c\",\"name\":\"C\","
                + "\"parent\":\"" + UUID.randomUUID() + "\"}\n";
        Res o = call("POST", O + "/organisations/" + org + "/import", token, outside, "Content-Type", "application/x-ndjson");
        assertThat(o.status()).as(o.text()).isEqualTo(422);
        assertThat(o.text()).contains("is not a unit of this feed");
        // text PostgreSQL cannot hold: the NUL character, escaped in JSON lines or raw in CSV, named by row
        String nul = feed(2, 0) + "{\"type\":\"unit\",\"id\":\"" + UUID.randomUUID()
                + "\",\"userKey\":\"n\",\"name\":\"Nul\\u0000\"}\n";
        Res n = call("POST", O + "/organisations/" + org + "/import", token, nul, "Content-Type", "application/x-ndjson");
        assertThat(n.status()).as(n.text()).isEqualTo(422);
        assertThat(n.body().path("errors").get(0).path("field").asString()).isEqualTo("row 11");
        assertThat(n.body().path("errors").get(0).path("reason").asString())
                .isEqualTo("/name contains the NUL character (U+0000), which cannot be stored");
        String csv = "type,id,userKey,name\nunit," + UUID.randomUUID() + ",k,Nul\0tegn\n";
        Res nc = call("POST", O + "/organisations/" + org + "/import", token, csv, "Content-Type", "text/csv");
        assertThat(nc.status()).as(nc.text()).isEqualTo(422);
        assertThat(nc.body().path("errors").get(0).path("field").asString()).isEqualTo("row 2");
        assertThat(nc.text()).contains("NUL character");
        // a member named twice in a row (read last-wins, the unit was named by the second)
        Res twice = call("POST", O + "/organisations/" + org + "/import", token, feed(1, 0) + "{\"type\":\"unit\",\"id\":\""
                + UUID.randomUUID() + "\",\"userKey\":\"t\",\"name\":\"A\",\"name\":\"B\"}\n", "Content-Type", "application/x-ndjson");
        assertThat(twice.status()).as(twice.text()).isEqualTo(422);
        assertThat(twice.body().path("errors").get(0).path("field").asString()).isEqualTo("row 6");
        assertThat(twice.body().path("errors").get(0).path("reason").asString()).contains("\"name\" appears twice");
        // an id not written out as 8-4-4-4-12 digits (UUID.fromString read 1-1-1-1-1 as 00000001-0001-...)
        for (String id : List.of("1-1-1-1-1", "00000001-0001-0001-0001-0000000000001", " " + UUID.randomUUID())) {
            Res s = call("POST", O + "/organisations/" + org + "/import", token, feed(1, 0)
                    + "{\"type\":\"unit\",\"id\":\"" + id + "\",\"userKey\":\"s\",\"name\":\"S\"}\n",
                    "Content-Type", "application/x-ndjson");
            assertThat(s.status()).as(id + ": " + s.text()).isEqualTo(422);
            assertThat(s.body().path("errors").get(0).path("field").asString()).isEqualTo("row 6");
            assertThat(s.body().path("errors").get(0).path("reason").asString()).contains("8-4-4-4-12");
        }
        assertThat(count("SELECT count(*) FROM organisation.object_version")).isEqualTo(before);
    }

    @Test
    void csvFeed() {
        String token = token(Services.ORGANISATION, Services.READ, Services.WRITE);
        String org = org(token);
        String csv = "type,id,userKey,name,parent,cpr,person,addressType,value,belongsTo\n"
                + "unit,10000000-0000-4000-8000-000000000001,root,\"Rod, central\",,,,,,\n"
                + "unit,10000000-0000-4000-8000-000000000002,sub,Under,10000000-0000-4000-8000-000000000001,,,,,\n"
                + "address,10000000-0000-4000-8000-000000000003,,,,,,EAN,5798000000001,10000000-0000-4000-8000-000000000002\n";
        Res r = call("POST", O + "/organisations/" + org + "/import", token, csv, "Content-Type", "text/csv");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().path("created").asInt()).isEqualTo(3);
        assertThat(get(O + "/units/10000000-0000-4000-8000-000000000001", token).body().path("name").asString())
                .isEqualTo("Rod, central");
    }

    @Test
    void kleImportLookupAndLocalClasses() throws Exception {
        String token = token(Services.CLASSIFICATION, Services.READ, Services.WRITE, Services.NATIONAL_WRITE);
        StringWriter xml = new StringWriter();
        SyntheticKle.write(xml, 10, 5, 4, 7);
        Res r = call("POST", C + "/imports/kle", token, xml.toString(), "Content-Type", "application/xml");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        int objects = r.body().path("objects").asInt();
        assertThat(objects).isEqualTo(3 + 10 + 50 + 200 + 11 * 11);
        Res again = call("POST", C + "/imports/kle", token, xml.toString(), "Content-Type", "application/xml");
        assertThat(again.body().path("unchanged").asInt()).isEqualTo(objects);
        Res subject = get(C + "/classes/by-user-key/03.02.01", token);
        assertThat(subject.status()).isEqualTo(200);
        assertThat(subject.body().path("userKey").asString()).isEqualTo("03.02.01");
        String parent = subject.body().path("parent").asString();
        assertThat(get(C + "/classes/" + parent, token).body().path("userKey").asString()).isEqualTo("03.02");
        // a municipality's local class under a national one; the national tree is unchanged
        long nationalVersions = count("SELECT count(*) FROM classification.object_version");
        Res local = call("POST", C + "/classes", token, "{\"classification\":\"" + subject.body().path("classification").asString()
                + "\",\"facet\":\"" + subject.body().path("facet").asString() + "\",\"userKey\":\"03.02.90\",\"title\":\"Lokal\","
                + "\"parent\":\"" + parent + "\",\"municipality\":\"" + CVR + "\"}");
        assertThat(local.status()).as(local.text()).isEqualTo(201);
        assertThat(count("SELECT count(*) FROM classification.object_version")).isEqualTo(nationalVersions + 1);
        assertThat(get(C + "/classes/by-user-key/03.02.90", token).status()).isEqualTo(200);
        // another municipality does not see it, and a token for this one cannot ask for another's
        String other = tokenFor("22222222", Services.CLASSIFICATION, Services.READ);
        assertThat(get(C + "/classes/by-user-key/03.02.90", other).status()).isEqualTo(404);
        Res foreign = get(C + "/classes/by-user-key/03.02.90?municipality=22222222", token);
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.code()).isEqualTo("FORBIDDEN");
        // nor write a local class of another municipality, nor national classes without national-write
        Res foreignWrite = call("POST", C + "/classes", token, "{\"classification\":\"" + subject.body().path("classification").asString()
                + "\",\"facet\":\"" + subject.body().path("facet").asString() + "\",\"userKey\":\"03.02.91\",\"title\":\"Fremmed\","
                + "\"parent\":\"" + parent + "\",\"municipality\":\"22222222\"}");
        assertThat(foreignWrite.status()).as(foreignWrite.text()).isEqualTo(403);
        String localOnly = token(Services.CLASSIFICATION, Services.READ, Services.WRITE);
        Res national = call("POST", C + "/classes", localOnly, "{\"classification\":\"" + subject.body().path("classification").asString()
                + "\",\"facet\":\"" + subject.body().path("facet").asString() + "\",\"userKey\":\"03.02.92\",\"title\":\"National\","
                + "\"parent\":\"" + parent + "\"}");
        assertThat(national.status()).as(national.text()).isEqualTo(403);
        assertThat(call("POST", C + "/imports/kle", localOnly, xml.toString(), "Content-Type", "application/xml").status())
                .isEqualTo(403);
        assertThat(count("SELECT count(*) FROM classification.object_version")).isEqualTo(nationalVersions + 1);
        // re-importing KLE leaves the local class alone
        Res third = call("POST", C + "/imports/kle", token, xml.toString(), "Content-Type", "application/xml");
        assertThat(third.body().path("passivated").asInt()).isZero();
        // the whole facet as a tree
        Res tree = get(C + "/facets/" + subject.body().path("facet").asString() + "/tree", token);
        assertThat(tree.body().path("items").size()).isEqualTo(1 + 10 + 50 + 200 + 1);
        // another municipality's tree has the national classes only
        Res theirs = get(C + "/facets/" + subject.body().path("facet").asString() + "/tree", other);
        assertThat(theirs.body().path("items").size()).isEqualTo(1 + 10 + 50 + 200);
        // malformed XML is refused
        Res bad = call("POST", C + "/imports/kle", token, "<KLE-Emneplan><Hovedgruppe>", "Content-Type", "application/xml");
        assertThat(bad.status()).isEqualTo(400);
    }

    @Test
    void jsonClassificationImport() {
        String token = token(Services.CLASSIFICATION, Services.READ, Services.WRITE, Services.NATIONAL_WRITE);
        String body = """
                {"classification": {"id": "20000000-0000-4000-8000-000000000001", "userKey": "FSIII", "title": "Fællessprog III"},
                 "facets": [{"id": "20000000-0000-4000-8000-000000000002", "userKey": "Tilstande", "title": "Tilstande"}],
                 "classes": [
                   {"id": "20000000-0000-4000-8000-000000000003", "facet": "20000000-0000-4000-8000-000000000002", "userKey": "A", "title": "Egenomsorg"},
                   {"id": "20000000-0000-4000-8000-000000000004", "facet": "20000000-0000-4000-8000-000000000002", "userKey": "A1", "title": "Vaske sig", "parent": "20000000-0000-4000-8000-000000000003"}]}
                """;
        Res r = call("POST", C + "/imports/json", token, body);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().path("created").asInt()).isEqualTo(4);
        assertThat(get(C + "/classes/by-user-key/A1?classification=FSIII", token).body().path("title").asString())
                .isEqualTo("Vaske sig");
        Res broken = call("POST", C + "/imports/json", token, body.replace("\"parent\": \"20000000-0000-4000-8000-000000000003\"",
                "\"parent\": \"20000000-0000-4000-8000-00000000ffff\""));
        assertThat(broken.status()).isEqualTo(422);
        assertThat(broken.code()).isEqualTo("IMPORT_REJECTED");
        // a text the database refuses (a NUL character) that no check before it named: invalid input, nothing written
        long versions = count("SELECT count(*) FROM classification.object_version");
        Res nul = call("POST", C + "/imports/json", token, body.replace("Vaske sig", "Vaske\\u0000sig"));
        assertThat(nul.status()).as(nul.text()).isEqualTo(422);
        assertThat(nul.code()).isEqualTo("VALIDATION_FAILED");
        assertThat(nul.text()).contains("NUL character");
        assertThat(count("SELECT count(*) FROM classification.object_version")).isEqualTo(versions);
        Res shortId = call("POST", C + "/imports/json", token, body.replace("\"id\": \"20000000-0000-4000-8000-000000000004\"",
                "\"id\": \"20000000-0-4000-8000-000000000004\""));
        assertThat(shortId.status()).as(shortId.text()).isEqualTo(422);
        assertThat(shortId.body().path("errors").get(0).path("field").asString()).isEqualTo("/classes/1/id");
        assertThat(count("SELECT count(*) FROM classification.object_version")).isEqualTo(versions);
    }

    // ------------------------------------------------------------------ the import's comparison with what is stored

    private static final String[] STRINGS = {"", "a", "Æblegrød", "Åbenrå", "\"quoted\"", "back\\slash", "tab\tline\nfeed",
        "\u0001\u001f\u007f", "\b\f\r", "emoji \uD83D\uDE00", "/slash", "27.24.00", "ﬁ ligature", "\u00e9", "e\u0301"};

    private static tools.jackson.databind.JsonNode value(java.util.Random r, tools.jackson.databind.node.JsonNodeFactory f,
                                                         int depth) {
        int kind = r.nextInt(depth > 2 ? 7 : 9);
        switch (kind) {
            case 0: return f.nullNode();
            case 1: return f.booleanNode(r.nextBoolean());
            case 2: return f.numberNode(r.nextInt() >> r.nextInt(31));
            case 3: return f.numberNode(r.nextLong());
            case 4: {
                double[] doubles = {0.0, -0.0, 1.5, 100.0, 1e20, 1e-5, 123456.789, -2.5e-3, 1.0E7, 9.999999e21};
                return r.nextBoolean() ? f.numberNode(doubles[r.nextInt(doubles.length)])
                        : f.numberNode(new java.math.BigDecimal(java.math.BigInteger.valueOf(r.nextLong()), r.nextInt(12) - 2));
            }
            case 5: case 6: return f.stringNode(STRINGS[r.nextInt(STRINGS.length)] + (r.nextBoolean() ? r.nextInt(1000) : ""));
            case 7: {
                tools.jackson.databind.node.ArrayNode a = f.arrayNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    a.add(value(r, f, depth + 1));
                }
                return a;
            }
            default: {
                tools.jackson.databind.node.ObjectNode o = f.objectNode();
                for (int i = r.nextInt(6); i > 0; i--) {
                    o.set(STRINGS[r.nextInt(STRINGS.length)] + (r.nextBoolean() ? "" : String.valueOf(r.nextInt(100))),
                            value(r, f, depth + 1));
                }
                return o;
            }
        }
    }

    @Test
    void theDigestOfDataAboutToBeWrittenIsTheDatabasesOfItAsStored() {
        java.util.Random r = new java.util.Random(20261124);
        tools.jackson.databind.node.JsonNodeFactory f = json.getNodeFactory();
        java.util.List<tools.jackson.databind.JsonNode> values = new java.util.ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            values.add(value(r, f, 0));
        }
        // written as the store writes data: the mapper's text, cast to jsonb
        String[] texts = values.stream().map(json::writeValueAsString).toArray(String[]::new);
        java.util.List<String> stored = jdbc.sql("SELECT " + dk.opensts.platform.bitemporal.JsonbDigest.sql("t::jsonb")
                        + " FROM unnest(?::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n")
                .param(texts).query(String.class).list();
        for (int i = 0; i < values.size(); i++) {
            assertThat(dk.opensts.platform.bitemporal.JsonbDigest.of(values.get(i))).as(texts[i]).isEqualTo(stored.get(i));
        }
        // what differs as stored differs in digest
        assertThat(dk.opensts.platform.bitemporal.JsonbDigest.of(f.objectNode().put("a", "1")))
                .isNotEqualTo(dk.opensts.platform.bitemporal.JsonbDigest.of(f.objectNode().put("a", 1)));
    }
}
