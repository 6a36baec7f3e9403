package dk.opensts.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A synthetic municipality's authoritative feed, the same every time for the same seed. At scale 1
 * it has 100,000 rows: 5,000 units in one tree (six children a unit, depth 5), 30,000 persons and
 * their 30,000 user accounts, 25,000 functions (22,500 engagements linking a user to a unit and
 * 2,500 KLE responsibilities of units) and 10,000 addresses (e-mail of users, phone of units).
 */
final class SyntheticMunicipality {

    private static final String[] FIRST = {"Anne", "Mette", "Hanne", "Susanne", "Lene", "Marianne", "Camilla", "Peter",
        "Lars", "Jens", "Michael", "Henrik", "Thomas", "Søren", "Jan", "Christian", "Morten", "Line", "Maja", "Ida"};
    private static final String[] LAST = {"Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen",
        "Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen"};
    private static final String[] UNIT_WORDS = {"Jobcenter", "Borgerservice", "Familieafdeling", "Ældrepleje",
        "Handicap", "Sundhed", "Skole", "Dagtilbud", "Teknik", "Miljø", "Økonomi", "HR", "IT", "Socialpsykiatri"};

    /** One feed row: its type, id and attributes in the feed's field names. */
    record Row(String type, UUID id, Map<String, Object> fields) {
    }

    final List<Row> units = new ArrayList<>();
    final List<Row> persons = new ArrayList<>();
    final List<Row> users = new ArrayList<>();
    final List<Row> functions = new ArrayList<>();
    final List<Row> addresses = new ArrayList<>();

    SyntheticMunicipality(String prefix, double scale, long seed) {
        Random random = new Random(seed);
        int unitCount = Math.max(1, (int) Math.round(5_000 * scale));
        int people = Math.max(1, (int) Math.round(30_000 * scale));
        int engagements = (int) Math.round(22_500 * scale);
        int responsibilities = (int) Math.round(2_500 * scale);
        int unitPhones = Math.min(unitCount, (int) Math.round(2_000 * scale));
        int userMails = (int) Math.round(8_000 * scale);
        for (int i = 0; i < unitCount; i++) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("userKey", "U" + i);
            f.put("name", i == 0 ? "Kommunen" : UNIT_WORDS[random.nextInt(UNIT_WORDS.length)] + " " + i);
            f.put("unitType", i < 7 ? "forvaltning" : "afdeling");
            if (i > 0) {
                f.put("parent", units.get((i - 1) / 6).id());
            }
            units.add(new Row("unit", id(prefix, "unit", i), f));
        }
        for (int i = 0; i < people; i++) {
            String name = FIRST[random.nextInt(FIRST.length)] + " " + LAST[random.nextInt(LAST.length)];
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("cpr", String.format("%02d%02d%02d%04d", 1 + i % 28, 1 + i / 28 % 12, 40 + i / 336 % 60, i % 10_000));
            p.put("name", name);
            persons.add(new Row("person", id(prefix, "person", i), p));
            Map<String, Object> u = new LinkedHashMap<>();
            u.put("userKey", "bruger" + i);
            u.put("name", name);
            u.put("person", persons.get(i).id());
            users.add(new Row("user", id(prefix, "user", i), u));
        }
        for (int i = 0; i < engagements; i++) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("userKey", "E" + i);
            f.put("name", "Ansættelse");
            f.put("functionType", "ENGAGEMENT");
            f.put("users", List.of(users.get(i % people).id()));
            f.put("units", List.of(units.get(random.nextInt(unitCount)).id()));
            functions.add(new Row("function", id(prefix, "function", i), f));
        }
        for (int i = 0; i < responsibilities; i++) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("userKey", "K" + i);
            f.put("name", "KLE-opgaver");
            f.put("functionType", "KLE_RESPONSIBILITY");
            f.put("units", List.of(units.get(i % unitCount).id()));
            f.put("tasks", List.of(String.format("%02d.%02d.%02d", random.nextInt(100), random.nextInt(10), random.nextInt(5)),
                    String.format("%02d.%02d", random.nextInt(100), random.nextInt(10))));
            functions.add(new Row("function", id(prefix, "function", engagements + i), f));
        }
        for (int i = 0; i < unitPhones; i++) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("belongsTo", units.get(i).id());
            a.put("addressType", "PHONE");
            a.put("value", String.format("+45 %08d", 70_000_000 + i));
            addresses.add(new Row("address", id(prefix, "address", i), a));
        }
        for (int i = 0; i < userMails; i++) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("belongsTo", users.get(i % people).id());
            a.put("addressType", "EMAIL");
            a.put("value", "bruger" + i + "@kommune.example");
            addresses.add(new Row("address", id(prefix, "address", unitPhones + i), a));
        }
    }

    private static UUID id(String prefix, String type, int i) {
        return UUID.nameUUIDFromBytes((prefix + "/" + type + "/" + i).getBytes(StandardCharsets.UTF_8));
    }

    List<Row> rows() {
        List<Row> all = new ArrayList<>(size());
        all.addAll(units);
        all.addAll(persons);
        all.addAll(users);
        all.addAll(functions);
        all.addAll(addresses);
        return all;
    }

    int size() {
        return units.size() + persons.size() + users.size() + functions.size() + addresses.size();
    }

    UUID root() {
        return units.get(0).id();
    }

    /** Makes ten changes spread over the types: renamed units and users, moved engagements, new e-mails. */
    void changeTen() {
        for (int k = 0; k < 10; k++) {
            List<Row> list = switch (k % 4) {
                case 0 -> units;
                case 1 -> users;
                case 2 -> functions;
                default -> addresses;
            };
            Row row = list.get((k * 7919) % list.size());
            switch (row.type()) {
                case "unit", "user" -> row.fields().put("name", row.fields().get("name") + " (omdøbt)");
                case "function" -> row.fields().put("name", row.fields().get("name") + " (ændret)");
                default -> row.fields().put("value", "PHONE".equals(row.fields().get("addressType"))
                        ? String.format("+45 %08d", 80_000_000 + k) : "ny" + k + "@kommune.example");
            }
        }
    }

    /** The feed as JSON lines, as POSTed to the import endpoint. */
    byte[] jsonLines(JsonMapper json) {
        StringBuilder out = new StringBuilder(size() * 160);
        for (Row r : rows()) {
            ObjectNode node = json.createObjectNode();
            node.put("type", r.type());
            node.put("id", r.id().toString());
            node.setAll((ObjectNode) json.valueToTree(r.fields()));
            out.append(json.writeValueAsString(node)).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
