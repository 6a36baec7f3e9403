package dk.opensts.access.web;

import dk.opensts.access.saml.ContextHandler;
import dk.opensts.saml.RedirectBinding;
import dk.opensts.saml.SamlException;
import dk.opensts.saml.SamlXml;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Base64;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The context handler's SAML endpoints: its IdP side toward user-facing systems and its SP side
 * toward the municipal IdPs. The browser carries the messages; the answers are HTML (redirects and
 * self-submitting forms) and SAML metadata.
 */
@RestController
@RequestMapping("/saml")
@Tag(name = "Context handler (SAML 2.0)")
public class ContextHandlerController {

    static final String METADATA = "application/samlmetadata+xml";

    private final ContextHandler handler;

    public ContextHandlerController(ContextHandler handler) {
        this.handler = handler;
    }

    @GetMapping(path = "/idp/metadata", produces = METADATA)
    @Operation(summary = "IdP metadata for user-facing systems", description = "Entity id, single sign-on over "
            + "HTTP-Redirect and HTTP-POST, the signing certificate.")
    public byte[] idpMetadata() {
        return SamlXml.serialize(handler.idpMetadata());
    }

    @GetMapping(path = "/sp/metadata", produces = METADATA)
    @Operation(summary = "SP metadata for the municipal IdPs", description = "Entity id, the assertion consumer URL "
            + "(HTTP-POST), signing and encryption certificate.")
    public byte[] spMetadata() {
        return SamlXml.serialize(handler.spMetadata());
    }

    @GetMapping(path = "/idp/sso", produces = MediaType.TEXT_HTML_VALUE)
    @Operation(summary = "Single sign-on, HTTP-Redirect binding", description = "A registered system's AuthnRequest, "
            + "signed over the query (SAMLRequest, RelayState, SigAlg, Signature). The browser goes on to the municipal "
            + "IdP (or first chooses the municipality when several are configured; `municipality` names it at once). "
            + "503 with a page saying the context handler is busy when the hop was not admitted within "
            + "opensts.saml.hop-wait (nothing was read or taken; the user tries again).")
    public ResponseEntity<String> ssoRedirect(HttpServletRequest request,
                                              @RequestParam(required = false) String municipality) {
        RedirectBinding.Received received;
        try {
            received = RedirectBinding.decode(request.getQueryString(), "SAMLRequest");
        } catch (SamlException e) {
            return SamlPages.error(400, e.getMessage());
        }
        long start = System.nanoTime();
        return timed(SamlPages.outcome(handler.authnRequest(received, null, null, municipality)), start);
    }

    /** The context handler's own time on the request, as a {@code Server-Timing} header (W3C). */
    static ResponseEntity<String> timed(ResponseEntity<String> answer, long startNanos) {
        long tenths = (System.nanoTime() - startNanos + 50_000) / 100_000;
        String dur = tenths / 10 + "." + tenths % 10;
        return ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders())
                .header("Server-Timing", "ch;desc=\"context handler\";dur=" + dur).body(answer.getBody());
    }

    @PostMapping(path = "/idp/sso", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE, produces = MediaType.TEXT_HTML_VALUE)
    @Operation(summary = "Single sign-on, HTTP-POST binding", description = "SAMLRequest (base64 AuthnRequest with an "
            + "enveloped signature) and RelayState as form fields. 503 (busy) as for the HTTP-Redirect binding.")
    public ResponseEntity<String> ssoPost(@RequestParam(name = "SAMLRequest", required = false) String samlRequest,
                                          @RequestParam(name = "RelayState", required = false) String relayState,
                                          @RequestParam(required = false) String municipality) {
        byte[] xml = base64(samlRequest);
        if (xml == null) {
            return SamlPages.error(400, "SAMLRequest is missing or not base64");
        }
        long start = System.nanoTime();
        return timed(SamlPages.outcome(handler.authnRequest(null, xml, relayState, municipality)), start);
    }

    @GetMapping(path = "/idp/municipality", produces = MediaType.TEXT_HTML_VALUE)
    @Operation(summary = "The user's choice of municipality", description = "Continues a login on to that municipality's IdP.")
    public ResponseEntity<String> municipality(@RequestParam String login, @RequestParam String cvr) {
        return SamlPages.outcome(handler.chosen(login, cvr));
    }

    @PostMapping(path = "/sp/acs", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE, produces = MediaType.TEXT_HTML_VALUE)
    @Operation(summary = "Assertion consumer for the municipal IdPs (HTTP-POST)", description = "The municipal IdP's "
            + "Response; the browser goes on to the system with the context handler's own signed Response. 503 with "
            + "a page saying the context handler is busy when the hop was not admitted within opensts.saml.hop-wait "
            + "(the login is not taken: the same Response can be posted again).")
    public ResponseEntity<String> acs(@RequestParam(name = "SAMLResponse", required = false) String samlResponse) {
        byte[] xml = base64(samlResponse);
        if (xml == null) {
            return SamlPages.error(400, "SAMLResponse is missing or not base64");
        }
        long start = System.nanoTime();
        return timed(SamlPages.outcome(handler.idpResponse(xml)), start);
    }

    static byte[] base64(String value) {
        if (value == null || value.isBlank() || value.length() > 2_000_000) {
            return null;
        }
        try {
            return Base64.getMimeDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
