package dk.opensts.platform.security;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * What personal data a caller may see, as one model that system tokens (roles with constraint
 * values from a service agreement) and user assertions (privilege groups from the context handler)
 * both map to: the municipality, and a list of privileges of which any one suffices. Each privilege
 * narrows by KLE subject (exact numbers or prefixes), org unit (exact, or with its subunits), the
 * sensitivity levels it grants and the owning IT systems; a dimension it does not constrain is open.
 * {@link #filter} turns the scope into a condition of the SQL query, so rows outside it are never read.
 *
 * @param municipality  the CVR whose data may be seen
 * @param privileges    any one of them admits a row
 * @param protectedData whether protected persons' names and addresses may be shown
 */
public record DataScope(String municipality, List<Privilege> privileges, boolean protectedData) {

    /** Constraint value suffix meaning "this and everything below it" (KLE prefixes, org unit subtrees). */
    public static final String BELOW = ".*";

    public DataScope {
        privileges = List.copyOf(privileges);
    }

    /**
     * One privilege: {@code null} for a dimension means not constrained.
     *
     * @param kle           KLE numbers matched exactly, or prefixes ending in {@code .} (from {@code 27.*})
     * @param units         org units matched exactly
     * @param unitTrees     org units matched with their subunits (resolved by {@link #resolveUnits})
     * @param sensitivities the levels granted; never open
     * @param itSystems     owning IT systems
     */
    public record Privilege(Set<String> kle, Set<UUID> units, Set<UUID> unitTrees, Set<Sensitivity> sensitivities,
                            Set<String> itSystems) {

        public Privilege {
            kle = kle == null ? null : Set.copyOf(kle);
            units = units == null ? null : Set.copyOf(units);
            unitTrees = unitTrees == null ? null : Set.copyOf(unitTrees);
            sensitivities = Set.copyOf(sensitivities);
            itSystems = itSystems == null ? null : Set.copyOf(itSystems);
        }

        /** A privilege from constraint values (constraint type URI to comma-separated values). */
        public static Privilege of(Map<String, String> constraints) {
            Set<String> kle = null;
            String k = constraints.get(Constraints.KLE);
            if (k != null && !k.isBlank() && !values(k).contains("*")) {
                kle = new LinkedHashSet<>();
                for (String v : values(k)) {
                    kle.add(v.endsWith(BELOW) ? v.substring(0, v.length() - 1) : v);
                }
            }
            Set<UUID> units = null;
            Set<UUID> trees = null;
            String u = constraints.get(Constraints.ORG_UNIT);
            if (u != null && !u.isBlank()) {
                units = new LinkedHashSet<>();
                trees = new LinkedHashSet<>();
                for (String v : values(u)) {
                    try {
                        if (v.endsWith(BELOW)) {
                            trees.add(UUID.fromString(v.substring(0, v.length() - BELOW.length())));
                        } else {
                            units.add(UUID.fromString(v));
                        }
                    } catch (IllegalArgumentException e) {
                        // the catalogue checks values when an agreement is approved; a bad one grants nothing
                    }
                }
            }
            String s = constraints.get(Constraints.SENSITIVITY);
            // not constrained: the least sensitive level only (least privilege)
            Set<Sensitivity> levels = s == null || s.isBlank()
                    ? EnumSet.of(Sensitivity.IKKE_FORTROLIGE_DATA) : Sensitivity.granted(s);
            String it = constraints.get(Constraints.IT_SYSTEM);
            Set<String> systems = it == null || it.isBlank() ? null : new LinkedHashSet<>(values(it));
            return new Privilege(kle, units, trees, levels, systems);
        }

        /**
         * Whether a record with this KLE subject ({@code null}: none) and sensitivity lies within the
         * privilege's KLE and sensitivity constraints (the dimensions a message carries); a record
         * without a subject passes only a privilege without a KLE constraint.
         */
        public boolean admits(String kleSubject, Sensitivity sensitivity) {
            if (!sensitivities.contains(sensitivity)) {
                return false;
            }
            if (kle == null) {
                return true;
            }
            if (kleSubject == null) {
                return false;
            }
            for (String k : kle) {
                if (k.endsWith(".") ? kleSubject.startsWith(k) : kleSubject.equals(k)) {
                    return true;
                }
            }
            return false;
        }

        private static List<String> values(String csv) {
            List<String> out = new ArrayList<>();
            for (String v : csv.split(",")) {
                if (!v.isBlank()) {
                    out.add(v.trim());
                }
            }
            return out;
        }
    }

    /**
     * The scope of a token: one privilege per grant of a role among {@code roles}; protected data
     * when it also holds {@code protectedRole}. No such role: 403.
     */
    public static DataScope of(Actor actor, Collection<String> roles, String protectedRole) {
        if (actor.municipality() == null) {
            throw new ApiException(ErrorCode.FORBIDDEN, "The token names no municipality (cvr)");
        }
        List<Privilege> privileges = new ArrayList<>();
        for (String role : roles) {
            for (Map<String, String> constraints : actor.constraintsOf(role)) {
                privileges.add(Privilege.of(constraints));
            }
        }
        if (privileges.isEmpty()) {
            throw new ApiException(ErrorCode.FORBIDDEN,
                    "This operation needs one of the roles " + String.join(", ", roles) + " of service " + actor.audience());
        }
        return new DataScope(actor.municipality(), privileges, protectedRole != null && actor.hasRole(protectedRole));
    }

    /** Every unit tree replaced by the units in it, as {@code subunits} (root included) tells. */
    public DataScope resolveUnits(Function<Set<UUID>, Set<UUID>> subunits) {
        List<Privilege> out = new ArrayList<>();
        for (Privilege p : privileges) {
            if (p.unitTrees() == null || p.unitTrees().isEmpty()) {
                out.add(p);
                continue;
            }
            Set<UUID> units = new LinkedHashSet<>(p.units());
            units.addAll(subunits.apply(p.unitTrees()));
            out.add(new Privilege(p.kle(), units, Set.of(), p.sensitivities(), p.itSystems()));
        }
        return new DataScope(municipality, out, protectedData);
    }

    /** The columns of a table the filter reads. */
    public record Columns(String municipality, String kle, String unit, String sensitivity, String itSystem) {
    }

    /** An SQL condition with its named parameters (prefixed so that several filters can share a query). */
    public record Filter(String sql, Map<String, Object> params) {
    }

    /**
     * The scope as an SQL condition on {@code c}: the municipality, and any privilege. Unit trees must
     * have been resolved first.
     */
    public Filter filter(Columns c, String prefix) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put(prefix + "cvr", municipality);
        StringBuilder sql = new StringBuilder("(").append(c.municipality()).append(" = :").append(prefix).append("cvr AND (");
        for (int i = 0; i < privileges.size(); i++) {
            Privilege p = privileges.get(i);
            if (p.unitTrees() != null && !p.unitTrees().isEmpty()) {
                throw new IllegalStateException("resolve the unit trees before filtering");
            }
            String n = prefix + i + "_";
            if (i > 0) {
                sql.append(" OR ");
            }
            sql.append("(").append(c.sensitivity()).append(" = ANY(CAST(:").append(n).append("s AS int[]))");
            params.put(n + "s", arrayLiteral(p.sensitivities().stream().map(Sensitivity::code).toList(), false));
            if (p.kle() != null) {
                List<String> exact = p.kle().stream().filter(k -> !k.endsWith(".")).toList();
                List<String> prefixes = p.kle().stream().filter(k -> k.endsWith(".")).map(k -> k + "%").toList();
                sql.append(" AND (").append(c.kle()).append(" = ANY(CAST(:").append(n).append("ke AS text[]))")
                        .append(" OR ").append(c.kle()).append(" LIKE ANY(CAST(:").append(n).append("kp AS text[])))");
                params.put(n + "ke", arrayLiteral(exact, true));
                params.put(n + "kp", arrayLiteral(prefixes, true));
            }
            if (p.units() != null) {
                sql.append(" AND ").append(c.unit()).append(" = ANY(CAST(:").append(n).append("u AS uuid[]))");
                params.put(n + "u", arrayLiteral(p.units(), false));
            }
            if (p.itSystems() != null) {
                sql.append(" AND ").append(c.itSystem()).append(" = ANY(CAST(:").append(n).append("it AS text[]))");
                params.put(n + "it", arrayLiteral(p.itSystems(), true));
            }
            sql.append(")");
        }
        if (privileges.isEmpty()) {
            sql.append("FALSE");
        }
        return new Filter(sql.append("))").toString(), params);
    }

    /**
     * PostgreSQL's text form of an array ({@code {a,b}}), which the filter's {@code CAST(... AS type[])}
     * reads. A filter is made once per set of privileges and used by every search with them, so the
     * arrays are written once here, not encoded again by the driver on each query (a unit tree can
     * hold thousands of units). Text elements are quoted with backslash escapes; numbers and UUIDs
     * need none.
     */
    public static String arrayLiteral(java.util.Collection<?> values, boolean quote) {
        StringBuilder out = new StringBuilder("{");
        for (Object v : values) {
            if (out.length() > 1) {
                out.append(',');
            }
            if (!quote) {
                out.append(v);
                continue;
            }
            out.append('"');
            String s = v.toString();
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '"' || ch == '\\') {
                    out.append('\\');
                }
                out.append(ch);
            }
            out.append('"');
        }
        return out.append('}').toString();
    }
}
