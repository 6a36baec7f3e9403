package dk.opensts.overview.web;

import dk.opensts.overview.domain.CitizenOverview;
import dk.opensts.overview.domain.OverviewLogin;
import dk.opensts.platform.index.Identifiers;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import dk.opensts.saml.SamlException;
import dk.opensts.saml.ServiceProvider;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The overview's pages. A page needs a logged-in caseworker: without one (or when her assertion has
 * run out) the browser goes to the context handler and comes back to the page it asked for, so a
 * fagsystem's link to a citizen or a case lands there after the login.
 */
@org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "opensts.overview.enabled", havingValue = "true", matchIfMissing = true)
@Controller
@RequestMapping("/overview")
@Tag(name = "Caseworker overview (HTML pages)", description = "Pages for caseworkers in a browser, behind the "
        + "context handler; see docs/overview.md")
class OverviewController {

    static final String USER = "opensts.overview.user";
    static final String PENDING = "opensts.overview.login";
    private static final Pattern CPR = Pattern.compile("[0-9]{6}-?[0-9]{4}");
    private static final Pattern CASE_NUMBER = Pattern.compile("[\\p{L}\\p{N}._/-]{1,100}");
    private static final Pattern KLE = Pattern.compile("[0-9]{2}(\\.[0-9]{2}){0,2}(\\.\\*)?|[0-9]{2}\\.\\*");
    private static final Pattern HANDLING = Pattern.compile("[A-Z][0-9]{2}");
    private static final java.util.Set<String> STATES = java.util.Set.of("OPSTAAET", "OPLYST", "AFGJORT", "AFSLUTTET");
    private static final java.util.Set<String> SORTS = java.util.Set.of("changed", "number", "title", "state");

    /** The logged-in caseworker: who she is and the assertion her searches are made with. */
    record User(String id, String name, String cvr, String assurance, byte[] assertion, Instant notOnOrAfter)
            implements Serializable {
    }

    /** A login under way: the request id the answer must name, and the page to return to. */
    record Pending(String requestId, String returnTo) implements Serializable {
    }

    private final OverviewLogin login;
    private final CitizenOverview overview;
    private final SecurityLog securityLog;
    private final Clock clock;

    OverviewController(OverviewLogin login, CitizenOverview overview, SecurityLog securityLog, Clock clock) {
        this.login = login;
        this.overview = overview;
        this.securityLog = securityLog;
        this.clock = clock;
    }

    @Operation(summary = "The search page", description = "Without a login the browser goes through the context handler first.")
    @GetMapping({"", "/"})
    String start(HttpServletRequest request, Model model) {
        User user = user(request);
        if (user == null) {
            return toLogin(request);
        }
        page(user, null, model);
        return "overview/search";
    }

    /** A citizen's cases: {@code cpr}, and the purpose when her municipality asks for one. */
    @Operation(summary = "A citizen's cases, documents and grants", description = "cpr, and formaal (the purpose) when the "
            + "municipality requires one; filters kle, tilstand, handlingsfacet; sorter (changed, number, title, state); efter "
            + "(the next page). GET is the link a fagsystem may use; the page's own form posts. Every search is audited.")
    @RequestMapping(path = "/borger", method = {RequestMethod.GET, RequestMethod.POST})
    String citizen(HttpServletRequest request, Model model,
                   @RequestParam(required = false) String cpr,
                   @RequestParam(name = "formaal", required = false) String purpose,
                   @RequestParam(required = false) String kle,
                   @RequestParam(name = "tilstand", required = false) String state,
                   @RequestParam(name = "handlingsfacet", required = false) String handlingClass,
                   @RequestParam(name = "sorter", required = false) String sort,
                   @RequestParam(name = "efter", required = false) String after) {
        User user = user(request);
        if (user == null) {
            return toLogin(request);
        }
        boolean purposeRequired = page(user, purpose, model);
        model.addAttribute("cpr", cpr == null ? "" : cpr.strip());
        model.addAttribute("kle", blank(kle));
        model.addAttribute("state", blank(state));
        model.addAttribute("handlingClass", blank(handlingClass));
        model.addAttribute("sort", sort == null || !SORTS.contains(sort) ? "changed" : sort);
        Map<String, String> errors = new java.util.LinkedHashMap<>();
        String number = cpr == null ? "" : cpr.strip().replace("-", "");
        if (number.isEmpty()) {
            errors.put("cpr", "error.cpr.missing");
        } else if (!CPR.matcher(cpr.strip()).matches() || !Identifiers.isCpr(number)) {
            errors.put("cpr", "error.cpr.format");
        }
        String reason = checkPurpose(purposeRequired, purpose, errors);
        checkFilters(kle, state, handlingClass, errors);
        model.addAttribute("errors", errors);
        if (!errors.isEmpty()) {
            return "overview/search";
        }
        CitizenOverview.Result result = overview.search(user.assertion(), login.entityId(), new CitizenOverview.Query(
                number, null, reason, blank(kle), blank(state),
                blank(handlingClass), sort, blank(after)));
        model.addAttribute("result", result);
        model.addAttribute("cpr", number);
        return "overview/citizen";
    }

    /** One case by its number, with its documents and grants. */
    @Operation(summary = "One case by its number", description = "nummer, and formaal when required. Audited.")
    @RequestMapping(path = "/sag", method = {RequestMethod.GET, RequestMethod.POST})
    String caseByNumber(HttpServletRequest request, Model model,
                        @RequestParam(name = "nummer", required = false) String number,
                        @RequestParam(name = "formaal", required = false) String purpose) {
        User user = user(request);
        if (user == null) {
            return toLogin(request);
        }
        boolean purposeRequired = page(user, purpose, model);
        model.addAttribute("number", number == null ? "" : number.strip());
        Map<String, String> errors = new java.util.LinkedHashMap<>();
        if (number == null || !CASE_NUMBER.matcher(number.strip()).matches()) {
            errors.put("nummer", number == null || number.isBlank() ? "error.number.missing" : "error.number.format");
        }
        String reason = checkPurpose(purposeRequired, purpose, errors);
        model.addAttribute("errors", errors);
        if (!errors.isEmpty()) {
            return "overview/case";
        }
        CitizenOverview.Result result = overview.search(user.assertion(), login.entityId(), new CitizenOverview.Query(
                null, number.strip(), reason, null, null, null, null, null));
        model.addAttribute("result", result);
        model.addAttribute("found", result.cases().isEmpty() ? null : result.cases().get(0));
        return "overview/case";
    }

    /** Starts a login at the context handler; {@code return} is the overview page to come back to. */
    @Operation(summary = "Starts a login at the context handler", description = "return: the overview page to come back to.")
    @GetMapping("/login")
    String startLogin(HttpServletRequest request, @RequestParam(name = "return", required = false) String returnTo) {
        ServiceProvider.Login started = login.sp().login(null);
        request.getSession(true).setAttribute(PENDING, new Pending(started.requestId(), safeReturn(returnTo)));
        return "redirect:" + started.redirectUrl();
    }

    /** The context handler's answer (HTTP-POST binding). */
    @Operation(summary = "Assertion consumer (HTTP-POST)", description = "The context handler's Response to the login this "
            + "browser started; a refused answer is an error page and a LOGIN_REFUSED entry in the security log.")
    @PostMapping("/saml/acs")
    String acs(HttpServletRequest request, HttpServletResponse response, Model model,
               @RequestParam(name = "SAMLResponse", required = false) String samlResponse) {
        HttpSession session = request.getSession(false);
        Pending pending = session == null ? null : (Pending) session.getAttribute(PENDING);
        if (session != null) {
            session.removeAttribute(PENDING);
        }
        if (samlResponse == null || pending == null) {
            return refused(response, model, "error.login.nosession", "no login under way in this browser");
        }
        User user;
        try {
            ServiceProvider.Answer answer = login.sp().receive(samlResponse, pending.requestId());
            if (!answer.success()) {
                model.addAttribute("detail", answer.message());
                return refused(response, model, "error.login.denied", "the context handler refused: " + answer.status());
            }
            if (answer.user() == null || answer.cvr() == null) {
                throw new SamlException("the assertion names no user and municipality");
            }
            user = new User(answer.user().toString(), answer.name(), answer.cvr(), answer.assurance(), answer.assertion(),
                    answer.notOnOrAfter());
        } catch (SamlException | IllegalArgumentException | java.time.format.DateTimeParseException e) {
            return refused(response, model, "error.login.refused", e.getMessage());
        }
        request.changeSessionId();
        request.getSession().setAttribute(USER, user);
        return "redirect:" + pending.returnTo();
    }

    @Operation(summary = "Ends the session", description = "Needs the page's CSRF token.")
    @PostMapping("/logout")
    String logout(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        return "overview/logged-out";
    }

    @Operation(summary = "The overview's SAML service provider metadata")
    @GetMapping(path = "/saml/metadata", produces = "application/samlmetadata+xml")
    ResponseEntity<byte[]> metadata() {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/samlmetadata+xml"))
                .body(login.sp().metadata());
    }

    // ------------------------------------------------------------------ helpers

    /** What every page of a logged-in caseworker shows; whether her municipality requires a purpose. */
    private boolean page(User user, String purpose, Model model) {
        boolean required = overview.settings().purposeRequired(user.cvr());
        model.addAttribute("user", user);
        model.addAttribute("purposeRequired", required);
        model.addAttribute("purpose", purpose == null ? "" : purpose.strip());
        return required;
    }

    private String refused(HttpServletResponse response, Model model, String message, String reason) {
        securityLog.denied(SecurityEventType.LOGIN_REFUSED, new SecurityLog.Subject("anonymous", login.entityId(), null),
                "overview: " + reason, Map.of("system", login.entityId()));
        response.setStatus(403);
        model.addAttribute("message", message);
        return "overview/error";
    }

    /** The logged-in caseworker, or null when there is none or her assertion has run out. */
    private User user(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        User user = session == null ? null : (User) session.getAttribute(USER);
        if (user != null && user.notOnOrAfter() != null && !clock.instant().isBefore(user.notOnOrAfter())) {
            session.removeAttribute(USER);
            return null;
        }
        return user;
    }

    private static String toLogin(HttpServletRequest request) {
        String here = request.getRequestURI() + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        return "redirect:/overview/login?return=" + URLEncoder.encode(here, StandardCharsets.UTF_8);
    }

    /** Only a path of the overview itself: never another site (an open redirect). */
    static String safeReturn(String returnTo) {
        if (returnTo == null || !returnTo.startsWith("/overview") || returnTo.startsWith("//")
                || returnTo.contains("\\") || returnTo.contains("\r") || returnTo.contains("\n")
                || returnTo.startsWith("/overview/login") || returnTo.startsWith("/overview/saml")) {
            return "/overview";
        }
        return returnTo;
    }

    /** The stated purpose (null when none), or an error when the municipality requires one or it is too long. */
    private static String checkPurpose(boolean required, String purpose, Map<String, String> errors) {
        String reason = blank(purpose);
        if (required && reason == null) {
            errors.put("formaal", "error.purpose.missing");
        } else if (reason != null && reason.length() > 500) {
            errors.put("formaal", "error.purpose.long");
        }
        return reason;
    }

    private static void checkFilters(String kle, String state, String handlingClass, Map<String, String> errors) {
        if (blank(kle) != null && !KLE.matcher(kle.strip()).matches()) {
            errors.put("kle", "error.kle.format");
        }
        if (blank(state) != null && !STATES.contains(state)) {
            errors.put("tilstand", "error.state");
        }
        if (blank(handlingClass) != null && !HANDLING.matcher(handlingClass.strip()).matches()) {
            errors.put("handlingsfacet", "error.handling.format");
        }
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
