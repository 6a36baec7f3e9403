package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.access.roles.Assurance;
import dk.opensts.access.roles.JobRoles;
import dk.opensts.access.roles.UserSystems;
import dk.opensts.access.saml.ContextHandler;
import dk.opensts.saml.Messages;
import dk.opensts.saml.PrivilegeProfile;
import dk.opensts.saml.SamlXml;
import dk.opensts.access.saml.TestIdentityProvider;
import dk.opensts.saml.PrivilegeGroup;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.ServiceDefinition.ConstraintDefinition;
import dk.opensts.platform.security.Services;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The context handler end to end over HTTP: a test service provider's signed AuthnRequest, the test
 * IdP's password login, the context handler's checked answer with exactly the system roles the user
 * holds; and each way a login or message is refused.
 */
class ContextHandlerTest extends ApiTest {

    static final String SP = "https://sp.test/overview";
    static final String SP_ACS = "https://sp.test/overview/acs";
    static final String SP_ENC = "https://sp.test/encrypting";
    static final String SP_OPEN = "https://sp.test/open";
    static final String ROLE_SEARCH = "https://sp.test/roles/search";
    static final String ROLE_ADMIN = "https://sp.test/roles/admin";
    static final String JOB_CASEWORKER = "https://demo.kommune.dk/jobroles/caseworker";
    static final String JOB_FROM_IDP = "https://demo.kommune.dk/jobroles/from-idp";

    static final UUID UNIT_ROOT = UUID.fromString("00000000-0000-4000-8000-00000000a000");
    static final UUID UNIT_CHILDREN = UUID.fromString("00000000-0000-4000-8000-00000000a001");
    static final UUID UNIT_BELOW = UUID.fromString("00000000-0000-4000-8000-00000000a002");
    static final UUID UNIT_JOBS = UUID.fromString("00000000-0000-4000-8000-00000000b000");
    static final UUID ANNA = UUID.fromString("00000000-0000-4000-8000-0000000000a1");
    static final UUID BO = UUID.fromString("00000000-0000-4000-8000-0000000000b2");
    static final UUID CARL = UUID.fromString("00000000-0000-4000-8000-0000000000c3");

    private static boolean ready;
    static DevelopmentCa.Issued spKey;

    @Autowired
    Organisations organisations;
    @Autowired
    UserSystems userSystems;
    @Autowired
    JobRoles jobRoles;
    @Autowired
    TestIdentityProvider testIdp;
    @Autowired
    ContextHandler handler;

    SamlFlow flow;
    SamlFlow.Sp sp;

    @BeforeEach
    void setUp() {
        flow = new SamlFlow(port);
        synchronized (ContextHandlerTest.class) {
            if (!ready) {
                organisations.ensureMunicipality(CVR, "Testkommune", "test");
                organisations.importFeed(CVR, new StringReader(String.join("\n",
                        "{\"type\":\"unit\",\"id\":\"" + UNIT_ROOT + "\",\"userKey\":\"root\",\"name\":\"Forvaltning\"}",
                        "{\"type\":\"unit\",\"id\":\"" + UNIT_CHILDREN + "\",\"userKey\":\"bu\",\"name\":\"Børn og unge\",\"parent\":\"" + UNIT_ROOT + "\"}",
                        "{\"type\":\"unit\",\"id\":\"" + UNIT_BELOW + "\",\"userKey\":\"bu-syd\",\"name\":\"Børn og unge syd\",\"parent\":\"" + UNIT_CHILDREN + "\"}",
                        "{\"type\":\"unit\",\"id\":\"" + UNIT_JOBS + "\",\"userKey\":\"job\",\"name\":\"Jobcenter\"}",
                        user(ANNA, "anna", "Anna Andersen"), user(BO, "bo", "Bo Berg"), user(CARL, "carl", "Carl Cort"),
                        engagement("e-anna", ANNA, UNIT_CHILDREN), engagement("e-bo", BO, UNIT_JOBS),
                        "{\"type\":\"address\",\"id\":\"" + UUID.randomUUID() + "\",\"belongsTo\":\"" + ANNA
                                + "\",\"addressType\":\"EMAIL\",\"value\":\"anna@testkommune.dk\"}")), "test");
                spKey = ca.ca().issueSaml("Test SP", Instant.now().minus(1, ChronoUnit.HOURS),
                        Instant.now().plus(1, ChronoUnit.DAYS));
                List<UserSystems.SystemRole> roles = List.of(
                        new UserSystems.SystemRole(ROLE_SEARCH, "Søg", "Søg i indekserne", List.of(
                                new ConstraintDefinition(Constraints.KLE, Constraints.KLE_PATTERN, false),
                                new ConstraintDefinition(Constraints.ORG_UNIT, Constraints.ORG_UNIT_PATTERN, false),
                                new ConstraintDefinition(Constraints.SENSITIVITY, Constraints.SENSITIVITY_PATTERN, true))),
                        new UserSystems.SystemRole(ROLE_ADMIN, "Administrer", null, List.of()));
                String pem = dk.opensts.platform.security.Pem.encode(spKey.certificate());
                Actor operator = Actor.internal("test", CVR);
                userSystems.register(new UserSystems.UserSystem(SP, "Oversigt", List.of(SP_ACS), pem, null, null, null, null,
                        roles), "test");
                userSystems.register(new UserSystems.UserSystem(SP_ENC, "Krypterer", List.of(SP_ENC + "/acs"), pem, pem,
                        Assurance.SUBSTANTIAL, UserSystems.WithoutPrivileges.REFUSE, null, List.of(
                        new UserSystems.SystemRole(SP_ENC + "/roles/use", "Brug", null, List.of()))), "test");
                userSystems.register(new UserSystems.UserSystem(SP_OPEN, "Åben", List.of(SP_OPEN + "/acs"), pem, null,
                        Assurance.LOW, UserSystems.WithoutPrivileges.ALLOW, null, List.of()), "test");
                jobRoles.create(CVR, new JobRoles.JobRoleInput(JOB_CASEWORKER, "Sagsbehandler børn og unge", null, null,
                        List.of(new JobRoles.SystemRoleGrant(ROLE_SEARCH, List.of(
                                        new JobRoles.ConstraintValue(Constraints.KLE, "27.*", null),
                                        new JobRoles.ConstraintValue(Constraints.ORG_UNIT, null, JobRoles.Dynamic.OWN_UNITS_AND_BELOW),
                                        new JobRoles.ConstraintValue(Constraints.SENSITIVITY, "FOELSOMME_PERSONOPLYSNINGER", null))),
                                new JobRoles.SystemRoleGrant(SP_ENC + "/roles/use", List.of())), null, null), operator);
                jobRoles.create(CVR, new JobRoles.JobRoleInput(JOB_FROM_IDP, "Administrator (fra IdP)", null, null,
                        List.of(new JobRoles.SystemRoleGrant(ROLE_ADMIN, List.of())), null, null), operator);
                jobRoles.assign(CVR, new JobRoles.AssignmentInput(JOB_CASEWORKER, null, UNIT_ROOT, true, null, null, null),
                        u -> true, u -> true, operator);
                testIdp.serve(CVR, "test");
                testIdp.addUser("anna", "anna-pw", CVR, ANNA, "Anna Andersen", "anna@idp.example", List.of());
                testIdp.addUser("bo", "bo-pw", CVR, BO, "Bo Berg", null, List.of());
                testIdp.addUser("carl", "carl-pw", CVR, CARL, "Carl Cort", null, List.of(JOB_FROM_IDP));
                testIdp.addUser("ghost", "ghost-pw", CVR, UUID.randomUUID(), "Ghost", null, List.of());
                ready = true;
            }
        }
        sp = new SamlFlow.Sp(SP, SP_ACS, spKey);
    }

    private static String user(UUID id, String key, String name) {
        return "{\"type\":\"user\",\"id\":\"" + id + "\",\"userKey\":\"" + key + "\",\"name\":\"" + name + "\"}";
    }

    private static String engagement(String key, UUID user, UUID unit) {
        return "{\"type\":\"function\",\"id\":\"" + UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8))
                + "\",\"userKey\":\"" + key + "\",\"name\":\"Ansættelse\",\"functionType\":\"ENGAGEMENT\",\"users\":[\""
                + user + "\"],\"units\":[\"" + unit + "\"]}";
    }

    private String sso() {
        return handler.settings().ssoUrl();
    }

    private SamlFlow.Form loginAs(SamlFlow.Sp who, String requestId, String user, String password, String loa) {
        SamlFlow.Page end = flow.login(who.authnUrl(sso(), requestId, "relay-" + requestId, null), user, password, loa);
        assertThat(end.status()).as(end.body()).isEqualTo(200);
        return end.form();
    }

    private long refusals(String reasonPart) {
        return count("SELECT count(*) FROM platform.security_log WHERE type = 'LOGIN_REFUSED' AND details::text LIKE '%"
                + reasonPart.replace("'", "''") + "%'");
    }

    // ------------------------------------------------------------------ the login

    @Test
    void caseworkerGetsTheSystemRolesOfHerJobRoleWithDynamicUnitsResolved() {
        // hops are admitted two a core by default (opensts.saml.concurrent-hops=auto); this login went through
        assertThat(handler.concurrentHops()).isEqualTo(2 * Runtime.getRuntime().availableProcessors());
        SamlFlow.Form answer = loginAs(sp, "_req-anna-1", "anna", "anna-pw", "Substantial");
        assertThat(answer.action()).isEqualTo(SP_ACS);
        assertThat(answer.field("RelayState")).isEqualTo("relay-_req-anna-1");
        Element resp = sp.read(answer.samlResponse());
        assertThat(SamlFlow.status(resp)).isEqualTo(SamlXml.SUCCESS);
        assertThat(resp.getAttribute("InResponseTo")).isEqualTo("_req-anna-1");
        assertThat(resp.getAttribute("Destination")).isEqualTo(SP_ACS);
        // the Response and the assertion are both signed by the context handler
        SamlXml.verify(resp, List.of(handler.settings().certificate()), Instant.now());
        Element assertion = SamlFlow.assertionOf(resp);
        SamlXml.verify(assertion, List.of(handler.settings().certificate()), Instant.now());
        assertThat(SamlXml.text(assertion, SamlXml.ASSERTION, "Issuer")).isEqualTo(handler.settings().idpEntityId());

        Map<String, List<String>> attrs = SamlFlow.attributes(assertion);
        assertThat(attrs.get(Messages.SPEC_VERSION)).containsExactly("OIO-SAML-3.0");
        assertThat(attrs.get(Messages.LOA)).containsExactly("Substantial");
        assertThat(attrs.get(Messages.CVR)).containsExactly(CVR);
        assertThat(attrs.get(Messages.PERSISTENT_UUID)).containsExactly("urn:uuid:" + ANNA);
        // name and e-mail from Organisation, not from the IdP
        assertThat(attrs.get(Messages.EMAIL)).containsExactly("anna@testkommune.dk");
        assertThat(attrs.get(Messages.FULL_NAME)).containsExactly("Anna Andersen");

        String bpp = new String(Base64.getDecoder().decode(attrs.get(Messages.PRIVILEGES).get(0)), StandardCharsets.UTF_8);
        assertThat(bpp).contains("PrivilegeGroup Scope=\"urn:dk:gov:saml:cvrNumberIdentifier:" + CVR + "\"");
        List<PrivilegeGroup> groups = PrivilegeProfile.decode(attrs.get(Messages.PRIVILEGES).get(0));
        // only this system's roles: the job role's role in the encrypting system is left out
        assertThat(groups).hasSize(1);
        PrivilegeGroup g = groups.get(0);
        assertThat(g.privilege()).isEqualTo(ROLE_SEARCH);
        assertThat(g.constraints()).containsEntry(Constraints.KLE, "27.*")
                .containsEntry(Constraints.SENSITIVITY, "FOELSOMME_PERSONOPLYSNINGER");
        // her own unit and its subunit, resolved now (the job role is assigned to the root with subunits)
        assertThat(Set.of(g.constraints().get(Constraints.ORG_UNIT).split(",")))
                .containsExactlyInAnyOrder(UNIT_CHILDREN.toString(), UNIT_BELOW.toString());
        assertThat(count("SELECT count(*) FROM platform.security_log WHERE type = 'LOGIN' AND actor = '" + ANNA + "'"))
                .isPositive();
    }

    @Test
    void jobRolesSentByTheMunicipalIdpCount() {
        SamlFlow.Form answer = loginAs(sp, "_req-carl-1", "carl", "carl-pw", "High");
        Element assertion = SamlFlow.assertionOf(sp.read(answer.samlResponse()));
        Map<String, List<String>> attrs = SamlFlow.attributes(assertion);
        assertThat(attrs.get(Messages.LOA)).containsExactly("High");
        assertThat(PrivilegeProfile.decode(attrs.get(Messages.PRIVILEGES).get(0)))
                .extracting(PrivilegeGroup::privilege).containsExactly(ROLE_ADMIN);
    }

    @Test
    void assertionIsEncryptedForASystemWithAnEncryptionCertificate() {
        SamlFlow.Sp enc = new SamlFlow.Sp(SP_ENC, SP_ENC + "/acs", spKey);
        SamlFlow.Form answer = loginAs(enc, "_req-enc-1", "anna", "anna-pw", "Substantial");
        Element raw = SamlXml.parse(answer.samlResponse()).getDocumentElement();
        assertThat(SamlXml.child(raw, SamlXml.ASSERTION, "Assertion")).isNull();
        assertThat(SamlXml.child(raw, SamlXml.ASSERTION, "EncryptedAssertion")).isNotNull();
        assertThat(new String(answer.samlResponse(), StandardCharsets.UTF_8)).doesNotContain("Anna");
        Element resp = enc.read(answer.samlResponse());
        Element assertion = SamlFlow.assertionOf(resp);
        SamlXml.verify(assertion, List.of(handler.settings().certificate()), Instant.now());
        assertThat(SamlFlow.attributes(assertion).get(Messages.FULL_NAME)).containsExactly("Anna Andersen");
    }

    @Test
    void userWithoutRolesInTheSystemIsRefusedOrLetInWithNoneAsTheSystemChose() {
        SamlFlow.Form refused = loginAs(sp, "_req-bo-1", "bo", "bo-pw", "Substantial");
        Element resp = sp.read(refused.samlResponse());
        assertThat(SamlFlow.status(resp)).startsWith(
                "urn:oasis:names:tc:SAML:2.0:status:Responder urn:oasis:names:tc:SAML:2.0:status:RequestDenied");
        assertThat(SamlFlow.assertionOf(resp)).isNull();
        SamlXml.verify(resp, List.of(handler.settings().certificate()), Instant.now());
        assertThat(refusals("holds no role of " + SP)).isPositive();

        SamlFlow.Sp open = new SamlFlow.Sp(SP_OPEN, SP_OPEN + "/acs", spKey);
        SamlFlow.Form in = loginAs(open, "_req-bo-2", "bo", "bo-pw", "Low");
        Element ok = open.read(in.samlResponse());
        assertThat(SamlFlow.status(ok)).isEqualTo(SamlXml.SUCCESS);
        assertThat(SamlFlow.attributes(SamlFlow.assertionOf(ok))).doesNotContainKey(Messages.PRIVILEGES);
    }

    @Test
    void assuranceBelowTheSystemsMinimumIsRefused() {
        SamlFlow.Form answer = loginAs(sp, "_req-low-1", "anna", "anna-pw", "Low");
        assertThat(SamlFlow.status(sp.read(answer.samlResponse()))).contains("NoAuthnContext");
        assertThat(refusals("below the Substantial")).isPositive();
    }

    @Test
    void userUnknownInOrganisationIsRefused() {
        SamlFlow.Form answer = loginAs(sp, "_req-ghost-1", "ghost", "ghost-pw", "Substantial");
        assertThat(SamlFlow.status(sp.read(answer.samlResponse()))).contains("UnknownPrincipal");
    }

    @Test
    void wrongPasswordShowsTheFormAgain() {
        SamlFlow.Page login = flow.follow(sp.authnUrl(sso(), "_req-pw-1", null, null));
        SamlFlow.Form form = login.form();
        SamlFlow.Page again = flow.post(form.action(), Map.of("token", form.field("token"), "username", "anna",
                "password", "wrong", "loa", "Substantial"));
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.body()).contains("Forkert brugernavn eller adgangskode").contains("<label for=\"password\">");
    }

    @Test
    void requestsAlsoComeByHttpPostSignedInTheXml() {
        Document request = Messages.authnRequest("_req-post-1", SP, sso(), SP_ACS, null, null, Instant.now());
        SamlXml.sign(request.getDocumentElement(), spKey.key(), spKey.certificate());
        String encoded = Base64.getEncoder().encodeToString(SamlXml.serialize(request));
        SamlFlow.Page toIdp = flow.post("/saml/idp/sso", Map.of("SAMLRequest", encoded, "RelayState", "post-relay"));
        assertThat(toIdp.status()).as(toIdp.body()).isEqualTo(302);
        assertThat(toIdp.location()).startsWith(testIdp.ssoUrl());

        // the same request without its signature is refused back to the system
        Document unsigned = Messages.authnRequest("_req-post-2", SP, sso(), SP_ACS, null, null, Instant.now());
        SamlFlow.Page refused = flow.post("/saml/idp/sso", Map.of("SAMLRequest",
                Base64.getEncoder().encodeToString(SamlXml.serialize(unsigned))));
        Element resp = SamlXml.parse(refused.form().samlResponse()).getDocumentElement();
        assertThat(SamlFlow.status(resp)).startsWith("urn:oasis:names:tc:SAML:2.0:status:Requester").contains("not signed");
    }

    @Test
    void withSeveralMunicipalitiesTheUserChoosesHers() {
        String other = "22222222";
        organisations.ensureMunicipality(other, "Anden kommune", "test");
        testIdp.serve(other, "test");
        try {
            SamlFlow.Page choose = flow.get(sp.authnUrl(sso(), "_req-choose-1", null, null));
            assertThat(choose.status()).isEqualTo(200);
            assertThat(choose.body()).contains("Vælg din kommune").contains("<label for=\"cvr\">")
                    .contains(">" + CVR + "<").contains(">" + other + "<");
            String login = choose.form().field("login");
            SamlFlow.Page toIdp = flow.get("/saml/idp/municipality?login=" + login + "&cvr=" + CVR);
            assertThat(toIdp.status()).isEqualTo(302);
            assertThat(toIdp.location()).startsWith(testIdp.ssoUrl());
            // decided once
            assertThat(flow.get("/saml/idp/municipality?login=" + login + "&cvr=" + other).status()).isEqualTo(400);
            // or named at once on the request
            SamlFlow.Page named = flow.get(sp.authnUrl(sso(), "_req-choose-2", null, null) + "&municipality=" + CVR);
            assertThat(named.status()).isEqualTo(302);
            // a municipality without an IdP here
            SamlFlow.Page unknown = flow.get(sp.authnUrl(sso(), "_req-choose-3", null, null) + "&municipality=33333333");
            assertThat(SamlFlow.status(SamlXml.parse(unknown.form().samlResponse()).getDocumentElement()))
                    .contains("has no IdP here");
        } finally {
            String operator = tokenFor(CVR, Services.ADMINISTRATION, Services.OPERATOR);
            assertThat(call("DELETE", "/api/admin/v1/municipal-idps/" + other, operator, null).status()).isEqualTo(204);
        }
        // with one IdP left the choice is gone at once on this node, and the removed one is refused
        assertThat(flow.get(sp.authnUrl(sso(), "_req-choose-4", null, null)).location()).startsWith(testIdp.ssoUrl());
        SamlFlow.Page removed = flow.get(sp.authnUrl(sso(), "_req-choose-5", null, null) + "&municipality=" + other);
        assertThat(SamlFlow.status(SamlXml.parse(removed.form().samlResponse()).getDocumentElement()))
                .contains("has no IdP here");
        String admin = tokenFor(CVR, Services.ADMINISTRATION, Services.MUNICIPAL_ADMIN);
        assertThat(call("DELETE", "/api/admin/v1/municipal-idps/" + other, admin, null).status()).isEqualTo(403);
        assertThat(call("DELETE", "/api/admin/v1/municipal-idps/" + other,
                tokenFor(CVR, Services.ADMINISTRATION, Services.OPERATOR), null).status()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ refused requests

    @Test
    void unknownSystemGetsAnErrorPageAndASecurityLogEntry() {
        SamlFlow.Sp stranger = new SamlFlow.Sp("https://stranger.test/sp", "https://stranger.test/acs", spKey);
        SamlFlow.Page page = flow.get(stranger.authnUrl(sso(), "_req-x-1", null, null));
        assertThat(page.status()).isEqualTo(400);
        assertThat(page.body()).contains("unknown service provider https://stranger.test/sp");
        assertThat(refusals("unknown service provider https://stranger.test/sp")).isPositive();
    }

    @Test
    void consumerUrlMustBeRegistered() {
        SamlFlow.Sp wrongAcs = new SamlFlow.Sp(SP, "https://evil.test/acs", spKey);
        SamlFlow.Page page = flow.get(wrongAcs.authnUrl(sso(), "_req-acs-1", null, null));
        assertThat(page.status()).isEqualTo(400);
        assertThat(page.body()).contains("not registered");
    }

    @Test
    void tamperedOrUnsignedRequestIsRefusedWithASamlError() {
        String url = sp.authnUrl(sso(), "_req-t-1", "relay", null);
        // another RelayState than the one signed
        SamlFlow.Page tampered = flow.get(url.replace("RelayState=relay", "RelayState=other"));
        assertThat(tampered.status()).isEqualTo(200);
        Element resp = SamlXml.parse(tampered.form().samlResponse()).getDocumentElement();
        assertThat(SamlFlow.status(resp)).startsWith("urn:oasis:names:tc:SAML:2.0:status:Requester");
        assertThat(refusals("does not verify")).isPositive();

        String unsigned = url.substring(0, url.indexOf("&SigAlg="));
        SamlFlow.Page page = flow.get(unsigned);
        assertThat(SamlFlow.status(SamlXml.parse(page.form().samlResponse()).getDocumentElement()))
                .startsWith("urn:oasis:names:tc:SAML:2.0:status:Requester");
        assertThat(refusals("not signed")).isPositive();
    }

    @Test
    void replayedRequestIsRefused() {
        String url = sp.authnUrl(sso(), "_req-r-1", null, null);
        assertThat(flow.follow(url).body()).contains("name=\"password\"");
        SamlFlow.Page again = flow.get(url);
        assertThat(SamlFlow.status(SamlXml.parse(again.form().samlResponse()).getDocumentElement())).contains("RequestDenied");
        assertThat(refusals("used before (replay)")).isPositive();
    }

    @Test
    void requestWithADtdIsRefused() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_x\"><saml:Issuer "
                + "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\">&x;</saml:Issuer></samlp:AuthnRequest>";
        SamlFlow.Page page = flow.post("/saml/idp/sso", Map.of("SAMLRequest",
                Base64.getEncoder().encodeToString(xxe.getBytes(StandardCharsets.UTF_8))));
        assertThat(page.status()).isEqualTo(400);
        assertThat(page.body()).contains("without a DTD").doesNotContain("root:");
    }

    // ------------------------------------------------------------------ refused answers of the municipal IdP

    @Test
    void replayedIdpAnswerIsRefused() {
        SamlFlow.Form idp = flow.idpAnswer(sp.authnUrl(sso(), "_req-rp-1", null, null), "anna", "anna-pw", "Substantial");
        assertThat(flow.post(idp.action(), idp.fields()).status()).isEqualTo(200);
        SamlFlow.Page again = flow.post(idp.action(), idp.fields());
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.body()).contains("no login under way");
    }

    @Test
    void tamperedIdpAnswerIsRefused() {
        SamlFlow.Form idp = flow.idpAnswer(sp.authnUrl(sso(), "_req-tp-1", null, null), "bo", "bo-pw", "Substantial");
        // Bo's answer made to say Anna
        String xml = new String(idp.samlResponse(), StandardCharsets.UTF_8).replace(BO.toString(), ANNA.toString());
        SamlFlow.Page page = flow.post(idp.action(), Map.of("SAMLResponse",
                Base64.getEncoder().encodeToString(xml.getBytes(StandardCharsets.UTF_8))));
        Element resp = sp.read(page.form().samlResponse());
        assertThat(SamlFlow.assertionOf(resp)).isNull();
        assertThat(SamlFlow.status(resp)).startsWith("urn:oasis:names:tc:SAML:2.0:status:Requester");
        assertThat(refusals("does not verify")).isPositive();
    }

    @Test
    void signatureWrappingIsRefused() {
        SamlFlow.Form idp = flow.idpAnswer(sp.authnUrl(sso(), "_req-w-1", null, null), "bo", "bo-pw", "Substantial");
        Document doc = SamlXml.parse(idp.samlResponse());
        Element resp = doc.getDocumentElement();
        // the Response's own signature goes, so only the assertion's is left
        resp.removeChild(SamlXml.child(resp, SamlXml.DSIG, "Signature"));
        Element signed = SamlXml.child(resp, SamlXml.ASSERTION, "Assertion");
        // the signed assertion moves into an Extensions element; an unsigned copy naming Anna takes its place
        Element forged = (Element) signed.cloneNode(true);
        forged.removeChild(SamlXml.child(forged, SamlXml.DSIG, "Signature"));
        forged.setAttribute("ID", "_forged");
        String text = new String(SamlXml.serialize(forged), StandardCharsets.UTF_8).replace(BO.toString(), ANNA.toString());
        Element extensions = doc.createElementNS(SamlXml.PROTOCOL, "samlp:Extensions");
        resp.insertBefore(extensions, SamlXml.child(resp, SamlXml.PROTOCOL, "Status"));
        extensions.appendChild(signed);
        resp.appendChild(doc.importNode(SamlXml.parse(text.getBytes(StandardCharsets.UTF_8)).getDocumentElement(), true));
        SamlFlow.Page page = flow.post(idp.action(), Map.of("SAMLResponse",
                Base64.getEncoder().encodeToString(SamlXml.serialize(doc))));
        Element answer = sp.read(page.form().samlResponse());
        assertThat(SamlFlow.assertionOf(answer)).isNull();
        assertThat(SamlFlow.status(answer)).startsWith("urn:oasis:names:tc:SAML:2.0:status:Requester")
                .contains("more than one assertion");

        // the same with the signed assertion kept in place and a second, unsigned one added
        SamlFlow.Form idp2 = flow.idpAnswer(sp.authnUrl(sso(), "_req-w-2", null, null), "bo", "bo-pw", "Substantial");
        Document doc2 = SamlXml.parse(idp2.samlResponse());
        Element resp2 = doc2.getDocumentElement();
        resp2.removeChild(SamlXml.child(resp2, SamlXml.DSIG, "Signature"));
        Element copy = (Element) SamlXml.child(resp2, SamlXml.ASSERTION, "Assertion").cloneNode(true);
        copy.removeChild(SamlXml.child(copy, SamlXml.DSIG, "Signature"));
        copy.setAttribute("ID", "_second");
        resp2.insertBefore(copy, SamlXml.child(resp2, SamlXml.ASSERTION, "Assertion"));
        SamlFlow.Page page2 = flow.post(idp2.action(), Map.of("SAMLResponse",
                Base64.getEncoder().encodeToString(SamlXml.serialize(doc2))));
        assertThat(SamlFlow.assertionOf(sp.read(page2.form().samlResponse()))).isNull();
        assertThat(refusals("exactly one assertion")).isPositive();
    }

    @Test
    void answerForAnotherAudienceOrExpiredIsRefused() {
        for (String variant : List.of("audience", "expired")) {
            String requestUrl = sp.authnUrl(sso(), "_req-a-" + variant, null, null);
            SamlFlow.Page loginPage = flow.follow(requestUrl);
            // the test IdP's pending request tells which InResponseTo the context handler waits for
            String inResponseTo = testIdp.pending(loginPage.form().field("token")).orElseThrow().requestId();
            Instant at = variant.equals("expired") ? Instant.now().minus(1, ChronoUnit.HOURS) : Instant.now();
            Document doc = Messages.response(testIdp.entityId(), handler.settings().acsUrl(), inResponseTo,
                    variant.equals("audience") ? "https://someone.else/sp" : handler.settings().spEntityId(),
                    new Messages.Subject(ANNA.toString(), Assurance.SUBSTANTIAL.contextClass(),
                            Messages.oiosaml3("Substantial", CVR, ANNA.toString(), null, null, null)), at, 300);
            SamlXml.sign(SamlXml.child(doc.getDocumentElement(), SamlXml.ASSERTION, "Assertion"), testIdp.key(),
                    testIdp.certificate());
            SamlFlow.Page page = flow.post(handler.settings().acsUrl(), Map.of("SAMLResponse",
                    Base64.getEncoder().encodeToString(SamlXml.serialize(doc))));
            assertThat(SamlFlow.assertionOf(sp.read(page.form().samlResponse()))).as(variant).isNull();
        }
        assertThat(refusals("not for audience")).isPositive();
        assertThat(refusals("expired")).isPositive();
    }

    // ------------------------------------------------------------------ checked by SAML implementations OpenSTS did not write

    /** Runs a command; its exit code and output. */
    private static Map.Entry<Integer, String> run(java.nio.file.Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return Map.entry(p.exitValue(), out);
    }

    private static boolean installed(String path) {
        return java.nio.file.Files.isExecutable(java.nio.file.Path.of(path));
    }

    @Test
    void xmlsec1VerifiesTheSignaturesAndDecryptsTheAssertion(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(installed("/usr/bin/xmlsec1"),
                "xmlsec1 is not installed (Debian package xmlsec1); see docs/context-handler.md");
        SamlFlow.Sp enc = new SamlFlow.Sp(SP_ENC, SP_ENC + "/acs", spKey);
        SamlFlow.Form answer = loginAs(enc, "_req-xmlsec-1", "anna", "anna-pw", "Substantial");
        java.nio.file.Files.write(dir.resolve("response.xml"), answer.samlResponse());
        java.nio.file.Files.writeString(dir.resolve("ch.pem"), dk.opensts.platform.security.Pem.encode(handler.settings().certificate()));
        java.nio.file.Files.writeString(dir.resolve("sp.key.pem"), dk.opensts.platform.security.Pem.encode(spKey.key()));
        String[] ids = {"--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response",
                "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"};
        // the Response's signature
        var response = run(dir, concat(new String[] {"/usr/bin/xmlsec1", "--verify", "--pubkey-cert-pem", "ch.pem"}, ids,
                new String[] {"response.xml"}));
        assertThat(response.getKey()).as(response.getValue()).isZero();
        // the assertion: decrypted with the SP's key, then its own signature
        var decrypted = run(dir, "/usr/bin/xmlsec1", "--decrypt", "--privkey-pem", "sp.key.pem", "--output",
                "decrypted.xml", "response.xml");
        assertThat(decrypted.getKey()).as(decrypted.getValue()).isZero();
        assertThat(java.nio.file.Files.readString(dir.resolve("decrypted.xml"))).contains("Anna Andersen");
        var assertion = run(dir, concat(new String[] {"/usr/bin/xmlsec1", "--verify", "--pubkey-cert-pem", "ch.pem",
                "--node-xpath", "//*[local-name()='Assertion']/*[local-name()='Signature']"}, ids,
                new String[] {"decrypted.xml"}));
        assertThat(assertion.getKey()).as(assertion.getValue()).isZero();
        // and xmlsec1 refuses the decrypted assertion once it is changed (the check can fail)
        java.nio.file.Files.writeString(dir.resolve("changed.xml"),
                java.nio.file.Files.readString(dir.resolve("decrypted.xml")).replace("Anna Andersen", "Eve Evil"));
        var changed = run(dir, concat(new String[] {"/usr/bin/xmlsec1", "--verify", "--pubkey-cert-pem", "ch.pem",
                "--node-xpath", "//*[local-name()='Assertion']/*[local-name()='Signature']"}, ids,
                new String[] {"changed.xml"}));
        assertThat(changed.getKey()).as(changed.getValue()).isNotZero();
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }

    @Test
    void anIndependentServiceProviderCompletesTheLogin(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(installed("/usr/bin/xmlsec1") && installed("/usr/bin/python3")
                        && run(dir, "/usr/bin/python3", "-c", "import saml2").getKey() == 0,
                "pysaml2 is not installed (Debian packages python3-pysaml2 and xmlsec1); see docs/context-handler.md");
        DevelopmentCa.Issued key = ca.ca().issueSaml("pysaml2 SP", Instant.now().minus(1, ChronoUnit.HOURS),
                Instant.now().plus(1, ChronoUnit.DAYS));
        String pem = dk.opensts.platform.security.Pem.encode(key.certificate());
        String entity = "https://pysaml2.test/sp";
        String acs = "https://pysaml2.test/acs";
        userSystems.register(new UserSystems.UserSystem(entity, "pysaml2", List.of(acs), pem, pem, null, null, null,
                List.of(new UserSystems.SystemRole("https://pysaml2.test/roles/read", "Læs", null, List.of()))), "test");
        jobRoles.create(CVR, new JobRoles.JobRoleInput("https://demo.kommune.dk/jobroles/pysaml2", "pysaml2-bruger", null,
                null, List.of(new JobRoles.SystemRoleGrant("https://pysaml2.test/roles/read", List.of())), null, null),
                Actor.internal("test", CVR));
        jobRoles.assign(CVR, new JobRoles.AssignmentInput("https://demo.kommune.dk/jobroles/pysaml2", ANNA, null, null,
                null, null, null), u -> true, u -> true, Actor.internal("test", CVR));
        java.nio.file.Files.write(dir.resolve("idp.xml"), flow.get("/saml/idp/metadata").body().getBytes(StandardCharsets.UTF_8));
        java.nio.file.Files.writeString(dir.resolve("sp.crt.pem"), pem);
        java.nio.file.Files.writeString(dir.resolve("sp.key.pem"), dk.opensts.platform.security.Pem.encode(key.key()));
        java.nio.file.Path script = dir.resolve("sp.py");
        try (var in = getClass().getResourceAsStream("/saml/pysaml2_sp.py")) {
            java.nio.file.Files.write(script, in.readAllBytes());
        }
        var result = run(dir, "/usr/bin/python3", script.toString(), "--idp-metadata", "idp.xml", "--key", "sp.key.pem",
                "--cert", "sp.crt.pem", "--entity-id", entity, "--acs", acs, "--username", "anna", "--password",
                "anna-pw", "--loa", "Substantial");
        assertThat(result.getKey()).as(result.getValue()).isZero();
        String last = result.getValue().strip().lines().reduce((a, b) -> b).orElseThrow();
        tools.jackson.databind.JsonNode out = json.readTree(last);
        assertThat(out.path("relayState").asString()).isEqualTo("pysaml2-relay");
        assertThat(out.path("issuer").asString()).isEqualTo(handler.settings().idpEntityId());
        assertThat(out.path("nameId").asString()).endsWith(ANNA.toString());
        tools.jackson.databind.JsonNode attrs = out.path("attributes");
        assertThat(attrs.path(Messages.CVR).get(0).asString()).isEqualTo(CVR);
        assertThat(attrs.path(Messages.SPEC_VERSION).get(0).asString()).isEqualTo("OIO-SAML-3.0");
        List<PrivilegeGroup> groups = PrivilegeProfile.decode(attrs.path(Messages.PRIVILEGES).get(0).asString());
        assertThat(groups).extracting(PrivilegeGroup::privilege).containsExactly("https://pysaml2.test/roles/read");
    }

    // ------------------------------------------------------------------ the administration API

    private static List<String> fields(Res r) {
        return r.body().path("errors").findValuesAsString("field");
    }

    @Test
    void operatorRegistersUserSystemsAndBadOnesAreRefusedNamingTheField() {
        String operator = tokenFor(CVR, Services.ADMINISTRATION, Services.OPERATOR);
        String admin = tokenFor(CVR, Services.ADMINISTRATION, Services.MUNICIPAL_ADMIN);
        String pem = dk.opensts.platform.security.Pem.encode(spKey.certificate()).replace("\n", "\\n");
        String good = "{\"entityId\":\"https://rest.test/sp\",\"name\":\"REST\",\"assertionConsumerUrls\":"
                + "[\"https://rest.test/acs\"],\"signingCertificate\":\"" + pem + "\",\"roles\":[{\"entityId\":"
                + "\"https://rest.test/roles/a\",\"name\":\"A\",\"constraints\":[{\"type\":\"" + Constraints.KLE
                + "\",\"pattern\":\"" + Constraints.KLE_PATTERN.replace("\\", "\\\\") + "\",\"required\":true}]}]}";
        Res ok = call("POST", "/api/admin/v1/user-systems", operator, good);
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        assertThat(ok.body().path("minimumAssurance").asString()).isEqualTo("SUBSTANTIAL");
        assertThat(ok.body().path("withoutPrivileges").asString()).isEqualTo("REFUSE");
        assertThat(call("POST", "/api/admin/v1/user-systems", admin, good).status()).isEqualTo(403);

        long before = count("SELECT count(*) FROM access.user_system");
        Res noCert = call("POST", "/api/admin/v1/user-systems", operator, good.replace(pem, "not a certificate"));
        assertThat(noCert.status()).isEqualTo(422);
        assertThat(fields(noCert)).containsExactly("/signingCertificate");
        Res badAcs = call("POST", "/api/admin/v1/user-systems", operator,
                good.replace("https://rest.test/acs", "ftp://x").replace("https://rest.test/sp", "https://rest.test/sp2"));
        assertThat(fields(badAcs)).containsExactly("/assertionConsumerUrls/0");
        Res taken = call("POST", "/api/admin/v1/user-systems", operator, good.replace("https://rest.test/sp\"", "https://rest.test/sp3\""));
        assertThat(taken.status()).isEqualTo(409);
        Res unknownField = call("POST", "/api/admin/v1/user-systems", operator, good.replace("\"name\":\"REST\"", "\"nam\":\"REST\""));
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(count("SELECT count(*) FROM access.user_system")).isEqualTo(before);

        // removed by the operator only; its requests are refused at once on this node
        SamlFlow.Sp rest = new SamlFlow.Sp("https://rest.test/sp", "https://rest.test/acs", spKey);
        assertThat(flow.get(rest.authnUrl(sso(), "_req-rest-1", null, null)).status()).isEqualTo(302);
        String remove = "/api/admin/v1/user-systems?entityId=https://rest.test/sp";
        assertThat(call("DELETE", remove, admin, null).status()).isEqualTo(403);
        assertThat(call("DELETE", remove, operator, null).status()).isEqualTo(204);
        assertThat(call("DELETE", remove, operator, null).status()).isEqualTo(404);
        SamlFlow.Page refused = flow.get(rest.authnUrl(sso(), "_req-rest-2", null, null));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("unknown service provider https://rest.test/sp");
        assertThat(count("SELECT count(*) FROM access.user_system_role WHERE system = 'https://rest.test/sp'")).isZero();
    }

    @Test
    void administratorDefinesJobRolesWithCheckedConstraintsAndHistory() {
        String admin = tokenFor(CVR, Services.ADMINISTRATION, Services.MUNICIPAL_ADMIN);
        String role = "{\"entityId\":\"https://demo.kommune.dk/jobroles/rest\",\"name\":\"Visitator\","
                + "\"systemRoles\":[{\"entityId\":\"" + ROLE_SEARCH + "\",\"constraints\":["
                + "{\"type\":\"" + Constraints.KLE + "\",\"value\":\"27.24.*\"},"
                + "{\"type\":\"" + Constraints.SENSITIVITY + "\",\"value\":\"FORTROLIGE_PERSONOPLYSNINGER\"}]}]}";
        long before = count("SELECT count(*) FROM access.registry_object WHERE type = 'job-role'");
        Res unknownRole = call("POST", "/api/admin/v1/job-roles", admin, role.replace(ROLE_SEARCH, "https://nowhere/role"));
        assertThat(unknownRole.status()).isEqualTo(422);
        assertThat(fields(unknownRole)).containsExactly("/systemRoles/0/entityId");
        Res badKle = call("POST", "/api/admin/v1/job-roles", admin, role.replace("27.24.*", "27x"));
        assertThat(fields(badKle)).containsExactly("/systemRoles/0/constraints/0/value");
        Res noSensitivity = call("POST", "/api/admin/v1/job-roles", admin, role.replace(
                ",{\"type\":\"" + Constraints.SENSITIVITY + "\",\"value\":\"FORTROLIGE_PERSONOPLYSNINGER\"}", ""));
        assertThat(noSensitivity.status()).isEqualTo(422);
        assertThat(noSensitivity.text()).contains(Constraints.SENSITIVITY);
        Res dynamicKle = call("POST", "/api/admin/v1/job-roles", admin, role.replace("\"value\":\"27.24.*\"",
                "\"dynamic\":\"OWN_UNITS\""));
        assertThat(fields(dynamicKle)).containsExactly("/systemRoles/0/constraints/0/dynamic");
        Res otherMunicipality = call("POST", "/api/admin/v1/job-roles", admin, role.replace("\"name\"",
                "\"municipalityCvr\":\"22222222\",\"name\""));
        assertThat(otherMunicipality.status()).isEqualTo(403);
        assertThat(count("SELECT count(*) FROM access.registry_object WHERE type = 'job-role'")).isEqualTo(before);

        Res created = call("POST", "/api/admin/v1/job-roles", admin, role);
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(call("POST", "/api/admin/v1/job-roles", admin, role).status()).isEqualTo(409);
        String path = created.header("Location");
        Instant beforeChange = Instant.now();
        Res stale = call("PUT", path, admin, role.replace("Visitator", "Visitator 2"), "If-Match", "\"7\"");
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.code()).isEqualTo("STALE_VERSION");
        assertThat(call("PUT", path, admin, role.replace("Visitator", "Visitator 2")).status()).isEqualTo(428);
        Res changed = call("PUT", path, admin, role.replace("Visitator", "Visitator 2"), "If-Match", created.header("ETag"));
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);
        assertThat(changed.body().path("name").asString()).isEqualTo("Visitator 2");
        // valid-time history: before the change it was called Visitator
        Res then = get(path + "?validAt=" + beforeChange, admin);
        assertThat(then.body().path("name").asString()).isEqualTo("Visitator");
        assertThat(get("/api/admin/v1/job-roles", admin).body().findValuesAsString("name")).contains("Visitator 2");
    }

    @Test
    void assignmentsDecideWhatAUserGetsAndEndingOneTakesItAway() {
        String admin = tokenFor(CVR, Services.ADMINISTRATION, Services.MUNICIPAL_ADMIN);
        String privileges = "/api/admin/v1/users/" + BO + "/privileges?system=" + SP;
        assertThat(get(privileges, admin).body().path("groups")).isEmpty();
        Res unknownUser = call("POST", "/api/admin/v1/role-assignments", admin, "{\"jobRole\":\"" + JOB_CASEWORKER
                + "\",\"user\":\"" + UUID.randomUUID() + "\"}");
        assertThat(unknownUser.status()).isEqualTo(422);
        assertThat(fields(unknownUser)).containsExactly("/user");
        Res both = call("POST", "/api/admin/v1/role-assignments", admin, "{\"jobRole\":\"" + JOB_CASEWORKER
                + "\",\"user\":\"" + BO + "\",\"unit\":\"" + UNIT_JOBS + "\"}");
        assertThat(fields(both)).containsExactly("/user");
        Res unknownJobRole = call("POST", "/api/admin/v1/role-assignments", admin, "{\"jobRole\":\"https://x/y\",\"user\":\""
                + BO + "\"}");
        assertThat(fields(unknownJobRole)).containsExactly("/jobRole");

        Res assigned = call("POST", "/api/admin/v1/role-assignments", admin, "{\"jobRole\":\"" + JOB_CASEWORKER
                + "\",\"unit\":\"" + UNIT_JOBS + "\",\"note\":\"vikar\"}");
        assertThat(assigned.status()).as(assigned.text()).isEqualTo(201);
        Res now = get(privileges, admin);
        assertThat(now.body().path("groups").findValuesAsString("privilege")).containsExactly(ROLE_SEARCH);
        assertThat(now.body().path("groups").get(0).path("constraints").path(Constraints.ORG_UNIT).asString())
                .isEqualTo(UNIT_JOBS.toString());
        assertThat(get("/api/admin/v1/role-assignments?unit=" + UNIT_JOBS, admin).body()).hasSize(1);

        Instant whileAssigned = Instant.now();
        Res ended = call("POST", assigned.header("Location") + "/end", admin, "{\"reason\":\"slut\"}", "If-Match",
                assigned.header("ETag"));
        assertThat(ended.status()).as(ended.text()).isEqualTo(200);
        assertThat(get(privileges, admin).body().path("groups")).isEmpty();
        assertThat(get("/api/admin/v1/role-assignments?unit=" + UNIT_JOBS, admin).body()).isEmpty();
        assertThat(get("/api/admin/v1/role-assignments?unit=" + UNIT_JOBS + "&validAt=" + whileAssigned, admin).body())
                .hasSize(1);
        assertThat(get(assigned.header("Location") + "?validAt=" + whileAssigned, admin).status()).isEqualTo(200);
    }

    @Test
    void municipalIdpIsConfiguredFromMetadata() {
        String admin = tokenFor(CVR, Services.ADMINISTRATION, Services.MUNICIPAL_ADMIN);
        String metadata = flow.get("/saml/test-idp/metadata").body();
        Res other = call("PUT", "/api/admin/v1/municipal-idps/22222222", admin, metadata, "Content-Type",
                "application/samlmetadata+xml");
        assertThat(other.status()).isEqualTo(403);
        Res bad = call("PUT", "/api/admin/v1/municipal-idps/" + CVR, admin, "<md:EntityDescriptor xmlns:md=\""
                + SamlXml.METADATA + "\" entityID=\"x\"/>", "Content-Type", "application/samlmetadata+xml");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.text()).contains("IDPSSODescriptor");
        Res dtd = call("PUT", "/api/admin/v1/municipal-idps/" + CVR, admin, "<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>",
                "Content-Type", "application/samlmetadata+xml");
        assertThat(dtd.status()).isEqualTo(422);
        Res ok = call("PUT", "/api/admin/v1/municipal-idps/" + CVR, admin, metadata, "Content-Type",
                "application/samlmetadata+xml");
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        assertThat(ok.body().path("entityId").asString()).isEqualTo(testIdp.entityId());
        assertThat(get("/api/admin/v1/municipal-idps", admin).body().findValuesAsString("cvr")).contains(CVR);
    }

    @Autowired
    dk.opensts.access.saml.TestServiceProvider testSp;

    @Test
    void theDemoTestServiceProviderShowsWhatALoginGives() {
        if (userSystems.find(testSp.entityId()).isEmpty()) {
            userSystems.register(new UserSystems.UserSystem(testSp.entityId(), "Test-SP", List.of(testSp.acsUrl()),
                    dk.opensts.platform.security.Pem.encode(testSp.certificate()), dk.opensts.platform.security.Pem.encode(testSp.certificate()),
                    null, UserSystems.WithoutPrivileges.ALLOW, null, List.of()), "test");
        }
        SamlFlow.Page end = flow.login("/saml/test-sp", "anna", "anna-pw", "Substantial");
        SamlFlow.Form toSp = end.form();
        assertThat(toSp.action()).isEqualTo(testSp.acsUrl());
        SamlFlow.Page shown = flow.post(toSp.action(), toSp.fields());
        assertThat(shown.status()).as(shown.body()).isEqualTo(200);
        assertThat(shown.body()).contains("Anna Andersen").contains(Messages.LOA).contains("Ingen.");
        // the same answer twice: the test SP refuses it (its request is used)
        assertThat(flow.post(toSp.action(), toSp.fields()).status()).isEqualTo(400);
    }

    /** A municipal administrator is a user too: through her administration console she uses the administration API. */
    @Test
    void anAdministratorUsesTheAdministrationApiAsHerself() {
        TestSystem console = systemWith(CVR, Services.ADMINISTRATION, List.of(
                new dk.opensts.access.api.ServiceAgreements.Grant(Services.MUNICIPAL_ADMIN, Map.of())));
        String entity = "https://admin.test/console";
        String role = entity + "/roles/administrator";
        String pem = dk.opensts.platform.security.Pem.encode(spKey.certificate());
        userSystems.register(new UserSystems.UserSystem(entity, "Administrationskonsol", List.of(entity + "/acs"), pem, null,
                Assurance.SUBSTANTIAL, null, console.id(), List.of(new UserSystems.SystemRole(role, "Administrator", null,
                List.of(), List.of(new UserSystems.ServiceRole(Services.ADMINISTRATION, Services.MUNICIPAL_ADMIN))))), "test");
        Actor operator = Actor.internal("test", CVR);
        jobRoles.create(CVR, new JobRoles.JobRoleInput("https://demo.kommune.dk/jobroles/admin", "Rolleadministrator", null,
                null, List.of(new JobRoles.SystemRoleGrant(role, List.of())), null, null), operator);
        jobRoles.assign(CVR, new JobRoles.AssignmentInput("https://demo.kommune.dk/jobroles/admin", CARL, null, null, null,
                null, null), u -> true, u -> true, operator);

        SamlFlow.Sp consoleSp = new SamlFlow.Sp(entity, entity + "/acs", spKey);
        SamlFlow.Form answer = loginAs(consoleSp, "_req-admin-1", "carl", "carl-pw", "Substantial");
        Element assertion = SamlFlow.assertionOf(consoleSp.read(answer.samlResponse()));
        String form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Asaml2-bearer&assertion="
                + Base64.getUrlEncoder().withoutPadding().encodeToString(SamlXml.serialize(assertion))
                + "&resource=" + java.net.URLEncoder.encode(Services.ADMINISTRATION, StandardCharsets.UTF_8);
        Res token = tokenRequest(console.client(), form);
        assertThat(token.status()).as(token.text()).isEqualTo(200);
        String jwt = token.body().path("access_token").asString();
        assertThat(get("/api/admin/v1/job-roles", jwt).status()).isEqualTo(200);
        // (a unit no one is engaged in, so the other tests' users keep their roles)
        Res assigned = call("POST", "/api/admin/v1/role-assignments", jwt, "{\"jobRole\":\"" + JOB_FROM_IDP
                + "\",\"unit\":\"" + UNIT_BELOW + "\"}");
        assertThat(assigned.status()).as(assigned.text()).isEqualTo(201);
        // the change is hers in the security log, made through the console
        assertThat(count("SELECT count(*) FROM platform.security_log WHERE type = 'ROLE_CATALOGUE_CHANGED' AND actor = '"
                + CARL + "' AND CAST(details AS jsonb)->>'unit' = '" + UNIT_BELOW + "'")).isEqualTo(1);
        // she is no operator: registering a user-facing system is refused
        assertThat(call("POST", "/api/admin/v1/user-systems", jwt, "{}").status()).isEqualTo(403);
    }

    // ------------------------------------------------------------------ metadata

    @Test
    void metadataDescribesBothSides() {
        SamlFlow.Page idp = flow.get("/saml/idp/metadata");
        assertThat(idp.status()).isEqualTo(200);
        Messages.IdpDescriptor d = Messages.readIdpMetadata(idp.body().getBytes(StandardCharsets.UTF_8));
        assertThat(d.entityId()).isEqualTo(handler.settings().idpEntityId());
        assertThat(d.ssoUrl()).isEqualTo(sso());
        SamlFlow.Page spMeta = flow.get("/saml/sp/metadata");
        assertThat(spMeta.body()).contains("AssertionConsumerService").contains(handler.settings().acsUrl())
                .contains("use=\"encryption\"");
    }
}
