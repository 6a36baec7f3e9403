package dk.opensts.organisation.domain;

import dk.opensts.platform.web.Uuids;
import dk.opensts.organisation.domain.Attributes.AddressAttrs;
import dk.opensts.organisation.domain.Attributes.FunctionAttrs;
import dk.opensts.organisation.domain.Attributes.UnitAttrs;
import dk.opensts.organisation.domain.Attributes.UserAttrs;
import dk.opensts.platform.bitemporal.TimePoint;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.Unstorable;
import dk.opensts.platform.error.FieldProblem;
import dk.opensts.platform.registry.ObjectTypeSpec;
import dk.opensts.platform.registry.RegistryService;
import dk.opensts.platform.registry.SnapshotImport;
import dk.opensts.platform.security.Actor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Imports a municipality's authoritative feed: a full snapshot of its units, persons, users,
 * functions and addresses as JSON lines or CSV (docs/organisation-import.md). The whole feed is
 * read and checked first (every row, every reference, no unit cycles); one bad row rejects it
 * with the row numbers and reasons, and nothing is written. Then only the differences are written.
 */
public class FeedImport {

    public enum Format { JSON_LINES, CSV }

    /** CSV columns; list cells (users, units, tasks) are separated by ';'. */
    public static final List<String> CSV_COLUMNS = List.of("type", "id", "userKey", "name", "parent", "unitType",
            "cpr", "person", "functionType", "users", "units", "tasks", "belongsTo", "addressType", "value");
    private static final Set<String> LIST_COLUMNS = Set.of("users", "units", "tasks");
    private static final int MAX_REPORTED = 20;

    private final RegistryService registry;
    private final OrganisationTypes types;
    private final SnapshotImport snapshot;
    private final JsonMapper json;

    public FeedImport(RegistryService registry, OrganisationTypes types, SnapshotImport snapshot, JsonMapper json) {
        this.registry = registry;
        this.types = types;
        this.snapshot = snapshot;
        this.json = json;
    }

    public SnapshotImport.Result importFeed(UUID organisation, Reader body, Format format, Instant validFrom,
                                            boolean passivateMissing, Actor actor) throws IOException {
        if (registry.store().at(organisation, TimePoint.at(registry.store().now()))
                .filter(v -> v.type().equals(OrganisationTypes.ORGANISATION)).isEmpty()) {
            throw ApiException.notFound("organisation", organisation);
        }
        List<FieldProblem> problems = new ArrayList<>();
        List<SnapshotImport.Item<?>> items = new ArrayList<>();
        Map<UUID, Integer> rowOf = new HashMap<>();
        // read the lines, then parse and validate them on all cores; problems are reported in row order
        List<String> lines = new ArrayList<>();
        BufferedReader reader = new BufferedReader(body, 1 << 16);
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lines.add(line);
        }
        List<String> header = null;
        int first = 0;
        if (format == Format.CSV) {
            while (first < lines.size() && lines.get(first).isBlank()) {
                first++;
            }
            if (first < lines.size()) {
                try {
                    header = csvHeader(lines.get(first));
                } catch (RowException e) {
                    problems.add(new FieldProblem("row " + (first + 1), e.getMessage()));
                }
                first++;
            }
        }
        List<String> columns = header;
        Object[] parsed = new Object[lines.size()];
        if (problems.isEmpty()) {
            java.util.stream.IntStream.range(first, lines.size()).parallel()
                    .forEach(i -> parsed[i] = parseRow(organisation, lines.get(i), format, columns));
        }
        for (int i = first; i < lines.size() && problems.size() < MAX_REPORTED; i++) {
            int row = i + 1;
            if (parsed[i] instanceof String reason) {
                problems.add(new FieldProblem("row " + row, reason));
            } else if (parsed[i] instanceof SnapshotImport.Item<?> item) {
                Integer earlier = rowOf.putIfAbsent(item.id(), row);
                if (earlier != null) {
                    problems.add(new FieldProblem("row " + row, "id " + item.id() + " appears also in row " + earlier));
                } else {
                    items.add(item);
                }
            }
        }
        if (problems.isEmpty()) {
            checkReferences(items, rowOf, problems);
        }
        if (!problems.isEmpty()) {
            throw new ApiException(ErrorCode.IMPORT_REJECTED, "The feed was rejected and nothing was written: "
                    + problems.get(0).field() + ": " + problems.get(0).reason(), problems);
        }
        return snapshot.apply(organisation, List.of(types.unit, types.person, types.user, types.function, types.address),
                items, validFrom, passivateMissing, actor, "feed import");
    }

    private static List<String> csvHeader(String line) {
        List<String> header = Csv.parse(line);
        for (String h : header) {
            if (!CSV_COLUMNS.contains(h)) {
                throw new RowException("unknown column '" + h + "'");
            }
        }
        if (!header.contains("type") || !header.contains("id")) {
            throw new RowException("the header must name the columns type and id");
        }
        return header;
    }

    /** One row as an item, or the reason it is refused; {@code null} for a blank line. */
    private Object parseRow(UUID organisation, String line, Format format, List<String> header) {
        if (line.isBlank()) {
            return null;
        }
        try {
            ObjectNode node;
            if (format == Format.CSV) {
                if (Unstorable.hasNul(line)) {
                    throw new RowException("the row " + Unstorable.NUL_REASON);
                }
                node = csvRow(header, Csv.parse(line));
            } else {
                JsonNode parsed = json.readTree(line);
                if (!(parsed instanceof ObjectNode o)) {
                    throw new RowException("not a JSON object");
                }
                node = o;
                // only a line with the escape can hold one: the others are not walked
                String nul = line.contains("\\u0000") ? Unstorable.nulAt(node) : null;
                if (nul != null) {
                    throw new RowException(nul + " " + Unstorable.NUL_REASON);
                }
            }
            return item(organisation, node);
        } catch (RowException | ApiException e) {
            return e.getMessage();
        } catch (JacksonException e) {
            String twice = dk.opensts.platform.error.ProblemHandler.memberTwice(e);
            return twice != null ? twice : firstLine(e.getOriginalMessage()) + (e.getPath().isEmpty() ? "" : " at " + e.getPathReference());
        }
    }

    private SnapshotImport.Item<?> item(UUID organisation, ObjectNode node) {
        JsonNode type = node.remove("type");
        JsonNode id = node.remove("id");
        if (type == null || !type.isString()) {
            throw new RowException("missing type (one of " + OrganisationTypes.FEED_TYPES + ")");
        }
        ObjectTypeSpec<?> spec = OrganisationTypes.FEED_TYPES.contains(type.asString()) ? types.byName(type.asString()) : null;
        if (spec == null) {
            throw new RowException("unknown type '" + type.asString() + "'; one of " + OrganisationTypes.FEED_TYPES);
        }
        UUID uuid;
        try {
            uuid = Uuids.parse(id);
        } catch (IllegalArgumentException e) {
            throw new RowException("id must be a UUID written out as 8-4-4-4-12 hexadecimal digits");
        }
        if (node.has("organisation")) {
            throw new RowException("organisation is given by the import's URL, not by rows");
        }
        node.put("organisation", organisation.toString());
        return item(uuid, spec, node);
    }

    private <A> SnapshotImport.Item<A> item(UUID id, ObjectTypeSpec<A> spec, ObjectNode node) {
        A a = registry.attributes(spec, node);
        if (a instanceof AddressAttrs address) {
            OrganisationTypes.checkAddressValue(address);
        }
        return new SnapshotImport.Item<>(id, spec, a, json.valueToTree(a));
    }

    /** A full snapshot refers only to itself: every reference must name an object of the feed. */
    private void checkReferences(List<SnapshotImport.Item<?>> items, Map<UUID, Integer> rowOf, List<FieldProblem> problems) {
        Map<UUID, String> typeOf = new HashMap<>();
        Map<UUID, UUID> parentOf = new HashMap<>();
        for (SnapshotImport.Item<?> i : items) {
            typeOf.put(i.id(), i.spec().name());
            if (i.attributes() instanceof UnitAttrs u && u.parent() != null) {
                parentOf.put(i.id(), u.parent());
            }
        }
        for (SnapshotImport.Item<?> i : items) {
            int row = rowOf.get(i.id());
            Object a = i.attributes();
            if (a instanceof UnitAttrs u) {
                ref(problems, row, "parent", u.parent(), typeOf, Set.of(OrganisationTypes.UNIT));
            } else if (a instanceof UserAttrs u) {
                ref(problems, row, "person", u.person(), typeOf, Set.of(OrganisationTypes.PERSON));
            } else if (a instanceof FunctionAttrs f) {
                if (f.users() != null) {
                    f.users().forEach(x -> ref(problems, row, "users", x, typeOf, Set.of(OrganisationTypes.USER)));
                }
                if (f.units() != null) {
                    f.units().forEach(x -> ref(problems, row, "units", x, typeOf, Set.of(OrganisationTypes.UNIT)));
                }
            } else if (a instanceof AddressAttrs ad) {
                ref(problems, row, "belongsTo", ad.belongsTo(), typeOf, Set.of(OrganisationTypes.UNIT, OrganisationTypes.USER));
            }
            if (problems.size() >= MAX_REPORTED) {
                return;
            }
        }
        // no unit may be its own ancestor
        Set<UUID> acyclic = new HashSet<>();
        for (UUID start : parentOf.keySet()) {
            Set<UUID> path = new HashSet<>();
            UUID at = start;
            while (at != null && !acyclic.contains(at)) {
                if (!path.add(at)) {
                    problems.add(new FieldProblem("row " + rowOf.get(start), "unit " + start
                            + " is its own ancestor through parent links"));
                    return;
                }
                at = parentOf.get(at);
            }
            acyclic.addAll(path);
        }
    }

    private static void ref(List<FieldProblem> problems, int row, String field, UUID target, Map<UUID, String> typeOf,
                            Set<String> allowed) {
        String type = target == null ? null : typeOf.get(target);
        if (target != null && (type == null || !allowed.contains(type))) {
            problems.add(new FieldProblem("row " + row, field + " " + target + " is not a " + String.join(" or ", allowed)
                    + " of this feed"));
        }
    }

    private static ObjectNode csvRow(List<String> header, List<String> cells) {
        if (cells.size() != header.size()) {
            throw new RowException("has " + cells.size() + " cells; the header has " + header.size());
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (int c = 0; c < header.size(); c++) {
            String v = cells.get(c);
            if (v.isEmpty()) {
                continue;
            }
            String column = header.get(c);
            if (LIST_COLUMNS.contains(column)) {
                var array = node.putArray(column);
                for (String part : v.split(";")) {
                    if (!part.isBlank()) {
                        array.add(part.trim());
                    }
                }
            } else {
                node.put(column, v);
            }
        }
        return node;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static final class RowException extends RuntimeException {
        RowException(String message) {
            super(message);
        }
    }

    /** RFC 4180 CSV: comma separated, double quotes around cells with commas, quotes doubled. */
    static final class Csv {
        static List<String> parse(String line) {
            List<String> cells = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char ch = line.charAt(i);
                if (quoted) {
                    if (ch == '"') {
                        if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                            cell.append('"');
                            i++;
                        } else {
                            quoted = false;
                        }
                    } else {
                        cell.append(ch);
                    }
                } else if (ch == '"' && cell.isEmpty()) {
                    quoted = true;
                } else if (ch == ',') {
                    cells.add(cell.toString());
                    cell.setLength(0);
                } else {
                    cell.append(ch);
                }
            }
            if (quoted) {
                throw new RowException("an unterminated quoted cell");
            }
            cells.add(cell.toString());
            return cells;
        }
    }
}
