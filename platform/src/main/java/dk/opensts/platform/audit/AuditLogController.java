package dk.opensts.platform.audit;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.CurrentActor;
import dk.opensts.platform.security.Services;
import dk.opensts.platform.web.PageToken;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The audit log of personal data use, for the platform operator (every record) and a municipality's
 * administrator (its own): who searched or read whom, when, why and what was shown. Reading it is a use
 * of personal data too, and is itself audited.
 */
@RestController
@RequestMapping("/api/admin/v1/audit-log")
@Tag(name = "Audit log")
public class AuditLogController {

    private final AuditLog audit;
    private final TransactionTemplate tx;

    public AuditLogController(AuditLog audit, TransactionTemplate tx) {
        this.audit = audit;
        this.tx = tx;
    }

    public record Page(List<AuditLog.Entry> items, String next) {
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Search the audit log", description = "Newest first, keyset paginated. Needs the role "
            + "operator, or municipal-admin (then only the records of the token's municipality). party finds every "
            + "search and read of a CPR or CVR (a person's access request).")
    public Page search(@Parameter(description = "who: a user's or IT system's id") @RequestParam(required = false) String actor,
                       @Parameter(description = "the CPR or CVR searched for or read") @RequestParam(required = false) String party,
                       @RequestParam(required = false) AuditLog.Action action,
                       @Parameter(description = "ISO-8601 instant, inclusive") @RequestParam(required = false) String from,
                       @Parameter(description = "ISO-8601 instant, exclusive") @RequestParam(required = false) String to,
                       @RequestParam(required = false) Integer limit,
                       @Parameter(description = "the next token of the previous page") @RequestParam(required = false) String after) {
        Actor caller = CurrentActor.requireAny(Services.OPERATOR, Services.MUNICIPAL_ADMIN);
        Instant f = dk.opensts.platform.web.TimeParams.parse("from", from, null);
        Instant t = dk.opensts.platform.web.TimeParams.parse("to", to, null);
        if (f != null && t != null && f.isAfter(t)) {
            throw ApiException.field(ErrorCode.INVALID_PERIOD, "from", "lies after to");
        }
        if (party != null && !party.matches("[0-9]{8}|[0-9]{10}")) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "party", "a CPR (10 digits) or CVR (8 digits)");
        }
        UUID cursor = after == null || after.isBlank() ? null : PageToken.decode(after);
        int n = PageToken.limit(limit);
        AuditLog.Filter filter = new AuditLog.Filter(caller.hasRole(Services.OPERATOR) ? null : caller.municipality(),
                blank(actor), blank(party), action, f, t);
        return tx.execute(s -> {
            List<AuditLog.Entry> items = audit.search(filter, cursor, n + 1);
            String next = null;
            if (items.size() > n) {
                items = items.subList(0, n);
                next = PageToken.encode(items.get(n - 1).id());
            }
            Map<String, Object> details = new LinkedHashMap<>();
            if (party != null) {
                details.put("party", party);
            }
            if (actor != null) {
                details.put("actor", actor);
            }
            details.put("shown", items.size());
            audit.record(caller, AuditLog.Action.READ, "platform/audit-log", List.of(), details);
            return new Page(items, next);
        });
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

}
