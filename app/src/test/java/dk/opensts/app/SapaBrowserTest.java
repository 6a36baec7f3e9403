package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.deque.html.axecore.playwright.AxeBuilder;
import com.deque.html.axecore.results.AxeResults;
import com.deque.html.axecore.results.Rule;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;

/**
 * The SAPA test case of seed 001 (Bilag 3D) end to end in a real browser: headless Chromium (Debian's
 * {@code /usr/bin/chromium}, driven by Playwright; no browser is downloaded) against the demo run, the
 * platform with the overview and the demo fagsystem beside it, each login through the context handler
 * and the test IdP. Every page the caseworkers see is checked with axe-core for WCAG 2.1 A and AA, also
 * at a phone's size. Screenshots of each step go to {@code app/target/e2e}.
 * <p>
 * Without Chromium the test is skipped and says so ({@code apt-get install chromium}); {@link OverviewTest}
 * proves the same rules over HTTP without a browser.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = {TestDatabase.class, SapaBrowserTest.DemoRun.class})
// closed after the class, while the shared test database still runs: left to the JVM's exit, its
// shutdown raced the database's own hook and waited 30 s for a connection
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@org.junit.jupiter.api.condition.EnabledIf(value = "chromiumInstalled",
        disabledReason = "no Chromium at /usr/bin/chromium: the browser test is skipped (apt-get install chromium)")
class SapaBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path SHOTS = Path.of("target", "e2e");
    static final String CPR = "0101801237";
    static final String CASE_TITLE = "Ansøgning om merudgiftsydelse";
    static final String EXEMPT_TITLE = "Underretning om barnet (undtaget)";
    static final String PURPOSE = "Opfølgning på ansøgning (SAPA-test)";
    static int fagsystemPort;

    /** The demo run: demo data, the test IdP, and the demo fagsystem on a free port. */
    static class DemoRun implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            fagsystemPort = LocalPorts.free();
            TestPropertyValues.of("opensts.demo.enabled=true", "opensts.demo.fagsystem.enabled=true",
                    "opensts.demo.fagsystem.port=" + fagsystemPort).applyTo(context);
        }
    }

    @org.springframework.boot.test.web.server.LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;

    static Playwright playwright;
    static Browser browser;

    static boolean chromiumInstalled() {
        return Files.isExecutable(CHROMIUM);
    }

    @BeforeAll
    static void chromium() throws IOException {
        Files.createDirectories(SHOTS);
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM)
                .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync")));
    }

    @AfterAll
    static void close() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    String platform() {
        return "http://127.0.0.1:" + port;
    }

    String fagsystem() {
        return "http://127.0.0.1:" + fagsystemPort;
    }

    @Test
    void theSapaTestCase() {
        // 1. Aktør 1 logs in to the demo fagsystem, registers a citizen, makes a case with a document and a
        //    grant, and a second case marked exempt from publication
        BrowserContext aktoer1 = browser.newContext(new Browser.NewContextOptions().setLocale("da-DK"));
        Page page = aktoer1.newPage();
        page.navigate(fagsystem() + "/");
        logIn(page, "aktoer1");
        assertThat(page.url()).startsWith(fagsystem());
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Borgere")).isVisible()).isTrue();
        accessible(page, "fagsystem: borgere");
        shot(page, "01-fagsystem-logget-ind");

        field(page, "CPR-nummer").fill(CPR);
        field(page, "Navn").fill("Jens Testborger");
        field(page, "Adresse").fill("Testvej 1, 9999 Demoby");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Registrér borger")).click();
        assertThat(page.url()).endsWith("/borgere/" + CPR);
        createCase(page, CASE_TITLE, false);
        assertThat(page.getByRole(AriaRole.STATUS).textContent()).contains("publiceret");
        shot(page, "02-fagsystem-sag-oprettet");

        field(page, "Titel").fill("Ansøgning med bilag");
        field(page, "Brevdato").fill("2026-11-02");
        field(page, "Dokumenttype").fill("Ansøgning");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Tilføj og publicér dokument")).click();
        assertThat(page.getByRole(AriaRole.STATUS).textContent()).contains("Dokument 1 er publiceret");
        field(page, "Ydelse").fill("Merudgiftsydelse");
        field(page, "Fra").fill("2026-12-01");
        field(page, "Beløb i kr.").fill("1250,00");
        field(page, "Første udbetaling i kr. (frivilligt)").fill("1250,00");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Tilføj og publicér bevilling")).click();
        assertThat(page.getByRole(AriaRole.STATUS).textContent()).contains("Bevilling").contains("er publiceret");
        String caseNumber = page.locator("h1").textContent().replaceAll("^Sag (\\S+):.*$", "$1").strip();
        accessible(page, "fagsystem: sag");
        shot(page, "03-fagsystem-dokument-og-bevilling");

        page.navigate(fagsystem() + "/borgere/" + CPR);
        createCase(page, EXEMPT_TITLE, true);
        assertThat(page.getByRole(AriaRole.STATUS).textContent()).contains("undtaget fra visning").contains("publiceret");
        shot(page, "04-fagsystem-undtaget-sag");

        // 2. Aktør 1 opens the overview, searches the CPR: the case, its document and grant, not the exempt case
        page.navigate(platform() + "/overview");
        logIn(page, "aktoer1");
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Søg borger")).isVisible()).isTrue();
        accessible(page, "søgning");
        keyboardStartsAtTheSkipLink(page);
        searchCitizen(page);
        Locator main = page.locator("main");
        assertThat(main.textContent()).contains(CASE_TITLE).contains(caseNumber).contains("Ansøgning med bilag")
                .contains("Merudgiftsydelse").contains("1.250,00 kr.").contains("Familieafdelingen").contains("Demo fagsystem")
                .contains("27.05.01").doesNotContain(EXEMPT_TITLE);
        accessible(page, "borger");
        shot(page, "05-overblik-aktoer1-soegning");

        // ... at a phone's size
        BrowserContext phone = browser.newContext(new Browser.NewContextOptions().setViewportSize(375, 740)
                .setStorageState(aktoer1.storageState()));
        Page small = phone.newPage();
        small.navigate(platform() + "/overview");
        searchCitizen(small);
        assertThat(small.locator("main").textContent()).contains(CASE_TITLE);
        accessible(small, "borger på telefon");
        Number overflow = (Number) small.evaluate("() => document.documentElement.scrollWidth - window.innerWidth");
        assertThat(overflow.intValue()).as("no sideways scrolling on a phone").isLessThanOrEqualTo(0);
        shot(small, "06-overblik-telefon");
        phone.close();

        // ... in English a switch away
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Switch to English")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Find a citizen")).isVisible()).isTrue();
        assertThat(page.locator("html").getAttribute("lang")).isEqualTo("en");
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Skift til dansk")).click();
        assertThat(page.locator("html").getAttribute("lang")).isEqualTo("da");

        // ... opens the case in the demo fagsystem (dialog integration) and returns to the overview
        searchCitizen(page);
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Åbn sag " + caseNumber + " i Demo fagsystem")).click();
        assertThat(page.url()).startsWith(fagsystem() + "/sager/");
        assertThat(page.locator("h1").textContent()).contains(CASE_TITLE);
        shot(page, "07-fagsystem-via-dyblink");
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Se sagen i Borgeroverblik")).click();
        assertThat(page.url()).startsWith(platform() + "/overview/sag");
        field(page, "Formål med opslaget").fill(PURPOSE);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Vis sag")).click();
        assertThat(page.locator("main").textContent()).contains(CASE_TITLE).contains("Merudgiftsydelse");
        accessible(page, "sag");
        shot(page, "08-overblik-tilbage-fra-fagsystem");
        aktoer1.close();

        // 3. Aktør 2, without those privileges, searches the same CPR and sees nothing of it
        BrowserContext aktoer2 = browser.newContext(new Browser.NewContextOptions().setLocale("da-DK"));
        Page other = aktoer2.newPage();
        other.navigate(platform() + "/overview");
        logIn(other, "aktoer2");
        searchCitizen(other);
        assertThat(other.locator("main").textContent()).contains("Der er ingen sager om borgeren")
                .doesNotContain(CASE_TITLE).doesNotContain(EXEMPT_TITLE).doesNotContain("Merudgiftsydelse");
        accessible(other, "ingen sager");
        shot(other, "09-overblik-aktoer2-ingenting");
        aktoer2.close();

        // 4. The audit log holds both searches, with the user, the CPR, the purpose and what was shown
        UUID exemptId = jdbc.sql("SELECT id FROM case_index.cases WHERE title = ? AND exempt").param(EXEMPT_TITLE)
                .query(UUID.class).single();
        List<Map<String, Object>> searches = jdbc.sql("SELECT actor, details->>'party' AS party, details->>'purpose' AS purpose,"
                        + " cardinality(object_ids) AS shown, object_ids::text AS ids FROM platform.audit_log"
                        + " WHERE action = 'SEARCH' AND resource = 'case-index/cases' AND details->>'party' = ? ORDER BY at")
                .param(CPR).query().listOfRows();
        Map<String, List<Map<String, Object>>> byActor = searches.stream()
                .collect(Collectors.groupingBy(r -> String.valueOf(r.get("actor"))));
        List<Map<String, Object>> first = byActor.get(DemoData.AKTOR_1.toString());
        List<Map<String, Object>> second = byActor.get(DemoData.AKTOR_2.toString());
        assertThat(first).as("Aktør 1's searches").isNotEmpty();
        assertThat(first).allSatisfy(r -> assertThat(r.get("purpose")).isEqualTo(PURPOSE));
        assertThat(first).anySatisfy(r -> assertThat(((Number) r.get("shown")).intValue()).isEqualTo(1));
        assertThat(second).as("Aktør 2's search").hasSize(1);
        assertThat(((Number) second.get(0).get("shown")).intValue()).isZero();
        assertThat(searches).noneSatisfy(r -> assertThat(String.valueOf(r.get("ids"))).contains(exemptId.toString()));
    }

    private void createCase(Page page, String title, boolean exempt) {
        field(page, "Titel").fill(title);
        field(page, "KLE-emne").fill("27.05.01");
        field(page, "Handlingsfacet").fill("G01");
        field(page, "Ansvarlig enhed").selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("Familieafdelingen"));
        field(page, "Følsomhed").selectOption("FORTROLIGE_PERSONOPLYSNINGER");
        if (exempt) {
            field(page, "Undtaget fra visning i indekset").check();
        }
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Opret og publicér sag")).click();
        assertThat(page.url()).contains("/sager/");
    }

    private void searchCitizen(Page page) {
        if (!page.url().endsWith("/overview")) {
            page.navigate(platform() + "/overview");
        }
        field(page, "CPR-nummer").fill(CPR);
        page.locator("#formaal").fill(PURPOSE);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Søg").setExact(true)).click();
        page.waitForURL("**/overview/borger");
    }

    /** The test IdP's password login (the context handler's answer posts itself on to the system). */
    private void logIn(Page page, String user) {
        page.waitForURL("**/saml/test-idp/**");
        field(page, "Brugernavn").fill(user);
        field(page, "Adgangskode").fill(user);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log ind")).click();
        page.waitForURL(u -> !u.contains("/saml/"));
    }

    /** Tab from the top of the page: the first stop is the skip link, and it leads to the main content. */
    private void keyboardStartsAtTheSkipLink(Page page) {
        page.keyboard().press("Tab");
        assertThat(page.evaluate("() => document.activeElement.className")).isEqualTo("skip");
        page.keyboard().press("Enter");
        assertThat(page.evaluate("() => document.activeElement.id")).isEqualTo("indhold");
        page.keyboard().press("Tab");
        assertThat(page.evaluate("() => document.activeElement.id")).isEqualTo("cpr");
    }

    /** axe-core finds no WCAG 2.1 A or AA violation on the page. */
    private void accessible(Page page, String what) {
        AxeResults results = new AxeBuilder(page).withTags(List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")).analyze();
        List<Rule> violations = results.getViolations();
        assertThat(violations).as("WCAG 2.1 AA violations on the page (" + what + "): " + violations.stream()
                .map(v -> v.getId() + " " + v.getNodes().stream().map(n -> String.valueOf(n.getTarget()))
                        .collect(Collectors.joining(", "))).collect(Collectors.joining("; "))).isEmpty();
    }

    /** The form field with exactly this label. */
    private static Locator field(Page page, String label) {
        return page.getByLabel(label, new Page.GetByLabelOptions().setExact(true));
    }

    private static void shot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")).setFullPage(true));
    }
}
