package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.platform.security.Services;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ContextConfiguration;

/**
 * The caseworker overview over HTTP, as a browser without JavaScript uses it (no Chromium needed): the
 * login through the context handler and back to the page asked for, what each caseworker's privileges
 * show (decided in the index's query), the purpose her municipality requires, the audit record of every
 * search, and the refusal of a replayed, tampered or foreign login answer.
 */
@ContextConfiguration(initializers = {TestDatabase.class, OverviewTest.DemoRun.class}, inheritInitializers = false)
class OverviewTest extends ApiTest {

    static final String CVR = "11111111";
    static final String CPR = "0202902345";
    static final String PURPOSE = "Behandling af ansøgning";

    /** The demo data (caseworkers, job roles, the overview as a user-facing system), without the demo fagsystem. */
    static class DemoRun implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            TestPropertyValues.of("opensts.demo.enabled=true", "opensts.demo.fagsystem.enabled=false").applyTo(context);
        }
    }

    private static boolean published;

    @BeforeEach
    void cases() {
        if (published) {
            return;
        }
        String token = tokenFor(CVR, Services.CASE_INDEX, Services.PUBLISH);
        publish(token, "c-visible", "OV-1", "Sag om aflastning", "27.05.01", dk.opensts.app.DemoData.UNIT_FAMILIES, false);
        publish(token, "c-exempt", "OV-2", "Undtaget sag", "27.05.01", dk.opensts.app.DemoData.UNIT_FAMILIES, true);
        publish(token, "c-jobs", "OV-3", "Sag i jobcentret", "32.01.01", dk.opensts.app.DemoData.UNIT_JOBS, false);
        // a grant under the visible case, and one of the same subject under no case
        String grants = tokenFor(CVR, Services.BENEFIT_INDEX, Services.PUBLISH);
        grant(grants, "g-case", "OV-1-B1", "OV-1", "Aflastningsydelse");
        grant(grants, "g-alone", "B-ALENE", null, "Særlig støtte uden sag");
        published = true;
    }

    private void publish(String token, String localId, String number, String title, String kle, UUID unit, boolean exempt) {
        Res r = call("PUT", "/api/case-index/v1/cases/" + localId, token, """
                {"version": 1, "caseNumber": "%s", "title": "%s", "states": [{"state": "OPSTAAET", "from": "2026-01-05"}],
                 "sensitivity": "FORTROLIGE_PERSONOPLYSNINGER",
                 "parties": [{"type": "CPR", "id": "%s", "role": "PRIMARY", "name": "Hemmelig Person",
                              "address": "Skjultvej 1", "protectedAddress": true}],
                 "municipality": "%s", "orgUnit": "%s", "kle": "%s", "exempt": %s,
                 "deepLink": "https://fagsystem.example/sag/%s"}""".formatted(number, title, CPR, CVR, unit, kle, exempt, localId));
        assertThat(r.status()).as(r.text()).isIn(200, 201);
    }

    private void grant(String token, String localId, String userKey, String caseNumber, String benefit) {
        Res r = call("PUT", "/api/benefit-index/v1/grants/" + localId, token, """
                {"version": 1, "userKey": "%s", "municipality": "%s", "from": "2026-02-01", "status": "GRANTED",
                 "sensitivity": "FORTROLIGE_PERSONOPLYSNINGER", "party": {"type": "CPR", "id": "%s", "role": "BENEFIT_RECIPIENT"},
                 %s "kle": "27.05.01", "orgUnit": "%s",
                 "benefits": [{"benefitClass": "%s", "from": "2026-02-01", "paymentPlan": {"frequency": "MONTHLY", "amount": 800}}],
                 "effectuations": [{"from": "2026-02-01", "to": "2026-02-28", "grossAmount": 800, "paidAmount": 800}]}"""
                .formatted(userKey, CVR, CPR, caseNumber == null ? "" : "\"caseNumber\": \"" + caseNumber + "\",",
                        dk.opensts.app.DemoData.UNIT_FAMILIES, benefit));
        assertThat(r.status()).as(r.text()).isIn(200, 201);
    }

    /** Logs a caseworker in from {@code page} (a page of the overview); the page the overview sends her back to. */
    private SamlFlow.Page logIn(SamlFlow browser, String page, String user) {
        SamlFlow.Page first = browser.get(page);
        assertThat(first.status()).isEqualTo(302);
        assertThat(first.location()).contains("/overview/login?return=");
        SamlFlow.Page toHandler = browser.get(first.location());
        SamlFlow.Form answer = browser.login(toHandler.location(), user, user, "Substantial").form();
        assertThat(answer.action()).endsWith("/overview/saml/acs");
        SamlFlow.Page back = browser.post(answer.action(), answer.fields());
        assertThat(back.status()).as(back.body()).isEqualTo(302);
        return browser.get(back.location());
    }

    private long audited(String actor) {
        return jdbc.sql("SELECT count(*) FROM platform.audit_log WHERE action = 'SEARCH' AND resource = 'case-index/cases'"
                        + " AND actor = ? AND details->>'party' = ?")
                .params(actor, CPR).query(Long.class).single();
    }

    @Test
    void aCaseworkerSeesWhatHerPrivilegesAdmitAndEverySearchIsAudited() {
        SamlFlow anne = new SamlFlow(port, true);
        String search = "/overview/borger?cpr=" + CPR + "&formaal=" + URLEncoder.encode(PURPOSE, StandardCharsets.UTF_8);
        SamlFlow.Page page = logIn(anne, search, "aktoer1");
        assertThat(page.status()).isEqualTo(200);
        // her session is in the database (any node serves her; a restart keeps her logged in)
        assertThat(jdbc.sql("SELECT count(*) FROM overview.spring_session_attributes WHERE attribute_name = ?")
                .param("opensts.overview.user").query(Long.class).single()).isPositive();
        assertThat(page.body()).contains("Sag om aflastning").contains("OV-1").contains("Familieafdelingen")
                .contains("https://fagsystem.example/sag/c-visible")
                .doesNotContain("Undtaget sag").doesNotContain("Sag i jobcentret")
                // a protected person's name and address: the notice, never the name (no protected-data role)
                .contains("Navne- og adressebeskyttet").doesNotContain("Hemmelig Person").doesNotContain("Skjultvej")
                // grants with payments: under their case, and those of no case shown on their own
                .contains("Aflastningsydelse").contains("800,00 kr.").contains("Andre bevillinger")
                .contains("Særlig støtte uden sag");
        assertThat(page.body().indexOf("Aflastningsydelse")).isLessThan(page.body().indexOf("Andre bevillinger"));
        assertThat(jdbc.sql("SELECT details->>'purpose' FROM platform.audit_log WHERE actor = ? AND details->>'party' = ?")
                .params(dk.opensts.app.DemoData.AKTOR_1.toString(), CPR).query(String.class).list()).containsOnly(PURPOSE);
        assertThat(jdbc.sql("SELECT resource || ' ' || cardinality(object_ids) FROM platform.audit_log WHERE actor = ?"
                        + " AND details->>'party' = ?").params(dk.opensts.app.DemoData.AKTOR_1.toString(), CPR)
                .query(String.class).list()).containsExactlyInAnyOrder("case-index/cases 1", "benefit-index/grants 2");

        SamlFlow bent = new SamlFlow(port, true);
        SamlFlow.Page other = logIn(bent, search, "aktoer2");
        assertThat(other.body()).contains("Sag i jobcentret").doesNotContain("Sag om aflastning").doesNotContain("Undtaget sag")
                .doesNotContain("Aflastningsydelse").doesNotContain("Særlig støtte uden sag");
        assertThat(audited(dk.opensts.app.DemoData.AKTOR_2.toString())).isEqualTo(1);

        // the audit log API: the operator finds both searches of the CPR; another municipality's
        // administrator none; a malformed CPR is refused
        Res log = get("/api/admin/v1/audit-log?party=" + CPR + "&action=SEARCH",
                tokenFor(CVR, Services.ADMINISTRATION, Services.OPERATOR));
        assertThat(log.status()).as(log.text()).isEqualTo(200);
        assertThat(log.body().path("items").findValuesAsString("actor")).contains(
                dk.opensts.app.DemoData.AKTOR_1.toString(), dk.opensts.app.DemoData.AKTOR_2.toString());
        assertThat(log.body().path("items").findValuesAsString("party")).containsOnly(CPR);
        assertThat(log.body().path("items").findValuesAsString("purpose")).containsOnly(PURPOSE);
        Res foreign = get("/api/admin/v1/audit-log?party=" + CPR, tokenFor("22222222", Services.ADMINISTRATION,
                Services.MUNICIPAL_ADMIN));
        assertThat(foreign.status()).isEqualTo(200);
        assertThat(foreign.body().path("items").size()).isZero();
        assertThat(get("/api/admin/v1/audit-log?party=12", tokenFor(CVR, Services.ADMINISTRATION, Services.OPERATOR))
                .code()).isEqualTo("INVALID_PARAMETER");
        assertThat(get("/api/admin/v1/audit-log", tokenFor(CVR, Services.CASE_INDEX, Services.PUBLISH)).status())
                .isEqualTo(401);

        // a case by its number (a fagsystem's link), in English a switch away
        SamlFlow.Page byNumber = anne.get("/overview/sag?nummer=OV-1&formaal=" + URLEncoder.encode(PURPOSE, StandardCharsets.UTF_8)
                + "&lang=en");
        assertThat(byNumber.body()).contains("Sag om aflastning").contains("Open case OV-1 in").contains("lang=\"en\"");
        assertThat(anne.get("/overview/sag?nummer=OV-3&formaal=x").body()).contains("There is no case with that number")
                .doesNotContain("Sag i jobcentret");
    }

    @org.springframework.beans.factory.annotation.Autowired
    dk.opensts.access.roles.JobRoles jobRoles;
    @org.springframework.beans.factory.annotation.Autowired
    dk.opensts.access.saml.TestIdentityProvider testIdp;
    @org.springframework.beans.factory.annotation.Autowired
    dk.opensts.organisation.api.Organisations organisations;
    @org.springframework.beans.factory.annotation.Autowired
    dk.opensts.overview.api.OverviewSystem overview;

    @Test
    void aCaseworkerPrivilegedForProtectedPersonsSeesTheirNamesWithTheNotice() {
        UUID carl = UUID.fromString("5e1f0000-0000-4000-8000-0000000000c3");
        organisations.importFeed(CVR, new java.io.StringReader(dk.opensts.app.DemoData.organisationFeed(
                dk.opensts.app.DemoData.user(carl, "aktoer3", "Carl Clausen", dk.opensts.app.DemoData.UNIT_FAMILIES))), "test");
        dk.opensts.platform.security.Actor admin = dk.opensts.platform.security.Actor.internal("test", CVR);
        String jobRole = "https://demo.opensts.dk/jobroller/beskyttede";
        jobRoles.create(CVR, new dk.opensts.access.roles.JobRoles.JobRoleInput(jobRole, "Sagsbehandler med beskyttede",
                null, null, List.of(
                new dk.opensts.access.roles.JobRoles.SystemRoleGrant(overview.searchRole(), List.of(
                        new dk.opensts.access.roles.JobRoles.ConstraintValue(dk.opensts.platform.security.Constraints.KLE, "27.*", null),
                        new dk.opensts.access.roles.JobRoles.ConstraintValue(dk.opensts.platform.security.Constraints.ORG_UNIT, null,
                                dk.opensts.access.roles.JobRoles.Dynamic.OWN_UNITS),
                        new dk.opensts.access.roles.JobRoles.ConstraintValue(dk.opensts.platform.security.Constraints.SENSITIVITY,
                                "FOELSOMME_PERSONOPLYSNINGER", null))),
                new dk.opensts.access.roles.JobRoles.SystemRoleGrant(overview.protectedDataRole(), List.of())),
                null, "test"), admin);
        jobRoles.assign(CVR, new dk.opensts.access.roles.JobRoles.AssignmentInput(jobRole, carl, null, null, null, null, null),
                u -> true, u -> true, admin);
        testIdp.addUser("aktoer3", "aktoer3", CVR, carl, "Carl Clausen", "carl@demo.kommune.dk", List.of());

        SamlFlow browser = new SamlFlow(port, true);
        SamlFlow.Page page = logIn(browser, "/overview/borger?cpr=" + CPR + "&formaal=" + URLEncoder.encode(PURPOSE,
                StandardCharsets.UTF_8), "aktoer3");
        assertThat(page.body()).contains("Sag om aflastning").contains("Hemmelig Person").contains("Skjultvej 1")
                .contains("vises, fordi du har adgang til beskyttede oplysninger");
    }

    @Test
    void aSearchWithoutThePurposeOrWithABadCprIsNotMadeAndSaysWhy() {
        SamlFlow anne = new SamlFlow(port, true);
        SamlFlow.Page page = logIn(anne, "/overview/borger?cpr=" + CPR, "aktoer1");
        long before = audited(dk.opensts.app.DemoData.AKTOR_1.toString());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Din kommune kræver, at du skriver formålet").contains("value=\"" + CPR + "\"")
                .contains("aria-invalid=\"true\"").doesNotContain("Sag om aflastning");
        assertThat(anne.get("/overview/borger?cpr=12345&formaal=x").body()).contains("Et CPR-nummer har 10 cifre");
        assertThat(anne.get("/overview/borger?cpr=" + CPR + "&formaal=x&kle=abc").body()).contains("KLE-emnet skal være");
        assertThat(audited(dk.opensts.app.DemoData.AKTOR_1.toString())).isEqualTo(before);
    }

    @Test
    void aLoginAnswerIsUsedOnceAndOnlyByTheBrowserThatAskedForIt() {
        SamlFlow anne = new SamlFlow(port, true);
        SamlFlow.Page toLogin = anne.get("/overview/login?return=" + URLEncoder.encode("https://evil.example/", StandardCharsets.UTF_8));
        SamlFlow.Form answer = anne.login(toLogin.location(), "aktoer1", "aktoer1", "Substantial").form();

        // tampered: one changed character in the signed answer
        String xml = new String(Base64.getMimeDecoder().decode(answer.field("SAMLResponse")), StandardCharsets.UTF_8);
        String tampered = Base64.getEncoder().encodeToString(xml.replaceFirst("Destination=\"", "Destination=\"x")
                .getBytes(StandardCharsets.UTF_8));
        SamlFlow mallory = new SamlFlow(port, true);
        // another browser (no login under way there) cannot use the answer
        assertThat(mallory.post(answer.action(), answer.fields()).status()).isEqualTo(403);

        long refusals = jdbc.sql("SELECT count(*) FROM platform.security_log WHERE type = 'LOGIN_REFUSED' AND details LIKE '%overview:%'")
                .query(Long.class).single();
        assertThat(refusals).isPositive();

        // the right browser: the open redirect target is replaced by the overview's own start page
        SamlFlow.Page ok = anne.post(answer.action(), answer.fields());
        assertThat(ok.status()).isEqualTo(302);
        assertThat(ok.location()).endsWith("127.0.0.1:" + port + "/overview");
        // used once: the same answer again is refused
        assertThat(anne.post(answer.action(), answer.fields()).status()).isEqualTo(403);
        // a tampered answer is refused even with a login under way
        SamlFlow.Page again = anne.get("/overview/login");
        anne.login(again.location(), "aktoer1", "aktoer1", "Substantial");
        assertThat(anne.post(answer.action(), Map.of("SAMLResponse", tampered)).status()).isEqualTo(403);
        // logging out needs the page's form token
        assertThat(anne.post("/overview/logout", Map.of()).status()).isEqualTo(403);
    }
}
