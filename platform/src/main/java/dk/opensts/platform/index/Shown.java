package dk.opensts.platform.index;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.util.RawValue;

/**
 * A stored index record as a search answers it: its keys (for paging, auditing and joining) and its
 * JSON, written once. The stored JSON is passed through as it is; only a record that names a
 * protected person is parsed, to replace the name and address for a caller without the privilege.
 *
 * @param key a key other records are joined on (the case number), or {@code null}
 */
public record Shown(UUID id, Instant changedAt, String key, String json) {

    /** The JSON as a value Jackson writes unchanged. */
    public RawValue raw() {
        return new RawValue(json);
    }

    /**
     * {@code {"id":..,"localId":..,"owningSystem":..,"lastChanged":..,<extra members>,<the stored record's members>}}
     * from a row with the columns {@code id}, {@code local_id}, {@code system_id}, {@code changed_at}
     * and {@code body} (the record as {@code jsonb} text); {@code partyFields} name where parties are
     * (an array or a single party) so they can be masked.
     */
    public static Shown of(ResultSet rs, String key, String extraMembers, boolean protectedData, JsonMapper json,
                           String... partyFields) throws SQLException {
        UUID id = rs.getObject("id", UUID.class);
        Instant changed = rs.getTimestamp("changed_at").toInstant();
        String body = rs.getString("body");
        // jsonb writes "key": value with one space; a record without a protected person is passed as it is
        if (!protectedData && body.contains("\"protectedAddress\": true")) {
            ObjectNode node = (ObjectNode) json.readTree(body);
            for (String field : partyFields) {
                JsonNode parties = node.get(field);
                if (parties != null && parties.isArray()) {
                    parties.forEach(p -> Party.mask(p, false));
                } else if (parties != null) {
                    Party.mask(parties, false);
                }
            }
            body = json.writeValueAsString(node);
        }
        StringBuilder out = new StringBuilder(body.length() + 200).append("{\"id\":\"").append(id)
                .append("\",\"localId\":");
        quote(out, rs.getString("local_id"));
        out.append(",\"owningSystem\":");
        quote(out, rs.getString("system_id"));
        out.append(",\"lastChanged\":\"").append(changed).append('"');
        if (extraMembers != null && !extraMembers.isEmpty()) {
            out.append(',').append(extraMembers);
        }
        String members = body.substring(body.indexOf('{') + 1, body.lastIndexOf('}'));
        if (!members.isBlank()) {
            out.append(',').append(members);
        }
        return new Shown(id, changed, key, out.append('}').toString());
    }

    /** This record with a member {@code name} holding the given JSON values as an array. */
    public Shown with(String name, List<String> values) {
        StringBuilder out = new StringBuilder(json.length() + 64 + values.stream().mapToInt(String::length).sum());
        out.append(json, 0, json.length() - 1).append(",\"").append(name).append("\":[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(values.get(i));
        }
        return new Shown(id, changedAt, key, out.append("]}").toString());
    }

    /** {@code "name":"value"} (or {@code null}) as JSON members to pass as {@code extraMembers}. */
    public static String member(String name, String value) {
        StringBuilder out = new StringBuilder();
        quote(out, name);
        out.append(':');
        if (value == null) {
            out.append("null");
        } else {
            quote(out, value);
        }
        return out.toString();
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, out);
        out.append('"');
    }
}
