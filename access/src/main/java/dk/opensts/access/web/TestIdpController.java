package dk.opensts.access.web;

import dk.opensts.access.roles.Assurance;
import dk.opensts.access.saml.ContextHandler;
import dk.opensts.saml.RedirectBinding;
import dk.opensts.saml.SamlException;
import dk.opensts.saml.SamlXml;
import dk.opensts.access.saml.TestIdentityProvider;
import dk.opensts.access.saml.TestServiceProvider;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The built-in test IdP's and test service provider's pages (demo run and tests only; absent in production). */
@RestController
@RequestMapping("/saml")
@ConditionalOnProperty(name = "opensts.saml.test-idp.enabled", havingValue = "true")
@Tag(name = "Test IdP (demo and tests only)")
public class TestIdpController {

    private static final List<String> LEVELS = Arrays.stream(Assurance.values()).map(Assurance::value).toList();

    private final TestIdentityProvider idp;
    private final TestServiceProvider sp;

    public TestIdpController(TestIdentityProvider idp, TestServiceProvider sp) {
        this.idp = idp;
        this.sp = sp;
    }

    @GetMapping(path = "/test-sp", produces = MediaType.TEXT_HTML_VALUE)
    @Operation(summary = "Test service provider: start a login through the context handler")
    public ResponseEntity<String> testSp() {
        return SamlPages.outcome(new ContextHandler.Redirect(sp.loginUrl()));
    }

    @GetMapping(path = "/test-sp/metadata", produces = ContextHandlerController.METADATA)
    @Operation(summary = "The test service provider's metadata")
    public byte[] testSpMetadata() {
        return SamlXml.serialize(dk.opensts.saml.Messages.spMetadata(sp.entityId(), sp.acsUrl(), sp.certificate()));
    }

    @PostMapping(path = "/test-sp/acs", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE, produces = MediaType.TEXT_HTML_VALUE)
    @Operation(summary = "Test service provider: the context handler's answer, shown")
    public ResponseEntity<String> testSpAcs(@RequestParam(name = "SAMLResponse", required = false) String samlResponse) {
        byte[] xml = ContextHandlerController.base64(samlResponse);
        if (xml == null) {
            return SamlPages.error(400, "SAMLResponse is missing or not base64");
        }
        try {
            return SamlPages.page(200, "Test-SP", SamlPages.testSpResult(sp.receive(xml)));
        } catch (SamlException e) {
            return SamlPages.error(400, e.getMessage());
        }
    }

    @GetMapping(path = "/test-idp/metadata", produces = ContextHandlerController.METADATA)
    @Operation(summary = "The test IdP's metadata")
    public byte[] metadata() {
        return SamlXml.serialize(idp.metadata());
    }

    @GetMapping(path = "/test-idp/sso", produces = MediaType.TEXT_HTML_VALUE)
    @Operation(summary = "The context handler's AuthnRequest (HTTP-Redirect); shows the login form")
    public ResponseEntity<String> sso(HttpServletRequest request) {
        try {
            String token = idp.receive(RedirectBinding.decode(request.getQueryString(), "SAMLRequest"));
            TestIdentityProvider.Pending p = idp.pending(token).orElseThrow();
            return SamlPages.page(200, "Log ind", SamlPages.loginForm(token, p.requester(), null, LEVELS, p.minimum().value()));
        } catch (SamlException e) {
            return SamlPages.error(400, e.getMessage());
        }
    }

    @PostMapping(path = "/test-idp/login", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE, produces = MediaType.TEXT_HTML_VALUE)
    @Operation(summary = "Password login; answers the context handler with a signed Response")
    public ResponseEntity<String> login(@RequestParam String token, @RequestParam(required = false) String username,
                                        @RequestParam(required = false) String password,
                                        @RequestParam(required = false) String loa) {
        try {
            Assurance level = Assurance.parse(loa).orElse(null);
            Optional<ContextHandler.PostForm> answer = idp.login(token, username, password, level);
            if (answer.isPresent()) {
                return SamlPages.outcome(answer.get());
            }
            TestIdentityProvider.Pending p = idp.pending(token).orElseThrow(() -> new SamlException("the login has expired"));
            return SamlPages.page(401, "Log ind", SamlPages.loginForm(token, p.requester(),
                    "Forkert brugernavn eller adgangskode.", LEVELS, loa));
        } catch (SamlException e) {
            return SamlPages.error(400, e.getMessage());
        }
    }
}
