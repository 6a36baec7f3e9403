package dk.opensts.access.web;

import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.access.api.ServiceAgreements.Agreement;
import dk.opensts.access.api.ServiceAgreements.Grant;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.web.ETags;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * An IT system's own side of its agreements, authenticated by its certificate over mutual TLS
 * (no token: a system without agreements has none): it asks for a service in a municipality, and
 * follows what became of its requests. The municipality's administrator decides.
 */
@RestController
@RequestMapping(SystemAgreementsController.BASE)
@Tag(name = "Access: a system's own agreements")
public class SystemAgreementsController {

    public static final String BASE = "/api/access/v1";

    private final ServiceAgreements agreements;
    private final Clock clock;

    public SystemAgreementsController(ServiceAgreements agreements, Clock clock) {
        this.agreements = agreements;
        this.clock = clock;
    }

    public record Request(String service, String municipality, List<Grant> roles,
                         AdministrationController.Validity validity, String note) {
    }

    @PostMapping("/agreement-requests")
    @Operation(summary = "Ask for a service agreement", description = "Over mutual TLS with the system's registered "
            + "certificate. The agreement starts REQUESTED; the municipality's administrator approves or rejects it.")
    public ResponseEntity<Agreement> request(@RequestBody Request in) {
        UUID system = system();
        Agreement a = agreements.request(system, in.service(), in.municipality(), in.roles(),
                AdministrationController.Validity.period(in.validity(), clock.instant()), in.note(),
                Actor.internal(system.toString(), in.municipality()));
        return ResponseEntity.created(URI.create(BASE + "/agreements/" + a.id())).eTag(ETags.of(a.version())).body(a);
    }

    @GetMapping("/agreements")
    @Operation(summary = "The system's own agreements", description = "In every municipality and state, as now.")
    public List<Agreement> mine() {
        return agreements.list(null, system(), null, null, null);
    }

    /** The IT system the certificate authenticated (see {@code CertificateAuthentication}). */
    private static UUID system() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null || !(auth.getPrincipal() instanceof UUID id)) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "Call over mutual TLS with the system's certificate");
        }
        return id;
    }
}
