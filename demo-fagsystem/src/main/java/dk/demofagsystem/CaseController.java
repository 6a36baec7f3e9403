package dk.demofagsystem;

import dk.opensts.saml.SamlException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The caseworker's pages: citizens, their cases, a case with its documents and grants. Every change
 * is saved here first and then published to the indexes; the page shows what the index answered.
 */
@Controller
class CaseController {

    private static final Pattern CPR = Pattern.compile("[0-9]{6}-?[0-9]{4}");
    private static final Pattern KLE = Pattern.compile("[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}");
    private static final Pattern HANDLING = Pattern.compile("[A-Z][0-9]{2}");
    static final List<String> SENSITIVITIES = List.of("IKKE_FORTROLIGE_DATA", "FORTROLIGE_PERSONOPLYSNINGER",
            "FOELSOMME_PERSONOPLYSNINGER");
    static final Map<String, String> SENSITIVITY_NAMES = Map.of("IKKE_FORTROLIGE_DATA", "Ikke fortrolige data",
            "FORTROLIGE_PERSONOPLYSNINGER", "Fortrolige personoplysninger",
            "FOELSOMME_PERSONOPLYSNINGER", "Følsomme personoplysninger");
    static final List<String> FREQUENCIES = List.of("ONCE", "WEEKLY", "FORTNIGHTLY", "MONTHLY", "QUARTERLY", "YEARLY");

    private final Caseworkers caseworkers;
    private final Journal journal;
    private final Publisher publisher;
    private final Units units;
    private final DemoSettings settings;

    CaseController(Caseworkers caseworkers, Journal journal, Publisher publisher, Units units, DemoSettings settings) {
        this.caseworkers = caseworkers;
        this.journal = journal;
        this.publisher = publisher;
        this.units = units;
        this.settings = settings;
    }

    // ------------------------------------------------------------------ login

    @GetMapping("/login")
    String login(HttpServletRequest request, @RequestParam(name = "return", required = false) String returnTo) {
        return "redirect:" + caseworkers.startLogin(request, returnTo);
    }

    @PostMapping("/saml/acs")
    String acs(HttpServletRequest request, HttpServletResponse response, Model model,
               @RequestParam(name = "SAMLResponse", required = false) String samlResponse) {
        try {
            return "redirect:" + caseworkers.finishLogin(request, samlResponse);
        } catch (SamlException | IllegalArgumentException | IllegalStateException e) {
            response.setStatus(403);
            model.addAttribute("message", e.getMessage());
            return "demo/error";
        }
    }

    @PostMapping("/logout")
    String logout(HttpServletRequest request, @RequestParam(name = "_csrf", required = false) String csrf) {
        if (caseworkers.csrfValid(request, csrf)) {
            caseworkers.logout(request);
        }
        return "redirect:/logget-ud";
    }

    @GetMapping("/logget-ud")
    String loggedOut() {
        return "demo/logged-out";
    }

    @GetMapping(path = "/saml/metadata", produces = "application/samlmetadata+xml")
    ResponseEntity<byte[]> metadata() {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/samlmetadata+xml"))
                .body(caseworkers.metadata());
    }

    // ------------------------------------------------------------------ pages

    @GetMapping("/")
    String home(HttpServletRequest request, Model model) {
        Caseworkers.User user = caseworkers.user(request);
        if (user == null) {
            return toLogin(request);
        }
        common(request, model, user);
        model.addAttribute("citizens", journal.citizens());
        model.addAttribute("errors", Map.of());
        return "demo/home";
    }

    @PostMapping("/borgere")
    String register(HttpServletRequest request, Model model, @RequestParam Map<String, String> form) {
        Caseworkers.User user = caseworkers.user(request);
        if (user == null || !caseworkers.csrfValid(request, form.get("_csrf"))) {
            return toLogin(request);
        }
        String cpr = form.getOrDefault("cpr", "").strip();
        Map<String, String> errors = new LinkedHashMap<>();
        if (!CPR.matcher(cpr).matches()) {
            errors.put("cpr", "Et CPR-nummer har 10 cifre, fx 0101701234.");
        }
        String name = blank(form.get("navn"));
        if (name == null) {
            errors.put("navn", "Skriv borgerens navn.");
        }
        if (!errors.isEmpty()) {
            common(request, model, user);
            model.addAttribute("citizens", journal.citizens());
            model.addAttribute("errors", errors);
            model.addAttribute("form", form);
            return "demo/home";
        }
        cpr = cpr.replace("-", "");
        journal.register(new Journal.Citizen(cpr, name, blank(form.get("adresse")), form.containsKey("beskyttet")));
        return "redirect:/borgere/" + cpr;
    }

    @GetMapping("/borgere/{cpr}")
    String citizen(HttpServletRequest request, Model model, @PathVariable String cpr) {
        Caseworkers.User user = caseworkers.user(request);
        if (user == null) {
            return toLogin(request);
        }
        Journal.Citizen citizen = journal.citizen(cpr).orElse(null);
        if (citizen == null) {
            return "redirect:/";
        }
        citizenPage(request, model, user, citizen, Map.of(), Map.of());
        return "demo/citizen";
    }

    @PostMapping("/borgere/{cpr}/sager")
    String createCase(HttpServletRequest request, Model model, @PathVariable String cpr,
                      @RequestParam Map<String, String> form) {
        Caseworkers.User user = caseworkers.user(request);
        if (user == null || !caseworkers.csrfValid(request, form.get("_csrf"))) {
            return toLogin(request);
        }
        Journal.Citizen citizen = journal.citizen(cpr).orElse(null);
        if (citizen == null) {
            return "redirect:/";
        }
        Map<String, String> errors = new LinkedHashMap<>();
        String title = blank(form.get("titel"));
        if (title == null) {
            errors.put("titel", "Skriv en titel.");
        }
        String kle = form.getOrDefault("kle", "").strip();
        if (!KLE.matcher(kle).matches()) {
            errors.put("kle", "KLE-emnet skal være et emnenummer som 27.24.00.");
        } else if (!user.mayHandle(kle)) {
            errors.put("kle", "Dine roller giver ikke adgang til KLE-emne " + kle + " (du har " + String.join(", ", user.kle()) + ").");
        }
        String handling = blank(form.get("handlingsfacet"));
        if (handling != null && !HANDLING.matcher(handling).matches()) {
            errors.put("handlingsfacet", "Handlingsfacetten er et bogstav og to cifre, fx G01.");
        }
        Units.Unit unit = units.find(form.get("enhed"), user).orElse(null);
        if (unit == null) {
            errors.put("enhed", "Vælg en af dine enheder.");
        }
        String sensitivity = form.get("foelsomhed");
        if (!SENSITIVITIES.contains(sensitivity)) {
            errors.put("foelsomhed", "Vælg en følsomhed.");
        }
        if (!errors.isEmpty()) {
            citizenPage(request, model, user, citizen, errors, form);
            return "demo/citizen";
        }
        Journal.Case c = new Journal.Case(UUID.randomUUID().toString(), journal.nextNumber(), cpr, title, kle, handling,
                unit.id(), unit.name(), sensitivity, form.containsKey("undtaget"), user.name(), LocalDate.now(), 1, null,
                List.of(), List.of());
        journal.store(c);
        publish(c, citizen);
        return "redirect:/sager/" + c.localId();
    }

    @GetMapping("/sager/{id}")
    String casePage(HttpServletRequest request, Model model, @PathVariable String id) {
        Caseworkers.User user = caseworkers.user(request);
        if (user == null) {
            return toLogin(request);
        }
        Journal.Case c = journal.find(id).orElse(null);
        if (c == null) {
            return "redirect:/";
        }
        casePage(request, model, user, c, Map.of(), Map.of());
        return "demo/case";
    }

    @PostMapping("/sager/{id}/dokumenter")
    String addDocument(HttpServletRequest request, Model model, @PathVariable String id,
                       @RequestParam Map<String, String> form) {
        return addToCase(request, model, id, form, (c, errors) -> {
            String title = blank(form.get("dokumenttitel"));
            if (title == null) {
                errors.put("dokumenttitel", "Skriv dokumentets titel.");
            }
            LocalDate date = date(form.get("brevdato"), "brevdato", errors, true);
            if (!errors.isEmpty()) {
                return null;
            }
            Journal.Document d = new Journal.Document(UUID.randomUUID().toString(),
                    String.valueOf(c.documents().size() + 1), title, date,
                    blank(form.get("dokumenttype")) == null ? "Notat" : form.get("dokumenttype").strip(), 1);
            return new Addition(c.withDocument(d), "Dokument " + d.number(),
                    (changed, citizen) -> publisher.publishDocument(changed, d, citizen));
        });
    }

    @PostMapping("/sager/{id}/bevillinger")
    String addGrant(HttpServletRequest request, Model model, @PathVariable String id,
                    @RequestParam Map<String, String> form) {
        return addToCase(request, model, id, form, (c, errors) -> {
            String benefit = blank(form.get("ydelse"));
            if (benefit == null) {
                errors.put("ydelse", "Skriv ydelsen.");
            }
            LocalDate from = date(form.get("fra"), "fra", errors, true);
            LocalDate to = date(form.get("til"), "til", errors, false);
            if (from != null && to != null && to.isBefore(from)) {
                errors.put("til", "Slutdatoen ligger før startdatoen.");
            }
            BigDecimal amount = amount(form.get("beloeb"), "beloeb", errors);
            String frequency = form.get("frekvens");
            if (!FREQUENCIES.contains(frequency)) {
                errors.put("frekvens", "Vælg hvor ofte der betales.");
            }
            BigDecimal paid = blank(form.get("udbetalt")) == null ? null : amount(form.get("udbetalt"), "udbetalt", errors);
            if (!errors.isEmpty()) {
                return null;
            }
            List<Journal.Payment> payments = paid == null ? List.of() : List.of(new Journal.Payment(from,
                    from.plusMonths(1).minusDays(1), amount.toPlainString(), paid.toPlainString()));
            Journal.Grant g = new Journal.Grant(UUID.randomUUID().toString(), c.number() + "-B" + (c.grants().size() + 1),
                    benefit, from, to, amount.toPlainString(), frequency, form.containsKey("tilbagebetaling"), payments, 1,
                    null);
            return new Addition(c.withGrant(g), "Bevilling " + g.userKey(),
                    (changed, citizen) -> publisher.publishGrant(changed, g, citizen));
        });
    }

    /** A document or grant added to a case: the changed case, what it is, and how it is published. */
    private record Addition(Journal.Case changed, String what,
                            java.util.function.BiFunction<Journal.Case, Journal.Citizen, OpenStsClient.Answer> publish) {
    }

    /**
     * Adds to a case from a form: the form's checks fill {@code errors} (and give null), else the case is
     * saved with the addition, the addition published, and the index's answer kept on the case.
     */
    private String addToCase(HttpServletRequest request, Model model, String id, Map<String, String> form,
                             java.util.function.BiFunction<Journal.Case, Map<String, String>, Addition> read) {
        Caseworkers.User user = caseworkers.user(request);
        if (user == null || !caseworkers.csrfValid(request, form.get("_csrf"))) {
            return toLogin(request);
        }
        Journal.Case c = journal.find(id).orElse(null);
        if (c == null) {
            return "redirect:/";
        }
        Map<String, String> errors = new LinkedHashMap<>();
        Addition added = read.apply(c, errors);
        if (added == null) {
            casePage(request, model, user, c, errors, form);
            return "demo/case";
        }
        journal.store(added.changed());
        Journal.Citizen citizen = journal.citizen(c.cpr()).orElseThrow();
        OpenStsClient.Answer a;
        try {
            a = added.publish().apply(added.changed(), citizen);
        } catch (IllegalStateException e) {
            journal.store(added.changed().with(added.changed().version(), added.what() + " er ikke publiceret: "
                    + e.getMessage()));
            return "redirect:/sager/" + c.localId();
        }
        journal.store(added.changed().with(added.changed().version(), outcome(added.what(), a)));
        return "redirect:/sager/" + c.localId();
    }

    /** Publishes a case again (after a failure, or to bring the index up to date). */
    @PostMapping("/sager/{id}/publicer")
    String republish(HttpServletRequest request, @PathVariable String id, @RequestParam(name = "_csrf", required = false) String csrf) {
        Caseworkers.User user = caseworkers.user(request);
        if (user == null || !caseworkers.csrfValid(request, csrf)) {
            return toLogin(request);
        }
        journal.find(id).ifPresent(c -> publish(c.with(c.version() + 1, c.published()),
                journal.citizen(c.cpr()).orElseThrow()));
        return "redirect:/sager/" + id;
    }

    // ------------------------------------------------------------------ helpers

    private void publish(Journal.Case c, Journal.Citizen citizen) {
        OpenStsClient.Answer a;
        try {
            a = publisher.publishCase(c, citizen);
        } catch (IllegalStateException e) {
            journal.store(c.with(c.version(), "Ikke publiceret: " + e.getMessage()));
            return;
        }
        journal.store(c.with(c.version(), outcome(c.exempt() ? "Sagen (undtaget fra visning)" : "Sagen", a)));
    }

    private static String outcome(String what, OpenStsClient.Answer a) {
        return a.ok() ? what + " er publiceret til indekset (version " + a.body().path("version").asString("?") + ")."
                : what + " blev afvist af indekset: " + String.join("; ", a.problems());
    }

    private void common(HttpServletRequest request, Model model, Caseworkers.User user) {
        model.addAttribute("user", user);
        model.addAttribute("csrf", caseworkers.csrfToken(request));
        model.addAttribute("overviewUrl", settings.overviewUrl);
        model.addAttribute("sensitivityNames", SENSITIVITY_NAMES);
    }

    private void citizenPage(HttpServletRequest request, Model model, Caseworkers.User user, Journal.Citizen citizen,
                             Map<String, String> errors, Map<String, String> form) {
        common(request, model, user);
        model.addAttribute("citizen", citizen);
        model.addAttribute("cases", journal.cases(citizen.cpr()));
        model.addAttribute("units", units.mine(user));
        model.addAttribute("sensitivities", SENSITIVITIES);
        model.addAttribute("errors", errors);
        model.addAttribute("form", form);
        model.addAttribute("overviewCitizen", settings.overviewUrl + "/borger?cpr=" + citizen.cpr());
    }

    private void casePage(HttpServletRequest request, Model model, Caseworkers.User user, Journal.Case c,
                          Map<String, String> errors, Map<String, String> form) {
        common(request, model, user);
        model.addAttribute("c", c);
        model.addAttribute("citizen", journal.citizen(c.cpr()).orElse(null));
        model.addAttribute("errors", errors);
        model.addAttribute("form", form);
        model.addAttribute("frequencies", FREQUENCIES);
        model.addAttribute("overviewCase", settings.overviewUrl + "/sag?nummer="
                + URLEncoder.encode(c.number(), StandardCharsets.UTF_8));
        model.addAttribute("overviewCitizen", settings.overviewUrl + "/borger?cpr=" + c.cpr());
    }

    private static String toLogin(HttpServletRequest request) {
        String here = "GET".equals(request.getMethod()) ? request.getRequestURI() : "/";
        return "redirect:/login?return=" + URLEncoder.encode(here, StandardCharsets.UTF_8);
    }

    private static LocalDate date(String text, String field, Map<String, String> errors, boolean required) {
        if (blank(text) == null) {
            if (required) {
                errors.put(field, "Skriv en dato.");
            }
            return null;
        }
        try {
            return LocalDate.parse(text.strip());
        } catch (DateTimeParseException e) {
            errors.put(field, "Skriv datoen som åååå-mm-dd.");
            return null;
        }
    }

    private static BigDecimal amount(String text, String field, Map<String, String> errors) {
        try {
            BigDecimal b = new BigDecimal(text == null ? "" : text.strip().replace(",", "."));
            if (b.signum() < 0 || b.scale() > 2) {
                errors.put(field, "Skriv et beløb i kroner, højst to decimaler.");
                return null;
            }
            return b;
        } catch (NumberFormatException e) {
            errors.put(field, "Skriv et beløb i kroner, fx 1250,00.");
            return null;
        }
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
