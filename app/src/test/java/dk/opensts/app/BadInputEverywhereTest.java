package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.platform.security.Services;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Bad input at every endpoint of the API, called by a system allowed to call it:
 * <ul>
 * <li>a body cut off in the middle: each answers a client error as problem+json, and nothing is
 * written anywhere (every table of every module has the rows it had, but the security log);</li>
 * <li>reads with an id that is no UUID in the path, or with dates, limits, cursors and numbers that
 * are none: a client error as problem+json, or an answer, never a server error.</li>
 * </ul>
 */
class BadInputEverywhereTest extends ApiTest {

    /** The service each part of the API belongs to, and roles for it (a body is read before the roles are checked). */
    static final Map<String, String[]> SERVICES = new LinkedHashMap<>();

    static {
        SERVICES.put("/api/organisation/", new String[] {Services.ORGANISATION, Services.READ + "," + Services.WRITE});
        SERVICES.put("/api/classification/", new String[] {Services.CLASSIFICATION,
                Services.READ + "," + Services.WRITE + "," + Services.NATIONAL_WRITE});
        SERVICES.put("/api/case-index/", new String[] {Services.CASE_INDEX,
                Services.PUBLISH});
        SERVICES.put("/api/benefit-index/", new String[] {Services.BENEFIT_INDEX,
                Services.PUBLISH});
        SERVICES.put("/api/messaging/", new String[] {Services.MESSAGING, Services.PUBLISH});
        SERVICES.put("/api/admin/", new String[] {Services.ADMINISTRATION,
                Services.OPERATOR + "," + Services.MUNICIPAL_ADMIN});
        SERVICES.put("/api/access/", new String[] {Services.ADMINISTRATION,
                Services.OPERATOR + "," + Services.MUNICIPAL_ADMIN});
    }

    @Test
    void everyBodyCutOffIsRefusedAsAClientErrorAndWritesNothing(
            @Autowired @Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping mappings) {
        Map<String, String> tokens = tokens();
        Map<String, Long> before = rows();
        List<String> wrong = new ArrayList<>();
        int seen = eachApiEndpoint(mappings, tokens, (info, handler, pattern, token) -> {
            int n = 0;
            if (!takesBody(handler)) {
                return n;
            }
            String path = pattern.replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
            for (var method : info.getMethodsCondition().getMethods()) {
                if (!List.of("POST", "PUT", "PATCH").contains(method.name())) {
                    continue;
                }
                var types = info.getConsumesCondition().getConsumableMediaTypes();
                for (MediaType type : types.isEmpty() ? List.of(MediaType.APPLICATION_JSON) : types) {
                    String body = type.getSubtype().contains("xml") ? "<a><b>" : type.getSubtype().equals("csv")
                            ? "type,id\nunit,\"" : "{\"a\": [1, ";
                    n++;
                    Res r = call(method.name(), path, token, body, "Content-Type", type.toString());
                    if (r.status() < 400 || r.status() >= 500 || !isProblem(r)) {
                        wrong.add(method + " " + pattern + " " + type + ": " + r.status() + " " + r.text());
                    }
                }
            }
            return n;
        });
        assertThat(seen).isGreaterThan(40);
        assertThat(wrong).as("bodies cut off that were not refused as a client error").isEmpty();
        assertThat(rows()).as("rows per table").isEqualTo(before);
    }

    @Test
    void everyReadWithBadPathsAndParametersIsAClientErrorNeverAServerError(
            @Autowired @Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping mappings) {
        String bad = "?validAt=yesterday&knownAt=2026-13-45&limit=-1&depth=x&cursor=%25%25&pageToken=!!&from=soon"
                + "&cpr=12&cvr=abc&q=%00";
        List<String> wrong = new ArrayList<>();
        int seen = eachApiEndpoint(mappings, tokens(), (info, handler, pattern, token) -> {
            if (!info.getMethodsCondition().getMethods().contains(org.springframework.web.bind.annotation.RequestMethod.GET)) {
                return 0;
            }
            List<String> paths = List.of(pattern.replaceAll("\\{[^}]+}", "not-a-uuid"),
                    pattern.replaceAll("\\{[^}]+}", UUID.randomUUID().toString()) + bad);
            for (String path : paths) {
                Res r = call("GET", path, token, null);
                if (r.status() >= 500 || r.status() >= 400 && !isProblem(r)) {
                    wrong.add("GET " + path + ": " + r.status() + " " + r.text());
                }
            }
            return paths.size();
        });
        assertThat(seen).isGreaterThan(40);
        assertThat(wrong).as("reads answered with a server error, or an error not as problem+json").isEmpty();
    }

    /** One endpoint's calls; returns how many it made. */
    interface Calls {
        int make(org.springframework.web.servlet.mvc.method.RequestMappingInfo info,
                 org.springframework.web.method.HandlerMethod handler, String pattern, String token);
    }

    /** A token for each part of the API, by its path prefix. */
    private Map<String, String> tokens() {
        Map<String, String> tokens = new LinkedHashMap<>();
        SERVICES.forEach((prefix, service) -> tokens.put(prefix, tokenFor(CVR, service[0], service[1].split(","))));
        return tokens;
    }

    /** Makes {@code calls} for each path of the API with the token of its part; returns how many calls were made. */
    private int eachApiEndpoint(RequestMappingHandlerMapping mappings, Map<String, String> tokens, Calls calls) {
        int made = 0;
        for (var mapping : mappings.getHandlerMethods().entrySet()) {
            for (String pattern : mapping.getKey().getPatternValues()) {
                String token = tokens.entrySet().stream().filter(e -> pattern.startsWith(e.getKey()))
                        .map(Map.Entry::getValue).findFirst().orElse(null);
                if (token != null) {
                    made += calls.make(mapping.getKey(), mapping.getValue(), pattern, token);
                }
            }
        }
        return made;
    }

    private static boolean isProblem(Res r) {
        String type = r.header("Content-Type");
        return type != null && type.startsWith("application/problem+json");
    }

    /** A body bound to a parameter, or read from the request itself. */
    private static boolean takesBody(org.springframework.web.method.HandlerMethod handler) {
        for (var p : handler.getMethodParameters()) {
            if (p.hasParameterAnnotation(org.springframework.web.bind.annotation.RequestBody.class)
                    || jakarta.servlet.http.HttpServletRequest.class.isAssignableFrom(p.getParameterType())) {
                return true;
            }
        }
        return false;
    }

    /** Every table of the modules' schemas and its number of rows, but the security log's. */
    private Map<String, Long> rows() {
        Map<String, Long> rows = new java.util.TreeMap<>();
        for (String table : jdbc.sql("SELECT table_schema || '.' || table_name FROM information_schema.tables"
                + " WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')"
                + " AND table_name NOT LIKE 'flyway%' AND table_name NOT LIKE 'security_log%'").query(String.class).list()) {
            rows.put(table, count("SELECT count(*) FROM " + table));
        }
        return rows;
    }
}
