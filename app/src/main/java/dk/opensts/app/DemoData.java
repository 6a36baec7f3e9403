package dk.opensts.app;

import dk.opensts.access.api.ItSystems;
import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.access.pki.Enrolment;
import dk.opensts.access.pki.TlsConnector;
import dk.opensts.classification.api.Classifications;
import dk.opensts.classification.kle.SyntheticKle;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.security.Pem;
import dk.opensts.access.roles.Assurance;
import dk.opensts.access.roles.JobRoles;
import dk.opensts.access.roles.UserSystems;
import dk.opensts.access.saml.TestIdentityProvider;
import dk.opensts.access.saml.TestServiceProvider;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.Services;
import org.springframework.beans.factory.ObjectProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * The default run's demo data: a demo municipality, a synthetic KLE, and two IT systems with
 * certificates from the development CA (in {@code <data-dir>/pki}): the platform operator (role
 * operator of the administration API) and a demo fagsystem allowed to read and write both
 * registries of the demo municipality. With the test IdP on: two caseworkers in the demo
 * organisation (Aktør 1 in the children and families unit, Aktør 2 at the job centre) who log in at
 * the test IdP, the test service provider as a user-facing system, and job roles giving each of them
 * other KLE subjects and units. Made once; later starts only print how to use them.
 */
@Component
@ConditionalOnProperty(name = "opensts.demo.enabled", havingValue = "true")
@org.springframework.core.annotation.Order(100)
class DemoData implements ApplicationRunner {

    static final String DEMO_CVR = "11111111";
    static final UUID DEMO_SYSTEM = UUID.fromString("5e1f0000-0000-4000-8000-000000000001");
    static final String DEMO_MESSAGE_TYPE = "SagAendret";
    static final UUID OPERATOR_SYSTEM = UUID.fromString("5e1f0000-0000-4000-8000-000000000000");
    static final UUID OVERVIEW_SYSTEM = UUID.fromString("5e1f0000-0000-4000-8000-000000000002");
    static final UUID UNIT_MUNICIPALITY = UUID.fromString("5e1f0000-0000-4000-8000-0000000000a0");
    static final UUID UNIT_CHILDREN = UUID.fromString("5e1f0000-0000-4000-8000-0000000000a1");
    static final UUID UNIT_FAMILIES = UUID.fromString("5e1f0000-0000-4000-8000-0000000000a2");
    static final UUID UNIT_JOBS = UUID.fromString("5e1f0000-0000-4000-8000-0000000000a3");
    static final UUID AKTOR_1 = UUID.fromString("5e1f0000-0000-4000-8000-0000000000b1");
    static final UUID AKTOR_2 = UUID.fromString("5e1f0000-0000-4000-8000-0000000000b2");
    static final String JOB_CHILDREN = "https://demo.opensts.dk/jobroller/sagsbehandler-boern-og-familie";
    static final String JOB_EMPLOYMENT = "https://demo.opensts.dk/jobroller/jobkonsulent";
    private static final Logger log = LoggerFactory.getLogger(DemoData.class);

    private final Organisations organisations;
    private final Classifications classifications;
    private final ItSystems systems;
    private final ServiceAgreements agreements;
    private final DevelopmentCa.Holder ca;
    private final TlsConnector tls;
    private final ObjectProvider<TestIdentityProvider> testIdp;
    private final ObjectProvider<TestServiceProvider> testSp;
    private final UserSystems userSystems;
    private final JobRoles jobRoles;
    private final dk.opensts.messaging.api.Subscribers subscribers;
    private final ObjectProvider<dk.opensts.overview.api.OverviewSystem> overviewSystem;
    private final DemoFagsystemLauncher.Settings fagsystem;

    DemoData(Organisations organisations, Classifications classifications, ItSystems systems,
             ServiceAgreements agreements, DevelopmentCa.Holder ca, TlsConnector tls,
             ObjectProvider<TestIdentityProvider> testIdp, ObjectProvider<TestServiceProvider> testSp,
             UserSystems userSystems, JobRoles jobRoles, dk.opensts.messaging.api.Subscribers subscribers,
             ObjectProvider<dk.opensts.overview.api.OverviewSystem> overviewSystem, DemoFagsystemLauncher.Settings fagsystem) {
        this.subscribers = subscribers;
        this.overviewSystem = overviewSystem;
        this.fagsystem = fagsystem;
        this.testIdp = testIdp;
        this.testSp = testSp;
        this.userSystems = userSystems;
        this.jobRoles = jobRoles;
        this.organisations = organisations;
        this.classifications = classifications;
        this.systems = systems;
        this.agreements = agreements;
        this.ca = ca;
        this.tls = tls;
    }

    @Override
    public void run(ApplicationArguments args) throws java.io.IOException {
        UUID municipality = organisations.ensureMunicipality(DEMO_CVR, "Demo Kommune", "demo-data");
        if (classifications.findClass("KLE", "00.01.00").isEmpty()) {
            // a synthetic KLE of the real size: the real KLE file may not be shipped
            java.io.StringWriter xml = new java.io.StringWriter();
            SyntheticKle.write(xml, 100, 10, 5, 42);
            int n = classifications.importKle(new java.io.StringReader(xml.toString()), "demo-data");
            log.info("Imported a synthetic KLE with {} objects", n);
        }
        if (ca.ca() == null) {
            log.info("The development CA is off: no demo IT systems");
            return;
        }
        DevelopmentCa dev = ca.ca();
        if (systems.find(OPERATOR_SYSTEM).isEmpty()) {
            dev.save(Enrolment.enrol(dev, systems, agreements, OPERATOR_SYSTEM, "OpenSTS operator", DEMO_CVR,
                    Map.of(Services.ADMINISTRATION, List.of(Services.OPERATOR)), "demo-data"), "operator");
        }
        if (systems.find(DEMO_SYSTEM).isEmpty()) {
            dev.save(Enrolment.enrol(dev, systems, agreements, DEMO_SYSTEM, "Demo fagsystem", DEMO_CVR,
                    Map.of(Services.ORGANISATION, List.of(Services.READ, Services.WRITE),
                            Services.CLASSIFICATION, List.of(Services.READ, Services.WRITE)), "demo-data"),
                    "demo-fagsystem");
        }
        // the overview's back end: its users search both indexes (within their own privileges)
        if (systems.find(OVERVIEW_SYSTEM).isEmpty()) {
            // its own agreement names the roles; what a search sees comes from the user's constraints
            List<ServiceAgreements.Grant> search = List.of(new ServiceAgreements.Grant(Services.SEARCH, Map.of(
                    Constraints.SENSITIVITY, "FOELSOMME_PERSONOPLYSNINGER")),
                    new ServiceAgreements.Grant(Services.PROTECTED_DATA, Map.of()));
            Enrolment.enrolGrants(dev, systems, agreements, OVERVIEW_SYSTEM, "OpenSTS Borgeroverblik", DEMO_CVR,
                    Map.of(Services.CASE_INDEX, search, Services.BENEFIT_INDEX, search), "demo-data");
        }
        // the demo fagsystem publishes to and searches the indexes (sensitive data, not VIP, every KLE subject)
        for (String service : List.of(Services.CASE_INDEX, Services.BENEFIT_INDEX)) {
            if (agreements.approvedGrants(DEMO_SYSTEM, service, DEMO_CVR, java.time.Instant.now()).isEmpty()) {
                Enrolment.approveGrants(agreements, DEMO_SYSTEM, DEMO_CVR, Map.of(service, List.of(
                        new ServiceAgreements.Grant(Services.PUBLISH, Map.of()),
                        new ServiceAgreements.Grant(Services.SEARCH, Map.of(
                                dk.opensts.platform.security.Constraints.SENSITIVITY, "FOELSOMME_PERSONOPLYSNINGER")))),
                        "demo-data");
            }
        }
        // the demo fagsystem publishes to and receives from the message distributor, with a message
        // type of its own and a subscription to it (its dueslag gets what it publishes)
        if (agreements.approvedGrants(DEMO_SYSTEM, Services.MESSAGING, DEMO_CVR, java.time.Instant.now()).isEmpty()) {
            Enrolment.approveGrants(agreements, DEMO_SYSTEM, DEMO_CVR, Map.of(Services.MESSAGING, List.of(
                    new ServiceAgreements.Grant(Services.PUBLISH, Map.of()),
                    new ServiceAgreements.Grant(Services.SUBSCRIBE, Map.of(
                            dk.opensts.platform.security.Constraints.SENSITIVITY, "FOELSOMME_PERSONOPLYSNINGER")))),
                    "demo-data");
        }
        classifications.ensureNationalClasses("BESKEDTYPE", "Beskedtyper", Map.of(DEMO_MESSAGE_TYPE,
                "En sag i et fagsystem er ændret (demo)"), "demo-data");
        subscribers.ensureSubscription(DEMO_SYSTEM, DEMO_CVR, "Demo: ændrede sager", List.of(DEMO_MESSAGE_TYPE),
                "demo-data");
        String logins = demoLogins();
        Path pki = dev.directory().toAbsolutePath();
        String base = "https://127.0.0.1:" + tls.port();
        String curl = "curl --cacert " + pki.resolve("ca.crt.pem") + " --cert " + pki.resolve("demo-fagsystem.crt.pem")
                + " --key " + pki.resolve("demo-fagsystem.key.pem");
        log.info("""

                ==== OpenSTS demo ====
                Demo municipality: Demo Kommune, CVR {} (organisation {})
                Demo IT system:    {} (certificate and key in {})
                Get a token over mutual TLS:
                  TOKEN=$({} -s {}/oauth2/token -d grant_type=client_credentials \\
                    -d scope=entityid:{},anvenderkontekst:{} | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')
                Use it:
                  {} -H "Authorization: Bearer $TOKEN" {}/api/organisation/v1/organisations?cvr={}
                The same system may publish to and search the indexes: ask for a token with
                  scope=entityid:{},anvenderkontekst:{} (or {}) and call
                  /api/case-index/v1/cases?party=<CPR>&include=documents,grants (see docs/indexes.md)
                It publishes and receives messages (message type {}, subscribed): a token with
                  scope=entityid:{},anvenderkontekst:{}, then POST /api/messaging/v1/messages and
                  POST /api/messaging/v1/dueslag/lease (see docs/messaging.md)
                Operator certificate (administration API): {}
                API description: {}/v3/api-docs
                {}
                ======================""", DEMO_CVR, municipality, DEMO_SYSTEM, pki, curl, base, Services.ORGANISATION,
                DEMO_CVR, curl, base, DEMO_CVR, Services.CASE_INDEX, DEMO_CVR, Services.BENEFIT_INDEX,
                DEMO_MESSAGE_TYPE, Services.MESSAGING, DEMO_CVR, pki.resolve("operator.p12"), base, logins);
    }

    /**
     * The caseworkers, the test service provider as a user-facing system, the job roles and the test
     * IdP's users; a text telling how to log in (empty when the test IdP is off).
     */
    private String demoLogins() {
        TestIdentityProvider idp = testIdp.getIfAvailable();
        TestServiceProvider sp = testSp.getIfAvailable();
        if (idp == null || sp == null) {
            return "";
        }
        organisations.importFeed(DEMO_CVR, new java.io.StringReader(organisationFeed()), "demo-data");
        String role = sp.entityId() + "/roller/se-sager";
        String searchRoles = "Se sager i indekserne inden for dataafgrænsningerne";
        List<UserSystems.ServiceRole> indexSearch = List.of(new UserSystems.ServiceRole(Services.CASE_INDEX, Services.SEARCH),
                new UserSystems.ServiceRole(Services.BENEFIT_INDEX, Services.SEARCH));
        if (userSystems.find(sp.entityId()).isEmpty()) {
            userSystems.register(new UserSystems.UserSystem(sp.entityId(), "OpenSTS test-SP (demo)", List.of(sp.acsUrl()),
                    Pem.encode(sp.certificate()), Pem.encode(sp.certificate()), Assurance.SUBSTANTIAL,
                    UserSystems.WithoutPrivileges.REFUSE, DEMO_SYSTEM, List.of(new UserSystems.SystemRole(role,
                    "Se sager", searchRoles, Services.indexConstraints(), indexSearch))), "demo-data");
        }
        // the overview (its back end searches the indexes for the user) and the demo fagsystem (it
        // publishes with its own system token; its caseworkers' roles say which subjects and units)
        dk.opensts.overview.api.OverviewSystem overview = overviewSystem.getIfAvailable();
        List<String> roles = new java.util.ArrayList<>(List.of(role));
        if (overview != null && userSystems.find(overview.entityId()).isEmpty()) {
            userSystems.register(new UserSystems.UserSystem(overview.entityId(), "OpenSTS Borgeroverblik",
                    List.of(overview.acsUrl()), Pem.encode(overview.certificate()), Pem.encode(overview.certificate()),
                    Assurance.SUBSTANTIAL, UserSystems.WithoutPrivileges.REFUSE, OVERVIEW_SYSTEM, List.of(
                    new UserSystems.SystemRole(overview.searchRole(), "Se borgeroverblik", searchRoles,
                            Services.indexConstraints(), indexSearch),
                    // no demo job role carries it: a municipality gives it to whom it trusts with protected persons
                    new UserSystems.SystemRole(overview.protectedDataRole(), "Se beskyttede navne og adresser",
                            "Navne og adresser på personer med navne- og adressebeskyttelse", List.of(), List.of(
                            new UserSystems.ServiceRole(Services.CASE_INDEX, Services.PROTECTED_DATA),
                            new UserSystems.ServiceRole(Services.BENEFIT_INDEX, Services.PROTECTED_DATA))))), "demo-data");
        }
        if (overview != null) {
            roles.add(overview.searchRole());
        }
        String caseworker = fagsystem.entityId() + "/roller/sagsbehandler";
        roles.add(caseworker);
        if (userSystems.find(fagsystem.entityId()).isEmpty()) {
            DevelopmentCa.Issued key = ca.ca().samlKey(DemoFagsystemLauncher.SAML_KEY, "Demo fagsystem (SAML)");
            userSystems.register(new UserSystems.UserSystem(fagsystem.entityId(), "Demo fagsystem",
                    List.of(fagsystem.acsUrl()), Pem.encode(key.certificate()), Pem.encode(key.certificate()),
                    Assurance.SUBSTANTIAL, UserSystems.WithoutPrivileges.REFUSE, DEMO_SYSTEM, List.of(
                    new UserSystems.SystemRole(caseworker, "Sagsbehandler", "Opretter og behandler sager inden for "
                            + "dataafgrænsningerne", Services.indexConstraints(), List.of()))), "demo-data");
        }
        Actor admin = Actor.internal("demo-data", DEMO_CVR);
        jobRole(JOB_CHILDREN, "Sagsbehandler, børn og familie", roles, "27.*", JobRoles.Dynamic.OWN_UNITS_AND_BELOW, admin);
        jobRole(JOB_EMPLOYMENT, "Jobkonsulent", roles, "32.*", JobRoles.Dynamic.OWN_UNITS, admin);
        if (jobRoles.assignments(DEMO_CVR, null, UNIT_CHILDREN, JOB_CHILDREN, null).isEmpty()) {
            jobRoles.assign(DEMO_CVR, new JobRoles.AssignmentInput(JOB_CHILDREN, null, UNIT_CHILDREN, true, null, null,
                    "alle i Børn og Unge"), u -> true, u -> true, admin);
        }
        if (jobRoles.assignments(DEMO_CVR, AKTOR_2, null, JOB_EMPLOYMENT, null).isEmpty()) {
            jobRoles.assign(DEMO_CVR, new JobRoles.AssignmentInput(JOB_EMPLOYMENT, AKTOR_2, null, null, null, null, null),
                    u -> true, u -> true, admin);
        }
        idp.serve(DEMO_CVR, "demo-data");
        idp.addUser("aktoer1", "aktoer1", DEMO_CVR, AKTOR_1, "Anne Andersen (Aktør 1)", "anne@demo.kommune.dk", List.of());
        idp.addUser("aktoer2", "aktoer2", DEMO_CVR, AKTOR_2, "Bent Berg (Aktør 2)", "bent@demo.kommune.dk", List.of());
        return (overview == null ? "" : "Caseworker overview: " + overview.entityId() + "\n")
                + "Demo fagsystem:      " + fagsystem.baseUrl()
                + "\nLog in as a caseworker (test IdP, demo only) there, or at the test SP " + sp.entityId() + "\n  users aktoer1/aktoer1 (KLE 27.*, her unit Familieafdelingen and below) and aktoer2/aktoer2"
                + " (KLE 32.*, Jobcenter); see docs/context-handler.md";
    }

    /** A job role giving each system role the same KLE subjects, units and sensitivity. */
    private void jobRole(String entityId, String name, List<String> systemRoles, String kle, JobRoles.Dynamic units,
                         Actor admin) {
        if (jobRoles.findByEntityId(DEMO_CVR, entityId, null).isEmpty()) {
            jobRoles.create(DEMO_CVR, new JobRoles.JobRoleInput(entityId, name, null, null, systemRoles.stream()
                    .map(r -> new JobRoles.SystemRoleGrant(r, List.of(
                            new JobRoles.ConstraintValue(Constraints.KLE, kle, null),
                            new JobRoles.ConstraintValue(Constraints.ORG_UNIT, null, units),
                            new JobRoles.ConstraintValue(Constraints.SENSITIVITY, "FOELSOMME_PERSONOPLYSNINGER", null))))
                    .toList(), null, "demo"), admin);
        }
    }

    /** The demo organisation as an import feed (a whole snapshot), with more lines when given. */
    static String organisationFeed(String... more) {
        List<String> lines = new java.util.ArrayList<>(List.of(
                unit(UNIT_MUNICIPALITY, "demo-kommune", "Demo Kommune", null),
                unit(UNIT_CHILDREN, "boern-og-unge", "Børn og Unge", UNIT_MUNICIPALITY),
                unit(UNIT_FAMILIES, "familieafdelingen", "Familieafdelingen", UNIT_CHILDREN),
                unit(UNIT_JOBS, "jobcenter", "Jobcenter", UNIT_MUNICIPALITY),
                user(AKTOR_1, "aktoer1", "Anne Andersen (Aktør 1)", UNIT_FAMILIES),
                user(AKTOR_2, "aktoer2", "Bent Berg (Aktør 2)", UNIT_JOBS)));
        lines.addAll(List.of(more));
        return String.join("\n", lines);
    }

    private static String unit(UUID id, String key, String name, UUID parent) {
        return "{\"type\":\"unit\",\"id\":\"" + id + "\",\"userKey\":\"" + key + "\",\"name\":\"" + name + "\""
                + (parent == null ? "" : ",\"parent\":\"" + parent + "\"") + "}";
    }

    /** A user engaged in a unit, as feed lines. */
    static String user(UUID id, String key, String name, UUID unit) {
        return "{\"type\":\"user\",\"id\":\"" + id + "\",\"userKey\":\"" + key + "\",\"name\":\"" + name + "\"}\n"
                + "{\"type\":\"function\",\"id\":\"" + UUID.nameUUIDFromBytes(("engagement " + id).getBytes(
                java.nio.charset.StandardCharsets.UTF_8)) + "\",\"userKey\":\"ansaettelse-" + key + "\",\"name\":"
                + "\"Ansættelse\",\"functionType\":\"ENGAGEMENT\",\"users\":[\"" + id + "\"],\"units\":[\"" + unit + "\"]}";
    }
}
