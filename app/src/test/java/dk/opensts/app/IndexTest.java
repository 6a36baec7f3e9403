package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.access.api.ServiceAgreements.Grant;
import dk.opensts.classification.api.Classifications;
import dk.opensts.classification.kle.SyntheticKle;
import dk.opensts.platform.index.JsonLinesBatch;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.Services;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** The case and benefit indexes: publishing rules, batches, privilege-filtered search and audit. */
class IndexTest extends ApiTest {

    static final String CVR2 = "22222222";
    static final String C = "/api/case-index/v1";
    static final String B = "/api/benefit-index/v1";
    static final AtomicInteger SEQ = new AtomicInteger();

    @Autowired
    Classifications classifications;

    static String social;
    static String children;
    static String otherMunicipalityUnit;
    static TestSystem publisher;
    static String publish;
    static String publishGrants;

    @BeforeEach
    void setUp() throws Exception {
        if (social != null) {
            return;
        }
        if (classifications.findClass("KLE", "27.01.01").isEmpty()) {
            StringWriter xml = new StringWriter();
            SyntheticKle.write(xml, 33, 2, 2, 7);
            classifications.importKle(new StringReader(xml.toString()), "test");
        }
        social = unit(CVR, "social", null);
        children = unit(CVR, "boern", social);
        otherMunicipalityUnit = unit(CVR2, "andet", null);
        publisher = systemWith(CVR, Services.CASE_INDEX, List.of(new Grant(Services.PUBLISH, Map.of())));
        publish = tokenOf(publisher, CVR, Services.CASE_INDEX);
        agreements(publisher, Services.BENEFIT_INDEX, List.of(new Grant(Services.PUBLISH, Map.of())));
        publishGrants = tokenOf(publisher, CVR, Services.BENEFIT_INDEX);
    }

    void agreements(TestSystem system, String service, List<Grant> grants) {
        dk.opensts.access.pki.Enrolment.approveGrants(agreements, system.id(), CVR, Map.of(service, grants), "test");
    }

    String unit(String cvr, String key, String parent) {
        String token = tokenFor(cvr, Services.ORGANISATION, Services.READ, Services.WRITE);
        Res existing = get("/api/organisation/v1/organisations?cvr=" + cvr, token);
        String org;
        if (existing.body().path("items").size() > 0) {
            org = existing.body().path("items").get(0).path("id").asString();
        } else {
            Res r = call("POST", "/api/organisation/v1/organisations", token, "{\"cvr\":\"" + cvr
                    + "\",\"name\":\"Kommune " + cvr + "\",\"validity\":{\"from\":\"2000-01-01\"}}");
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            org = r.body().path("id").asString();
        }
        Res r = call("POST", "/api/organisation/v1/units", token, "{\"organisation\":\"" + org + "\",\"userKey\":\""
                + key + "\",\"name\":\"Enhed " + key + "\",\"validity\":{\"from\":\"2000-01-01\"}"
                + (parent == null ? "" : ",\"parent\":\"" + parent + "\"") + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.body().path("id").asString();
    }

    /** A search token of a new system, with one search privilege (constraint type to values) and more roles. */
    String searcher(String cvr, Map<String, String> constraints, String... moreRoles) {
        List<Grant> grants = new ArrayList<>();
        grants.add(new Grant(Services.SEARCH, constraints));
        for (String role : moreRoles) {
            grants.add(new Grant(role, Map.of()));
        }
        return tokenOf(systemWith(cvr, Services.CASE_INDEX, grants), cvr, Services.CASE_INDEX);
    }

    static Map<String, String> scope(String kle, String units, String sensitivity) {
        Map<String, String> m = new java.util.HashMap<>();
        if (kle != null) {
            m.put(Constraints.KLE, kle);
        }
        if (units != null) {
            m.put(Constraints.ORG_UNIT, units);
        }
        m.put(Constraints.SENSITIVITY, sensitivity);
        return m;
    }

    static String cpr() {
        return String.format("%010d", 1_000_000_000L + SEQ.incrementAndGet() * 7919L);
    }

    static String caseJson(int version, String number, String cpr, String kle, String unit, String sensitivity,
                           boolean exempt, String extra) {
        return "{\"version\":" + version + ",\"caseNumber\":\"" + number + "\",\"title\":\"Sag " + number + "\","
                + "\"states\":[{\"state\":\"OPSTAAET\",\"from\":\"2025-01-10\"},{\"state\":\"OPLYST\",\"from\":\"2025-02-01\"}],"
                + (sensitivity == null ? "" : "\"sensitivity\":\"" + sensitivity + "\",")
                + "\"parties\":[{\"type\":\"CPR\",\"id\":\"" + cpr + "\",\"role\":\"PRIMARY\",\"name\":\"Anne Hansen\","
                + "\"address\":\"Vej 1\",\"protectedAddress\":" + number.endsWith("-P") + "}],"
                + "\"municipality\":\"" + CVR + "\",\"orgUnit\":\"" + unit + "\",\"caseworker\":\"sb1\","
                + "\"kle\":\"" + kle + "\",\"handlingClass\":\"G01\",\"exempt\":" + exempt + ","
                + "\"deepLink\":\"https://fagsystem.example/sag/" + number + "\"" + extra + "}";
    }

    String publishCase(String localId, String json) {
        Res r = call("PUT", C + "/cases/" + localId, publish, json);
        assertThat(r.status()).as(r.text()).isIn(200, 201);
        return r.body().path("id").asString();
    }

    /** Case {@code n} of the party (KLE 27.01.01, the children's unit), its document "Ansøgning" and grant "B-n". */
    void publishWithDocumentAndGrant(String n, String cpr) {
        publishCase(n, caseJson(1, n, cpr, "27.01.01", children, "FORTROLIGE_PERSONOPLYSNINGER", false, ""));
        assertThat(call("PUT", C + "/documents/" + n + "-d1", publish, "{\"version\":1,\"caseLocalId\":\"" + n
                + "\",\"number\":\"1\",\"title\":\"Ansøgning\",\"letterDate\":\"2025-01-11\",\"documentType\":\"Indgående\","
                + "\"parties\":[],\"kle\":\"27.01.01\"}").status()).isEqualTo(201);
        Res grant = call("PUT", B + "/grants/" + n + "-g1", publishGrants, "{\"version\":1,\"userKey\":\"B-" + n
                + "\",\"municipality\":\"" + CVR + "\",\"from\":\"2025-03-01\",\"status\":\"GRANTED\","
                + "\"sensitivity\":\"FORTROLIGE_PERSONOPLYSNINGER\",\"party\":{\"type\":\"CPR\",\"id\":\"" + cpr
                + "\",\"role\":\"BENEFIT_RECIPIENT\"},\"caseNumber\":\"" + n + "\",\"kle\":\"27.01.01\",\"orgUnit\":\""
                + children + "\",\"benefits\":[{\"benefitClass\":\"Kontanthjælp\",\"from\":\"2025-03-01\","
                + "\"repayable\":false,\"paymentPlan\":{\"frequency\":\"MONTHLY\",\"amount\":12000.00}}],"
                + "\"effectuations\":[{\"from\":\"2025-03-01\",\"to\":\"2025-03-31\",\"grossAmount\":12000.00,"
                + "\"paidAmount\":8400.00}]}");
        assertThat(grant.status()).as(grant.text()).isEqualTo(201);
    }

    Res search(String token, String query) {
        return get(C + "/cases?" + query, token);
    }

    @Test
    void privilegesFilterTheSearchInTheQuery() {
        String cpr = cpr();
        String n = "S-" + SEQ.incrementAndGet();
        publishWithDocumentAndGrant(n, cpr);
        String exempt = n + "-X";
        publishCase(exempt, caseJson(1, exempt, cpr, "27.01.01", children, "IKKE_FORTROLIGE_DATA", true, ""));
        String vip = n + "-V";
        publishCase(vip, caseJson(1, vip, cpr, "27.01.01", children, "VIP_SAGER", false, ""));

        // Aktør 1: the KLE subject and the unit with its subunits, up to sensitive data
        String aktor1 = searcher(CVR, scope("27.*", social + ".*", "FOELSOMME_PERSONOPLYSNINGER"));
        Res found = search(aktor1, "party=" + cpr + "&include=documents,grants&purpose=Opfølgning");
        assertThat(found.status()).as(found.text()).isEqualTo(200);
        JsonNode items = found.body().path("items");
        assertThat(items.size()).as(found.text()).isEqualTo(1);
        JsonNode c = items.get(0);
        assertThat(c.path("caseNumber").asString()).isEqualTo(n);
        assertThat(c.path("state").asString()).isEqualTo("OPLYST");
        assertThat(c.path("owningSystem").asString()).isEqualTo(publisher.id().toString());
        assertThat(c.path("documents").get(0).path("title").asString()).isEqualTo("Ansøgning");
        assertThat(c.path("grants").get(0).path("effectuations").get(0).path("paidAmount").decimalValue())
                .isEqualByComparingTo("8400.00");

        // Aktør 2: another KLE subject, or not the unit's subtree, or less sensitive data: nothing
        for (var other : List.of(scope("32.*", null, "FOELSOMME_PERSONOPLYSNINGER"),
                scope("27.*", social, "FOELSOMME_PERSONOPLYSNINGER"),
                scope(null, null, "IKKE_FORTROLIGE_DATA"))) {
            Res none = search(searcher(CVR, other), "party=" + cpr + "&include=grants");
            assertThat(none.body().path("items").size()).as(other + " " + none.text()).isZero();
            Res grants = get(B + "/grants?party=" + cpr, searcherOf(Services.BENEFIT_INDEX, other));
            assertThat(grants.body().path("items").size()).as(grants.text()).isZero();
        }
        // the grant is found in the benefit index by a privileged searcher too
        Res grants = get(B + "/grants?party=" + cpr,
                searcherOf(Services.BENEFIT_INDEX, scope("27.01.01", children, "FORTROLIGE_PERSONOPLYSNINGER")));
        assertThat(grants.body().path("items").size()).as(grants.text()).isEqualTo(1);
        // VIP cases only for a privilege that names VIP_SAGER; exempt cases never
        Res vipSearch = search(searcher(CVR, scope(null, null, "FOELSOMME_PERSONOPLYSNINGER,VIP_SAGER")),
                "party=" + cpr);
        assertThat(vipSearch.body().path("items").findValuesAsString("caseNumber")).containsExactlyInAnyOrder(n, vip);
        // another municipality's token sees nothing of it
        Res elsewhere = search(searcher(CVR2, scope(null, null, "FOELSOMME_PERSONOPLYSNINGER,VIP_SAGER")),
                "party=" + cpr);
        assertThat(elsewhere.body().path("items").size()).isZero();

        // every search is audited with the CPR, the purpose and the ids returned
        JsonNode audit = json.readTree(jdbc.sql("SELECT details::text FROM platform.audit_log WHERE action = 'SEARCH'"
                + " AND details->>'purpose' = 'Opfølgning' AND details->>'party' = ?").param(cpr)
                .query(String.class).single());
        assertThat(audit.path("party").asString()).isEqualTo(cpr);
        assertThat(count("SELECT count(*) FROM platform.audit_log WHERE action = 'SEARCH' AND details->>'party' = '"
                + cpr + "' AND object_ids = ARRAY['" + c.path("id").asString() + "']::uuid[]")).isEqualTo(1);
    }

    /**
     * A search's statements run on their generic plans: on custom plans PostgreSQL re-planned the
     * grants of a case on every search, estimating each KLE pattern and org unit of the privilege.
     * The driver prepares a statement on the server from its fifth use; PostgreSQL's plan cache tries
     * custom plans for a prepared statement's first five executions unless told otherwise, so after
     * twelve searches on one connection each statement has run several times prepared.
     */
    @Test
    void searchesRunOnGenericPlans() {
        String cpr = cpr();
        String n = "G-" + SEQ.incrementAndGet();
        publishWithDocumentAndGrant(n, cpr);
        var actor = dk.opensts.platform.security.Actor.of("plan-test", "Plan test", CVR, null, Map.of(Services.SEARCH,
                scope("27.*,28.*,29.*", social + ".*", "FOELSOMME_PERSONOPLYSNINGER")));
        var filters = new dk.opensts.platform.index.SearchFilters(cpr, null, null, null, null, false, null, null, null,
                null, null, "plan test");
        // one connection for all: the searches join this transaction
        List<Map<String, Object>> plans = tx.execute(s -> {
            for (int i = 0; i < 12; i++) {
                var page = caseIndex.search(actor, filters, null, 10, true, true);
                assertThat(page.items()).hasSize(1);
                assertThat(String.valueOf(page.items().get(0).rawValue()))
                        .contains("\"title\": \"Ansøgning\"", "\"userKey\": \"B-" + n);
                assertThat(benefitIndex.search(actor, filters, null, 10).items()).hasSize(1);
            }
            return jdbc.sql("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
                    + " WHERE statement ~ 'FROM (case_index\\.case_party p|case_index\\.documents d"
                    + "|benefit_index\\.grants g) '").query().listOfRows();
        });
        // by party, the case's documents, its grants, grants by party
        assertThat(plans).as("prepared searches").hasSizeGreaterThanOrEqualTo(4);
        for (Map<String, Object> p : plans) {
            assertThat(((Number) p.get("custom_plans")).longValue()).as(p.toString()).isZero();
            assertThat(((Number) p.get("generic_plans")).longValue()).as(p.toString()).isPositive();
        }
    }

    /** The privilege filter's arrays, sent in PostgreSQL's text form, read back as the values they were made from. */
    @Test
    void privilegeFilterArraysReachTheDatabaseUnchanged() {
        List<String> texts = List.of("27.%", "a \"quoted\" value", "back\\slash", "", "NULL", "{,}", "æøå", "x,y");
        assertThat(jdbc.sql("SELECT CAST(? AS text[])").param(dk.opensts.platform.security.DataScope.arrayLiteral(texts, true))
                .query((rs, n) -> java.util.Arrays.asList((String[]) rs.getArray(1).getArray())).single()).isEqualTo(texts);
        List<java.util.UUID> ids = List.of(java.util.UUID.randomUUID(), java.util.UUID.randomUUID());
        assertThat(jdbc.sql("SELECT CAST(? AS uuid[])").param(dk.opensts.platform.security.DataScope.arrayLiteral(ids, false))
                .query((rs, n) -> java.util.Arrays.asList((java.util.UUID[]) rs.getArray(1).getArray())).single()).isEqualTo(ids);
        assertThat(jdbc.sql("SELECT cardinality(CAST(? AS int[]))").param(dk.opensts.platform.security.DataScope.arrayLiteral(
                List.of(), false)).query(Integer.class).single()).isZero();
    }

    @Autowired
    dk.opensts.caseindex.api.CaseIndex caseIndex;
    @Autowired
    dk.opensts.benefitindex.api.BenefitIndex benefitIndex;

    @Autowired
    dk.opensts.organisation.api.Organisations organisations;
    @Autowired
    dk.opensts.access.roles.UserSystems userSystems;
    @Autowired
    dk.opensts.access.roles.JobRoles jobRoles;
    @Autowired
    dk.opensts.access.saml.TestIdentityProvider testIdp;
    @Autowired
    dk.opensts.access.saml.ContextHandler handler;

    /**
     * A caseworker logs in through the context handler to a user-facing system; its back end exchanges
     * her assertion for a case index token, and the search sees what her job role allows and no more.
     */
    @Test
    void caseworkerSearchesWithHerOwnPrivilegesThroughTheContextHandler() {
        UUID anna = UUID.randomUUID();
        UUID bo = UUID.randomUUID();
        // a full snapshot: the units as they are, and the users
        organisations.importFeed(CVR, new StringReader(String.join("\n",
                "{\"type\":\"unit\",\"id\":\"" + social + "\",\"userKey\":\"social\",\"name\":\"Enhed social\"}",
                "{\"type\":\"unit\",\"id\":\"" + children + "\",\"userKey\":\"boern\",\"name\":\"Enhed boern\",\"parent\":\""
                        + social + "\"}",
                "{\"type\":\"user\",\"id\":\"" + anna + "\",\"userKey\":\"anna-" + anna + "\",\"name\":\"Anna\"}",
                "{\"type\":\"user\",\"id\":\"" + bo + "\",\"userKey\":\"bo-" + bo + "\",\"name\":\"Bo\"}",
                "{\"type\":\"function\",\"id\":\"" + UUID.randomUUID() + "\",\"userKey\":\"e-" + anna
                        + "\",\"name\":\"Ansættelse\",\"functionType\":\"ENGAGEMENT\",\"users\":[\"" + anna
                        + "\"],\"units\":[\"" + children + "\"]}")), "test");
        // the overview's back end: an IT system whose agreement gives it the search role of the case index
        TestSystem backEnd = systemWith(CVR, Services.CASE_INDEX, List.of(new Grant(Services.SEARCH,
                Map.of(Constraints.SENSITIVITY, "IKKE_FORTROLIGE_DATA"))));
        var spKey = ca.ca().issueSaml("Overview", java.time.Instant.now().minusSeconds(3600),
                java.time.Instant.now().plusSeconds(86400));
        String sp = "https://overview.test/" + UUID.randomUUID();
        String role = sp + "/roles/search";
        userSystems.register(new dk.opensts.access.roles.UserSystems.UserSystem(sp, "Overblik", List.of(sp + "/acs"),
                dk.opensts.platform.security.Pem.encode(spKey.certificate()), null, null, null, backEnd.id(), List.of(
                new dk.opensts.access.roles.UserSystems.SystemRole(role, "Søg", null, Services.indexConstraints(),
                        List.of(new dk.opensts.access.roles.UserSystems.ServiceRole(Services.CASE_INDEX, Services.SEARCH))))),
                "test");
        dk.opensts.platform.security.Actor admin = dk.opensts.platform.security.Actor.internal("test", CVR);
        String jobRole = "https://demo.kommune.dk/jobroles/" + UUID.randomUUID();
        jobRoles.create(CVR, new dk.opensts.access.roles.JobRoles.JobRoleInput(jobRole, "Sagsbehandler", null, null,
                List.of(new dk.opensts.access.roles.JobRoles.SystemRoleGrant(role, List.of(
                        new dk.opensts.access.roles.JobRoles.ConstraintValue(Constraints.KLE, "27.*", null),
                        new dk.opensts.access.roles.JobRoles.ConstraintValue(Constraints.ORG_UNIT, null,
                                dk.opensts.access.roles.JobRoles.Dynamic.OWN_UNITS_AND_BELOW),
                        new dk.opensts.access.roles.JobRoles.ConstraintValue(Constraints.SENSITIVITY,
                                "FOELSOMME_PERSONOPLYSNINGER", null)))), null, null), admin);
        jobRoles.assign(CVR, new dk.opensts.access.roles.JobRoles.AssignmentInput(jobRole, anna, null, null, null, null,
                null), u -> true, u -> true, admin);
        testIdp.serve(CVR, "test");
        testIdp.addUser("anna-" + anna, "pw", CVR, anna, "Anna", null, List.of());

        String cpr = cpr();
        String n = "U-" + SEQ.incrementAndGet();
        publishCase(n, caseJson(1, n, cpr, "27.01.01", children, "FOELSOMME_PERSONOPLYSNINGER", false, ""));
        publishCase(n + "-above", caseJson(1, n + "-above", cpr, "27.01.01", social, "FOELSOMME_PERSONOPLYSNINGER", false, ""));
        publishCase(n + "-vip", caseJson(1, n + "-vip", cpr, "27.01.01", children, "VIP_SAGER", false, ""));
        publishCase(n + "-kle", caseJson(1, n + "-kle", cpr, "32.01.01", children, "FOELSOMME_PERSONOPLYSNINGER", false, ""));

        SamlFlow flow = new SamlFlow(port);
        SamlFlow.Sp overview = new SamlFlow.Sp(sp, sp + "/acs", spKey);
        SamlFlow.Page end = flow.login(overview.authnUrl(handler.settings().ssoUrl(), "_u-" + anna, null, null),
                "anna-" + anna, "pw", "Substantial");
        org.w3c.dom.Element assertion = SamlFlow.assertionOf(overview.read(end.form().samlResponse()));
        String encoded = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                dk.opensts.saml.SamlXml.serialize(assertion));
        String form = "grant_type=" + enc("urn:ietf:params:oauth:grant-type:saml2-bearer") + "&assertion=" + encoded
                + "&resource=" + enc(Services.CASE_INDEX);
        Res token = tokenRequest(backEnd.client(), form);
        assertThat(token.status()).as(token.text()).isEqualTo(200);
        String jwt = token.body().path("access_token").asString();
        JsonNode claims = json.readTree(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        assertThat(claims.path("sub").asString()).isEqualTo(anna.toString());
        assertThat(claims.path("act").path("sub").asString()).isEqualTo(backEnd.id().toString());
        assertThat(claims.path("cvr").asString()).isEqualTo(CVR);
        assertThat(claims.path("priv").get(0).path("role").asString()).isEqualTo(Services.SEARCH);
        assertThat(claims.path("priv").get(0).path("constraints").path(Constraints.KLE).asString()).isEqualTo("27.*");

        // the search: her KLE subject, her unit (not the one above it), up to sensitive data (not VIP)
        Res found = search(jwt, "party=" + cpr);
        assertThat(found.status()).as(found.text()).isEqualTo(200);
        assertThat(found.body().path("items").findValuesAsString("caseNumber")).containsExactly(n);
        assertThat(count("SELECT count(*) FROM platform.audit_log WHERE action = 'SEARCH' AND actor = '" + anna
                + "' AND details->>'party' = '" + cpr + "'")).isEqualTo(1);

        // refused: a changed assertion, an assertion presented by another system, a service it carries no role of
        String tampered = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(dk.opensts.saml.SamlXml.serialize(assertion), StandardCharsets.UTF_8)
                        .replace(">" + CVR + "<", ">" + CVR2 + "<").getBytes(StandardCharsets.UTF_8));
        assertThat(tampered).isNotEqualTo(encoded);
        Res changed = tokenRequest(backEnd.client(), form.replace(encoded, tampered));
        assertThat(changed.status()).isEqualTo(400);
        assertThat(changed.body().path("error").asString()).isEqualTo("invalid_grant");
        Res stolen = tokenRequest(publisher.client(), form);
        assertThat(stolen.status()).isEqualTo(400);
        assertThat(stolen.text()).contains("not the back end");
        Res otherService = tokenRequest(backEnd.client(), form.replace(enc(Services.CASE_INDEX), enc(Services.BENEFIT_INDEX)));
        assertThat(otherService.status()).isEqualTo(400);
        assertThat(count("SELECT count(*) FROM platform.security_log WHERE type = 'TOKEN_REFUSED' AND details::text LIKE "
                + "'%not the back end%'")).isPositive();
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    String searcherOf(String service, Map<String, String> constraints) {
        return tokenOf(systemWith(CVR, service, List.of(new Grant(Services.SEARCH, constraints))), CVR, service);
    }

    @Test
    void protectedNamesAndAddressesAreReplacedByANotice() {
        String cpr = cpr();
        String n = "S-" + SEQ.incrementAndGet() + "-P";
        publishCase(n, caseJson(1, n, cpr, "27.01.01", social, "IKKE_FORTROLIGE_DATA", false, ""));
        JsonNode party = search(searcher(CVR, scope(null, null, "IKKE_FORTROLIGE_DATA")), "party=" + cpr)
                .body().path("items").get(0).path("parties").get(0);
        assertThat(party.path("name").asString()).isEqualTo("Navne- og adressebeskyttet");
        assertThat(party.path("address").asString()).isEqualTo("Navne- og adressebeskyttet");
        JsonNode privileged = search(searcher(CVR, scope(null, null, "IKKE_FORTROLIGE_DATA"), Services.PROTECTED_DATA),
                "party=" + cpr).body().path("items").get(0).path("parties").get(0);
        assertThat(privileged.path("name").asString()).isEqualTo("Anne Hansen");
    }

    @Test
    void badInputIsRefusedNamingTheFieldAndNothingIsWritten() {
        long before = count("SELECT count(*) FROM case_index.cases");
        String cpr = cpr();
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("/kle", caseJson(1, "B-1", cpr, "99.99.99", social, "IKKE_FORTROLIGE_DATA", false, ""));
        bad.put("/orgUnit", caseJson(1, "B-2", cpr, "27.01.01", UUID.randomUUID().toString(), "IKKE_FORTROLIGE_DATA", false, ""));
        bad.put("/orgUnit ", caseJson(1, "B-3", cpr, "27.01.01", otherMunicipalityUnit, "IKKE_FORTROLIGE_DATA", false, ""));
        bad.put("/sensitivity", caseJson(1, "B-4", cpr, "27.01.01", social, null, false, ""));
        bad.put("/parties/0/id", caseJson(1, "B-5", "12345", "27.01.01", social, "IKKE_FORTROLIGE_DATA", false, ""));
        bad.put("/colour", caseJson(1, "B-6", cpr, "27.01.01", social, "IKKE_FORTROLIGE_DATA", false, ",\"colour\":\"red\""));
        bad.put("/municipality", caseJson(1, "B-7", cpr, "27.01.01", social, "IKKE_FORTROLIGE_DATA", false, "")
                .replace("\"municipality\":\"" + CVR + "\"", "\"municipality\":\"" + CVR2 + "\""));
        bad.put("/handlingClass", caseJson(1, "B-8", cpr, "27.01.01", social, "IKKE_FORTROLIGE_DATA", false, "")
                .replace("\"G01\"", "\"Z99\""));
        // the NUL character, which the database's text cannot hold
        bad.put("/parties/0/name", caseJson(1, "B-10", cpr, "27.01.01", social, "IKKE_FORTROLIGE_DATA", false, "")
                .replace("Anne Hansen", "Anne\\u0000Hansen"));
        // a date beyond the years 1 to 9999
        bad.put("/states/1/from", caseJson(1, "B-11", cpr, "27.01.01", social, "IKKE_FORTROLIGE_DATA", false, "")
                .replace("2025-02-01", "+6000000-02-01"));
        for (var e : bad.entrySet()) {
            Res r = call("PUT", C + "/cases/bad-" + SEQ.incrementAndGet(), publish, e.getValue());
            assertThat(r.status()).as(e.getKey() + " " + r.text()).isIn(400, 403, 422);
            assertThat(r.header("Content-Type")).contains("application/problem+json");
            assertThat(r.body().path("errors").findValuesAsString("field")).as(r.text()).contains(e.getKey().trim());
        }
        assertThat(count("SELECT count(*) FROM case_index.cases")).isEqualTo(before);
        // a searcher cannot publish
        Res r = call("PUT", C + "/cases/x", searcher(CVR, scope(null, null, "IKKE_FORTROLIGE_DATA")),
                caseJson(1, "B-9", cpr, "27.01.01", social, "IKKE_FORTROLIGE_DATA", false, ""));
        assertThat(r.status()).isEqualTo(403);
        // a search names a party or a case number, and the party is a CPR or CVR
        String s = searcher(CVR, scope(null, null, "IKKE_FORTROLIGE_DATA"));
        assertThat(search(s, "kle=27.*").code()).isEqualTo("INVALID_PARAMETER");
        assertThat(search(s, "party=123").code()).isEqualTo("INVALID_PARAMETER");
    }

    @Test
    void versionsAreIdempotentAndStaleOnesRefused() {
        String cpr = cpr();
        String n = "S-" + SEQ.incrementAndGet();
        String v1 = caseJson(1, n, cpr, "27.01.01", social, "IKKE_FORTROLIGE_DATA", false, "");
        Res created = call("PUT", C + "/cases/" + n, publish, v1);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("ETag")).isEqualTo("\"1\"");
        Res again = call("PUT", C + "/cases/" + n, publish, v1);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().path("outcome").asString()).isEqualTo("UNCHANGED");
        assertThat(again.body().path("id").asString()).isEqualTo(created.body().path("id").asString());
        Res conflicting = call("PUT", C + "/cases/" + n, publish, v1.replace("Sag " + n, "Anden titel"));
        assertThat(conflicting.status()).isEqualTo(409);
        assertThat(conflicting.code()).isEqualTo("STALE_VERSION");
        Res v2 = call("PATCH", C + "/cases/" + n, publish, "{\"version\":2,\"title\":\"Ny titel\"}");
        assertThat(v2.status()).as(v2.text()).isEqualTo(200);
        assertThat(v2.body().path("outcome").asString()).isEqualTo("REPLACED");
        assertThat(call("PUT", C + "/cases/" + n, publish, v1).status()).isEqualTo(409);
        String s = searcher(CVR, scope(null, null, "IKKE_FORTROLIGE_DATA"));
        assertThat(search(s, "caseNumber=" + n).body().path("items").get(0).path("title").asString()).isEqualTo("Ny titel");
        assertThat(call("DELETE", C + "/cases/" + n + "?version=1", publish, null).status()).isEqualTo(409);
        Res removed = call("DELETE", C + "/cases/" + n + "?version=3", publish, null);
        assertThat(removed.body().path("outcome").asString()).isEqualTo("REMOVED");
        assertThat(search(s, "party=" + cpr).body().path("items").size()).isZero();
        // a late, older import cannot bring it back; a newer one can
        assertThat(call("PUT", C + "/cases/" + n, publish, v1).status()).isEqualTo(409);
        assertThat(call("PUT", C + "/cases/" + n, publish, v1.replace("\"version\":1", "\"version\":4")).status())
                .isEqualTo(201);
        // another system cannot take the municipality's case number
        TestSystem other = systemWith(CVR, Services.CASE_INDEX, List.of(new Grant(Services.PUBLISH, Map.of())));
        Res dup = call("PUT", C + "/cases/mine", tokenOf(other, CVR, Services.CASE_INDEX), v1);
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.code()).isEqualTo("DUPLICATE");
    }

    Res batch(String token, String body, String digest, String count) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(C + "/batch")).header("Authorization", "Bearer " + token)
                .header("Content-Type", JsonLinesBatch.MEDIA_TYPE);
        if (digest != null) {
            b.header(JsonLinesBatch.CONTENT_DIGEST, digest);
        }
        if (count != null) {
            b.header(JsonLinesBatch.ITEM_COUNT, count);
        }
        return send(http(), b.POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    java.net.http.HttpClient http() {
        return java.net.http.HttpClient.newHttpClient();
    }

    @Test
    void batchesAreCheckedWholeAndAnsweredPerItem() throws Exception {
        String cpr = cpr();
        String n = "S-" + SEQ.incrementAndGet();
        StringBuilder body = new StringBuilder();
        body.append("{\"op\":\"import\",\"type\":\"case\",\"localId\":\"").append(n).append("\",\"data\":")
                .append(caseJson(1, n, cpr, "27.01.01", social, "IKKE_FORTROLIGE_DATA", false, "")).append("}\n");
        body.append("{\"op\":\"import\",\"type\":\"document\",\"localId\":\"").append(n).append("-d\",\"data\":")
                .append("{\"version\":1,\"caseLocalId\":\"").append(n).append("\",\"number\":\"1\",\"title\":\"Brev\",")
                .append("\"parties\":[]}}\n");
        body.append("{\"op\":\"import\",\"type\":\"case\",\"localId\":\"").append(n).append("-bad\",\"data\":")
                .append(caseJson(1, n + "-bad", cpr, "99.99.99", social, "IKKE_FORTROLIGE_DATA", false, "")).append("}\n");
        body.append("not json\n");
        String text = body.toString();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long before = count("SELECT count(*) FROM case_index.cases");

        // integrity: wrong digest, wrong count, a cut body, missing headers: the whole batch refused
        String digest = JsonLinesBatch.contentDigest(bytes);
        String cut = text.substring(0, text.length() - 20);
        for (Res r : List.of(batch(publish, text, JsonLinesBatch.contentDigest("x".getBytes()), "4"),
                batch(publish, text, digest, "3"),
                batch(publish, cut, JsonLinesBatch.contentDigest(cut.getBytes(StandardCharsets.UTF_8)), "4"),
                batch(publish, text, null, "4"),
                batch(publish, text, digest, null),
                batch(publish, text, digest, "1001"))) {
            assertThat(r.status()).as(r.text()).isEqualTo(400);
            assertThat(r.code()).isEqualTo("BATCH_INTEGRITY");
        }
        assertThat(count("SELECT count(*) FROM case_index.cases")).isEqualTo(before);

        Res ok = batch(publish, text, digest, "4");
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        JsonNode results = ok.body().path("results");
        assertThat(results.findValuesAsString("outcome")).containsExactly("CREATED", "CREATED", "FAILED", "FAILED");
        assertThat(results.get(2).path("problem").path("code").asString()).isEqualTo("BROKEN_REFERENCE");
        assertThat(results.get(3).path("problem").path("code").asString()).isEqualTo("MALFORMED_BODY");
        assertThat(count("SELECT count(*) FROM case_index.cases")).isEqualTo(before + 1);
        // the same batch again changes nothing
        Res again = batch(publish, text, digest, "4");
        assertThat(again.body().path("results").findValuesAsString("outcome"))
                .containsExactly("UNCHANGED", "UNCHANGED", "FAILED", "FAILED");
        // the changes went into the outbox and on to the change feed
        String id = results.get(0).path("id").asString();
        long deadline = System.currentTimeMillis() + 10_000;
        while (count("SELECT count(*) FROM platform.change_feed WHERE registry = 'case-index' AND object_id = '"
                + id + "'") == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(count("SELECT count(*) FROM platform.change_feed WHERE registry = 'case-index' AND object_id = '"
                + id + "'")).isEqualTo(1);
    }

    @Test
    void pagesAreKeyedByLastChange() {
        String cpr = cpr();
        for (int i = 0; i < 5; i++) {
            String n = "S-" + SEQ.incrementAndGet();
            publishCase(n, caseJson(1, n, cpr, "27.00.00", social, "IKKE_FORTROLIGE_DATA", false, ""));
        }
        String s = searcher(CVR, scope(null, null, "IKKE_FORTROLIGE_DATA"));
        List<String> seen = new ArrayList<>();
        String after = "";
        do {
            Res page = search(s, "party=" + cpr + "&limit=2" + (after.isEmpty() ? "" : "&after=" + after));
            assertThat(page.body().path("items").size()).isLessThanOrEqualTo(2);
            seen.addAll(page.body().path("items").findValuesAsString("caseNumber"));
            after = page.body().path("next").asString("");
        } while (!after.isEmpty());
        assertThat(seen).hasSize(5).doesNotHaveDuplicates();
        assertThat(search(s, "party=" + cpr + "&kle=27.00.*").body().path("items").size()).isEqualTo(5);
        assertThat(search(s, "party=" + cpr + "&kle=27.01.*").body().path("items").size()).isZero();
        assertThat(search(s, "party=" + cpr + "&state=AFSLUTTET").body().path("items").size()).isZero();
        assertThat(search(s, "party=" + cpr + "&orgUnit=" + social).body().path("items").size()).isEqualTo(5);
    }
}
