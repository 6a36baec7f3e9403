package dk.opensts.platform.securitylog;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.CurrentActor;
import dk.opensts.platform.security.Services;
import dk.opensts.platform.web.PageToken;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import tools.jackson.databind.json.JsonMapper;

/**
 * The security log for the platform operator (every entry) and a municipality's administrator
 * (the entries of its own municipality): search, export as JSON lines, and verification.
 */
@RestController
@RequestMapping("/api/admin/v1/security-log")
@Tag(name = "Security log")
public class SecurityLogController {

    public static final String NDJSON = "application/x-ndjson";

    private final SecurityLog log;
    private final JsonMapper json;

    public SecurityLogController(SecurityLog log, JsonMapper json) {
        this.log = log;
        this.json = json;
    }

    public record Page(List<SecurityEvent> items, String next) {
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Search the security log", description = "Newest first. Needs the role operator, or "
            + "municipal-admin (then only the entries of the token's municipality).")
    public Page search(@Parameter(description = "ISO-8601 instant, inclusive") @RequestParam(required = false) String from,
                       @Parameter(description = "ISO-8601 instant, exclusive") @RequestParam(required = false) String to,
                       @RequestParam(required = false) SecurityEventType type,
                       @RequestParam(required = false) String actor,
                       @RequestParam(required = false) Integer limit,
                       @Parameter(description = "the next token of the previous page") @RequestParam(required = false) String after) {
        SecurityLog.Filter filter = filter(from, to, type, actor);
        int n = PageToken.limit(limit);
        Long before = after == null || after.isBlank() ? null : cursor(after);
        List<SecurityEvent> items = log.search(filter, before, n + 1);
        String next = null;
        if (items.size() > n) {
            items = items.subList(0, n);
            next = Long.toString(items.get(n - 1).seq());
        }
        return new Page(items, next);
    }

    @GetMapping(value = "/export", produces = NDJSON)
    @Operation(summary = "Export the security log as JSON lines", description = "Oldest first, one entry a line, "
            + "streamed. Same filters and roles as the search.")
    public ResponseEntity<StreamingResponseBody> export(@RequestParam(required = false) String from,
                                                        @RequestParam(required = false) String to,
                                                        @RequestParam(required = false) SecurityEventType type,
                                                        @RequestParam(required = false) String actor) {
        SecurityLog.Filter filter = filter(from, to, type, actor);
        StreamingResponseBody body = out -> log.export(filter, e -> line(out, e));
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(NDJSON))
                .header("Content-Disposition", "attachment; filename=\"security-log.jsonl\"").body(body);
    }

    @GetMapping(value = "/verify", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Verify the security log's hash chain", description = "Recomputes every entry's hash and "
            + "answers where an entry was changed, fabricated, inserted or deleted. Needs the role operator.")
    public SecurityLog.Verification verify() {
        Actor actor = CurrentActor.require(Services.OPERATOR);
        SecurityLog.Verification v = log.verify();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("intact", v.intact());
        details.put("entries", v.entries());
        details.put("problems", v.problemCount());
        log.record(SecurityEventType.LOG_VERIFIED, SecurityEvent.OK,
                new SecurityLog.Subject(actor.id(), actor.id(), actor.municipality()), details);
        return v;
    }

    private void line(OutputStream out, SecurityEvent e) {
        try {
            out.write(json.writeValueAsBytes(e));
            out.write('\n');
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The filter the caller may see: an operator any; a municipal administrator its municipality's. */
    private static SecurityLog.Filter filter(String from, String to, SecurityEventType type, String actor) {
        Actor caller = CurrentActor.requireAny(Services.OPERATOR, Services.MUNICIPAL_ADMIN);
        String municipality = caller.hasRole(Services.OPERATOR) ? null : caller.municipality();
        Instant f = dk.opensts.platform.web.TimeParams.parse("from", from, null);
        Instant t = dk.opensts.platform.web.TimeParams.parse("to", to, null);
        if (f != null && t != null && f.isAfter(t)) {
            throw ApiException.field(ErrorCode.INVALID_PERIOD, "from", "lies after to");
        }
        return new SecurityLog.Filter(f, t, type, actor, municipality);
    }

    private static long cursor(String after) {
        try {
            return Long.parseLong(after);
        } catch (NumberFormatException e) {
            throw PageToken.notOurs();
        }
    }

}
