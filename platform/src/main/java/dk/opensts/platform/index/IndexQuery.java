package dk.opensts.platform.index;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.web.PageToken;
import dk.opensts.platform.security.DataScope;
import dk.opensts.platform.security.Sensitivity;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The conditions of an index search, built from the caller's filters and privileges into one SQL
 * {@code WHERE} clause with named parameters: privileges are part of the query, never a loop after it.
 */
public final class IndexQuery {

    private final StringBuilder where = new StringBuilder("TRUE");
    private final Map<String, Object> params = new LinkedHashMap<>();
    private int n;

    /** A keyset position: the last change and id of the last row of the previous page (newest first). */
    public record Cursor(Instant changedAt, UUID id) {

        /** The position after a row of an answer. */
        public static Cursor after(Shown last) {
            return new Cursor(last.changedAt(), last.id());
        }

        public String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((PageToken.micros(changedAt) + "/" + id).getBytes(StandardCharsets.UTF_8));
        }

        public static Cursor decode(String token) {
            if (token == null || token.isBlank()) {
                return null;
            }
            try {
                String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
                int slash = s.indexOf('/');
                return new Cursor(PageToken.ofMicros(Long.parseLong(s.substring(0, slash))),
                        dk.opensts.platform.web.Uuids.parse(s.substring(slash + 1)));
            } catch (RuntimeException e) {
                throw PageToken.notOurs();
            }
        }
    }

    public IndexQuery and(String sql, Map<String, Object> values) {
        where.append(" AND ").append(sql);
        params.putAll(values);
        return this;
    }

    private String param(Object value) {
        String name = "q" + (n++);
        params.put(name, value);
        return ":" + name;
    }

    /** {@code column = value} when a value is given. */
    public IndexQuery eq(String column, Object value) {
        if (value != null) {
            where.append(" AND ").append(column).append(" = ").append(param(value));
        }
        return this;
    }

    /** A KLE filter: {@code 27.24.00} exactly, or {@code 27.*} / {@code 27.24.*} as a prefix. */
    public IndexQuery kle(String column, String value) {
        if (value == null || value.isBlank()) {
            return this;
        }
        if (!value.matches("[0-9]{2}(\\.[0-9]{2}){0,2}(\\.\\*)?")) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "kle", "a KLE number like 27.24.00 or a prefix like 27.*");
        }
        if (value.endsWith(DataScope.BELOW)) {
            where.append(" AND ").append(column).append(" LIKE ")
                    .append(param(value.substring(0, value.length() - 1) + "%"));
        } else {
            where.append(" AND ").append(column).append(" = ").append(param(value));
        }
        return this;
    }

    /** {@code column} is one of {@code values} (uuid or text), when values are given. */
    public IndexQuery anyOf(String column, String sqlType, Collection<?> values) {
        if (values != null && !values.isEmpty()) {
            Object array = "uuid".equals(sqlType) ? values.toArray(UUID[]::new) : values.stream().map(String::valueOf)
                    .toArray(String[]::new);
            where.append(" AND ").append(column).append(" = ANY(CAST(").append(param(array)).append(" AS ")
                    .append(sqlType).append("[]))");
        }
        return this;
    }

    /** The sensitivity column is one of the levels, when given. */
    public IndexQuery sensitivities(String column, Collection<Sensitivity> levels) {
        if (levels != null && !levels.isEmpty()) {
            where.append(" AND ").append(column).append(" = ANY(CAST(")
                    .append(param(levels.stream().map(Sensitivity::code).toArray(Integer[]::new))).append(" AS int[]))");
        }
        return this;
    }

    /** Records whose period ({@code fromColumn}..{@code toColumn}, open end null) overlaps from..to. */
    public IndexQuery overlaps(String fromColumn, String toColumn, LocalDate from, LocalDate to) {
        if (from != null && to != null && from.isAfter(to)) {
            throw ApiException.field(ErrorCode.INVALID_PERIOD, "from", "from " + from + " is after to " + to);
        }
        if (to != null) {
            where.append(" AND (").append(fromColumn).append(" IS NULL OR ").append(fromColumn).append(" <= ")
                    .append(param(to)).append(")");
        }
        if (from != null) {
            where.append(" AND (").append(toColumn).append(" IS NULL OR ").append(toColumn).append(" >= ")
                    .append(param(from)).append(")");
        }
        return this;
    }

    /** The privilege filter. */
    public IndexQuery scope(DataScope.Filter filter) {
        return and(filter.sql(), filter.params());
    }

    /** Rows after the cursor in newest-change-first order. */
    public IndexQuery after(Cursor cursor, String changedColumn, String idColumn) {
        if (cursor != null) {
            where.append(" AND (").append(changedColumn).append(", ").append(idColumn).append(") < (")
                    .append(param(Timestamp.from(cursor.changedAt()))).append(", ")
                    .append(param(cursor.id())).append(")");
        }
        return this;
    }

    public String where() {
        return where.toString();
    }

    public Map<String, Object> params() {
        return params;
    }
}
