package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.access.pki.Enrolment;
import dk.opensts.platform.security.Pem;
import dk.opensts.access.token.SigningKeys;
import dk.opensts.platform.security.Services;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Access for systems end to end: the token endpoint over mutual TLS, every refusal it owes, and
 * what every API checks of a token (signature, expiry, audience, municipality, binding, roles).
 */
class AccessTest extends ApiTest {

    static final String O = "/api/organisation/v1";
    static final String ORG_SCOPE = "grant_type=client_credentials&scope=entityid:" + Services.ORGANISATION
            + ",anvenderkontekst:" + CVR;

    @Autowired
    SigningKeys signingKeys;

    JsonNode claims(String token) {
        return json.readTree(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    long securityLog(String type) {
        return count("SELECT count(*) FROM platform.security_log WHERE type = '" + type + "'");
    }

    // ------------------------------------------------------------------ issuing

    @Test
    void aTokenCarriesSystemServiceMunicipalityRolesAndTheCertificateBinding() {
        TestSystem s = system(CVR, Services.ORGANISATION, "read,write");
        Res r = tokenRequest(s.client(), ORG_SCOPE);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().path("token_type").asString()).isEqualTo("Bearer");
        assertThat(r.header("Cache-Control")).contains("no-store");
        JsonNode c = claims(r.body().path("access_token").asString());
        assertThat(c.path("iss").asString()).startsWith("http://127.0.0.1:");
        assertThat(c.path("sub").asString()).isEqualTo(s.id().toString());
        assertThat(c.path("aud").toString()).contains(Services.ORGANISATION);
        assertThat(c.path("cvr").asString()).isEqualTo(CVR);
        assertThat(c.path("priv").toString()).contains("\"role\":\"read\"").contains("\"role\":\"write\"");
        assertThat(c.path("exp").asLong() - c.path("iat").asLong()).isEqualTo(300);
        assertThat(c.path("jti").asString()).isNotBlank();
        assertThat(c.path("cnf").path("x5t#S256").asString()).isEqualTo(Pem.thumbprint(s.certificate().certificate()));
        // the standard form names the same service
        Res resource = tokenRequest(s.client(), "grant_type=client_credentials&resource=" + Services.ORGANISATION
                + "&anvenderkontekst=" + CVR);
        assertThat(resource.status()).as(resource.text()).isEqualTo(200);
        Res audience = tokenRequest(s.client(), "grant_type=client_credentials&audience=" + Services.ORGANISATION
                + "&anvenderkontekst=" + CVR);
        assertThat(audience.status()).isEqualTo(200);
        assertThat(claims(audience.body().path("access_token").asString()).path("jti").asString())
                .isNotEqualTo(c.path("jti").asString());
        // the keys are published
        Res jwks = get("/oauth2/jwks", null);
        assertThat(jwks.body().path("keys").get(0).has("n")).isTrue();
        assertThat(jwks.text()).doesNotContain("\"d\"");
        // and the metadata says what the server does
        Res metadata = get("/.well-known/oauth-authorization-server", null);
        assertThat(metadata.status()).as(metadata.text()).isEqualTo(200);
        assertThat(metadata.body().path("token_endpoint_auth_methods_supported").toString()).isEqualTo("[\"tls_client_auth\"]");
        assertThat(metadata.body().path("grant_types_supported").toString())
                .isEqualTo("[\"client_credentials\",\"urn:ietf:params:oauth:grant-type:saml2-bearer\"]");
        assertThat(metadata.body().path("tls_client_certificate_bound_access_tokens").asBoolean()).isTrue();
        assertThat(metadata.body().has("revocation_endpoint")).isFalse();
    }

    @Test
    void certificateProblemsAreRefusedAsInvalidClientAndLogged() throws Exception {
        long before = securityLog("CERTIFICATE_REJECTED");
        // no certificate at all
        HttpClient trusting = HttpClient.newBuilder().sslContext(Enrolment.trustingContext(ca.ca().certificate())).build();
        Res none = tokenRequest(trusting, ORG_SCOPE);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.body().path("error").asString()).isEqualTo("invalid_client");
        assertThat(none.body().path("error_description").asString()).contains("mutual TLS");
        // a certificate of a CA OpenSTS does not trust
        DevelopmentCa stranger = new DevelopmentCa(Files.createTempDirectory("other-ca"));
        DevelopmentCa.Issued foreign = stranger.issueClient("Fremmed", CVR, Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(1)));
        Res untrusted = tokenRequest(mutualTls(foreign), ORG_SCOPE);
        assertThat(untrusted.status()).isEqualTo(401);
        assertThat(untrusted.body().path("error_description").asString()).contains("not issued by a trusted certificate authority");
        // the operator cannot register it either
        UUID id = UUID.randomUUID();
        systems.register(id, "Fremmed system", null, null, "test");
        assertThat(call("POST", "/api/admin/v1/systems/" + id + "/certificates", operator(),
                "{\"pem\":" + json.writeValueAsString(Pem.encode(foreign.certificate())) + "}").status()).isEqualTo(422);
        // trusted but registered to no system
        DevelopmentCa.Issued unregistered = ca.ca().issueClient("Ukendt", CVR, Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(1)));
        Res unknown = tokenRequest(mutualTls(unregistered), ORG_SCOPE);
        assertThat(unknown.body().path("error_description").asString()).contains("not registered");
        // expired (registered while it was valid)
        DevelopmentCa.Issued old = ca.ca().issueClient("Gammel", CVR, Instant.now().minus(Duration.ofDays(2)),
                Instant.now().minus(Duration.ofDays(1)));
        jdbc.sql("INSERT INTO access.certificate (thumbprint, system_id, pem, subject, issuer, serial, not_before,"
                        + " not_after, added_at, added_by) VALUES (?, ?, ?, 's', 'i', '1', ?, ?, now(), 'test')")
                .params(Pem.thumbprint(old.certificate()), id, Pem.encode(old.certificate()),
                        Timestamp.from(Instant.now().minus(Duration.ofDays(2))), Timestamp.from(Instant.now().minus(Duration.ofDays(1))))
                .update();
        Res expired = tokenRequest(mutualTls(old), ORG_SCOPE);
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.body().path("error_description").asString()).contains("expired");
        // revoked
        TestSystem s = system(CVR, Services.ORGANISATION, "read");
        assertThat(tokenRequest(s.client(), ORG_SCOPE).status()).isEqualTo(200);
        Res revoke = call("POST", "/api/admin/v1/systems/" + s.id() + "/certificates/"
                + Pem.thumbprint(s.certificate().certificate()) + "/revoke", operator(), "{\"reason\":\"lost\"}");
        assertThat(revoke.status()).as(revoke.text()).isEqualTo(200);
        Res revoked = tokenRequest(s.client(), ORG_SCOPE);
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.body().path("error_description").asString()).contains("revoked");
        assertThat(securityLog("CERTIFICATE_REJECTED")).isGreaterThanOrEqualTo(before + 6);
        // the body never carries more than the error and why
        assertThat(revoked.body().size()).isEqualTo(2);
    }

    @Test
    void requestsWithoutAnApprovedAgreementOrMalformedAreRefusedAndLogged() {
        TestSystem s = system(CVR, Services.ORGANISATION, "read");
        long before = securityLog("TOKEN_REFUSED");
        Map<String, String> refusals = Map.of(
                "grant_type=client_credentials&scope=entityid:" + Services.CLASSIFICATION + ",anvenderkontekst:" + CVR,
                "invalid_scope",
                "grant_type=client_credentials&scope=entityid:" + Services.ORGANISATION + ",anvenderkontekst:22222222",
                "invalid_scope",
                "grant_type=client_credentials&scope=entityid:https://example.org/nothing,anvenderkontekst:" + CVR,
                "invalid_scope",
                "grant_type=client_credentials", "invalid_request",
                "grant_type=client_credentials&scope=entityid:" + Services.ORGANISATION, "invalid_request",
                "grant_type=client_credentials&scope=entityid:" + Services.ORGANISATION + ",anvenderkontekst:123",
                "invalid_request",
                "grant_type=client_credentials&scope=read+write", "invalid_scope",
                "grant_type=password&username=x&password=y", "unsupported_grant_type",
                "grant_type=client_credentials&resource=" + Services.ORGANISATION + "&resource=" + Services.CLASSIFICATION
                        + "&anvenderkontekst=" + CVR, "invalid_request");
        refusals.forEach((form, error) -> {
            Res r = tokenRequest(s.client(), form);
            assertThat(r.status()).as(form + " " + r.text()).isEqualTo(400);
            assertThat(r.body().path("error").asString()).as(form).isEqualTo(error);
            assertThat(r.body().path("error_description").asString()).as(form).isNotBlank();
        });
        assertThat(tokenRequest(s.client(), "grant_type=client_credentials&scope=entityid:" + Services.CLASSIFICATION
                + ",anvenderkontekst:" + CVR).body().path("error_description").asString())
                .contains("no approved service agreement");
        assertThat(securityLog("TOKEN_REFUSED")).isEqualTo(before + refusals.size() + 1);
    }

    // ------------------------------------------------------------------ presenting

    String signed(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    JWTClaimsSet.Builder validClaims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer("http://127.0.0.1:0").subject(UUID.randomUUID().toString())
                .audience(Services.ORGANISATION).issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300))).jwtID(UUID.randomUUID().toString())
                .claim("cvr", CVR).claim("priv", List.of(Map.of("role", "read", "constraints", Map.of())));
    }

    @Test
    void forgedExpiredAndMisdirectedTokensAreRejectedAndLogged() throws Exception {
        RSAKey ours = (RSAKey) signingKeys.keys().getKeys().get(0);
        String path = O + "/units";
        assertThat(get(path, signed(ours, validClaims().build())).status()).isEqualTo(200);
        long before = securityLog("TOKEN_REJECTED");
        RSAKey stranger = new RSAKeyGenerator(2048).keyID(ours.getKeyID()).generate();
        String valid = signed(ours, validClaims().build());
        String[] parts = valid.split("\\.");
        String otherPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                validClaims().claim("cvr", "22222222").build().toString().getBytes(StandardCharsets.UTF_8));
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
                + "." + parts[1] + ".";
        Map<String, String> rejected = new java.util.LinkedHashMap<>();
        rejected.put("alg none", none);
        rejected.put("another key", signed(stranger, validClaims().build()));
        rejected.put("changed payload", parts[0] + "." + otherPayload + "." + parts[2]);
        rejected.put("expired", signed(ours, validClaims().expirationTime(Date.from(Instant.now().minusSeconds(120))).build()));
        rejected.put("not yet valid", signed(ours, validClaims().notBeforeTime(Date.from(Instant.now().plusSeconds(600))).build()));
        rejected.put("another issuer", signed(ours, validClaims().issuer("https://evil.example").build()));
        rejected.put("another audience", signed(ours, validClaims().audience(Services.CLASSIFICATION).build()));
        rejected.put("no municipality", signed(ours, validClaims().claim("cvr", null).build()));
        rejected.put("garbage", "not.a.token");
        rejected.forEach((why, token) -> {
            Res r = get(path, token);
            assertThat(r.status()).as(why + ": " + r.text()).isEqualTo(401);
            assertThat(r.code()).as(why).isEqualTo("UNAUTHENTICATED");
            assertThat(r.header("WWW-Authenticate")).as(why).contains("invalid_token");
        });
        assertThat(get(path, rejected.get("another audience")).body().path("detail").asString())
                .contains("not for " + Services.ORGANISATION);
        assertThat(securityLog("TOKEN_REJECTED")).isGreaterThanOrEqualTo(before + rejected.size());
    }

    @Test
    void aBoundTokenNeedsItsOwnCertificateOverMutualTls() {
        TestSystem owner = system(CVR, Services.ORGANISATION, "read");
        TestSystem other = system(CVR, Services.ORGANISATION, "read");
        String token = tokenRequest(owner.client(), ORG_SCOPE).body().path("access_token").asString();
        HttpRequest.Builder request = HttpRequest.newBuilder(tlsUri(O + "/units")).header("Authorization", "Bearer " + token);
        assertThat(send(owner.client(), request).status()).isEqualTo(200);
        Res stolen = send(other.client(), HttpRequest.newBuilder(tlsUri(O + "/units")).header("Authorization", "Bearer " + token));
        assertThat(stolen.status()).isEqualTo(401);
        assertThat(stolen.body().path("detail").asString()).contains("bound to another certificate");
    }

    @Test
    void aMunicipalityNeverSeesOrChangesAnothersOrganisation() {
        String ours = token(Services.ORGANISATION, Services.READ, Services.WRITE);
        Res org = call("POST", O + "/organisations", ours, "{\"cvr\":\"" + CVR + "\",\"name\":\"Vores\"}");
        assertThat(org.status()).as(org.text()).isEqualTo(201);
        String orgId = org.body().path("id").asString();
        Res unit = call("POST", O + "/units", ours, "{\"organisation\":\"" + orgId + "\",\"userKey\":\"A\",\"name\":\"A\"}");
        String unitId = unit.body().path("id").asString();
        String theirs = tokenFor("22222222", Services.ORGANISATION, Services.READ, Services.WRITE);
        assertThat(get(O + "/units/" + unitId, theirs).status()).isEqualTo(404);
        assertThat(get(O + "/units/" + unitId + "/history", theirs).status()).isEqualTo(404);
        assertThat(get(O + "/units/" + unitId + "/subtree", theirs).status()).isEqualTo(404);
        assertThat(get(O + "/units?organisation=" + orgId, theirs).body().path("items").size()).isZero();
        assertThat(get(O + "/units", theirs).body().path("items").size()).isZero();
        assertThat(get(O + "/organisations?cvr=" + CVR, theirs).body().path("items").size()).isZero();
        long versions = count("SELECT count(*) FROM organisation.object_version");
        Res write = call("POST", O + "/units", theirs, "{\"organisation\":\"" + orgId + "\",\"userKey\":\"B\",\"name\":\"B\"}");
        assertThat(write.status()).isEqualTo(403);
        Res patch = call("PATCH", O + "/units/" + unitId, theirs, "{\"name\":\"Overtaget\"}", "If-Match", "\"1\"");
        assertThat(patch.status()).isEqualTo(404);
        Res foreignOrg = call("POST", O + "/organisations", theirs, "{\"cvr\":\"" + CVR + "\",\"name\":\"Falsk\"}");
        assertThat(foreignOrg.status()).isEqualTo(403);
        assertThat(count("SELECT count(*) FROM organisation.object_version")).isEqualTo(versions);
        // roles decide the operation: a read-only token cannot write, and that is logged
        long denied = securityLog("ACCESS_DENIED");
        String readOnly = tokenFor(CVR, Services.ORGANISATION, Services.READ);
        assertThat(call("POST", O + "/units", readOnly, "{\"organisation\":\"" + orgId + "\",\"name\":\"C\"}").status())
                .isEqualTo(403);
        assertThat(securityLog("ACCESS_DENIED")).isEqualTo(denied + 1);
    }

    // ------------------------------------------------------------------ administration

    String operator() {
        return token(Services.ADMINISTRATION, Services.OPERATOR);
    }

    @Test
    void anOperatorRegistersASystemAndAMunicipalityDecidesItsAgreement() throws Exception {
        String op = operator();
        Res system = call("POST", "/api/admin/v1/systems", op, "{\"name\":\"Sagssystem\",\"vendorCvr\":\"87654321\"}");
        assertThat(system.status()).as(system.text()).isEqualTo(201);
        UUID id = UUID.fromString(system.body().path("id").asString());
        DevelopmentCa.Issued cert = ca.ca().issueClient("Sagssystem", null, Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(30)));
        Res added = call("POST", "/api/admin/v1/systems/" + id + "/certificates", op,
                "{\"pem\":" + json.writeValueAsString(Pem.encode(cert.certificate())) + "}");
        assertThat(added.status()).as(added.text()).isEqualTo(201);
        assertThat(added.body().path("thumbprint").asString()).isEqualTo(Pem.thumbprint(cert.certificate()));
        HttpClient client = mutualTls(cert);
        assertThat(tokenRequest(client, ORG_SCOPE).body().path("error").asString()).isEqualTo("invalid_scope");

        String admin = tokenFor(CVR, Services.ADMINISTRATION, Services.MUNICIPAL_ADMIN);
        String body = "{\"system\":\"" + id + "\",\"service\":\"" + Services.ORGANISATION + "\",\"municipality\":\"" + CVR
                + "\",\"roles\":[{\"role\":\"read\"}],\"note\":\"sagsbehandling\"}";
        Res requested = call("POST", "/api/admin/v1/agreements", admin, body);
        assertThat(requested.status()).as(requested.text()).isEqualTo(201);
        assertThat(requested.body().path("state").asString()).isEqualTo("REQUESTED");
        String agreement = "/api/admin/v1/agreements/" + requested.body().path("id").asString();
        assertThat(tokenRequest(client, ORG_SCOPE).status()).isEqualTo(400);
        // approval needs the version
        assertThat(call("POST", agreement + "/approve", admin, "{}").status()).isEqualTo(428);
        Res approved = call("POST", agreement + "/approve", admin, "{\"reason\":\"ok\"}", "If-Match", requested.header("ETag"));
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        assertThat(approved.body().path("state").asString()).isEqualTo("APPROVED");
        assertThat(call("POST", agreement + "/approve", admin, "{}", "If-Match", requested.header("ETag")).status())
                .isEqualTo(409);
        assertThat(tokenRequest(client, ORG_SCOPE).status()).isEqualTo(200);
        // who may do what
        Res privileges = get("/api/admin/v1/privileges?system=" + id, admin);
        assertThat(privileges.body().get(0).path("roles").get(0).path("role").asString()).isEqualTo("read");
        // revoked: no more tokens, and history keeps the approval
        Instant beforeRevocation = Instant.now();
        Res revoked = call("POST", agreement + "/revoke", admin, "{\"reason\":\"ophoert\"}", "If-Match", approved.header("ETag"));
        assertThat(revoked.status()).as(revoked.text()).isEqualTo(200);
        assertThat(revoked.body().path("state").asString()).isEqualTo("REVOKED");
        assertThat(revoked.body().path("history").toString()).contains("APPROVED").contains("REVOKED");
        assertThat(tokenRequest(client, ORG_SCOPE).status()).isEqualTo(400);
        Res asKnownBefore = get(agreement + "?knownAt=" + beforeRevocation, admin);
        assertThat(asKnownBefore.status()).as(asKnownBefore.text()).isEqualTo(200);
        assertThat(asKnownBefore.body().path("state").asString()).isEqualTo("APPROVED");
        assertThat(count("SELECT count(*) FROM platform.security_log WHERE type = 'AGREEMENT_CHANGED' AND details LIKE '%"
                + requested.body().path("id").asString() + "%'")).isEqualTo(3);
    }

    @Test
    void aSystemAsksForItsOwnAgreementOverMutualTlsAndCanBeDeactivated() throws Exception {
        UUID id = UUID.randomUUID();
        systems.register(id, "Leverandørsystem", "87654321", "drift@example.dk", "test");
        DevelopmentCa.Issued cert = ca.ca().issueClient("Leverandørsystem", null, Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(30)));
        systems.addCertificate(id, Pem.encode(cert.certificate()), "test");
        HttpClient client = mutualTls(cert);
        String ask = "{\"service\":\"" + Services.ORGANISATION + "\",\"municipality\":\"" + CVR
                + "\",\"roles\":[{\"role\":\"read\"}],\"note\":\"til sagsbehandling\"}";
        Res asked = send(client, HttpRequest.newBuilder(tlsUri("/api/access/v1/agreement-requests"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(ask)));
        assertThat(asked.status()).as(asked.text()).isEqualTo(201);
        assertThat(asked.body().path("system").asString()).isEqualTo(id.toString());
        assertThat(asked.body().path("state").asString()).isEqualTo("REQUESTED");
        Res mine = send(client, HttpRequest.newBuilder(tlsUri("/api/access/v1/agreements")));
        assertThat(mine.body().size()).isEqualTo(1);
        // without a certificate, or with a foreign one: refused and logged
        long rejected = securityLog("CERTIFICATE_REJECTED");
        Res anonymous = send(HttpClient.newBuilder().sslContext(Enrolment.trustingContext(ca.ca().certificate())).build(),
                HttpRequest.newBuilder(tlsUri("/api/access/v1/agreement-requests"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(ask)));
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.code()).isEqualTo("UNAUTHENTICATED");
        assertThat(securityLog("CERTIFICATE_REJECTED")).isEqualTo(rejected + 1);
        // the municipality approves; the system gets its token
        String admin = tokenFor(CVR, Services.ADMINISTRATION, Services.MUNICIPAL_ADMIN);
        assertThat(call("POST", "/api/admin/v1/agreements/" + asked.body().path("id").asString() + "/approve", admin, "{}",
                "If-Match", asked.header("ETag")).status()).isEqualTo(200);
        assertThat(tokenRequest(client, ORG_SCOPE).status()).isEqualTo(200);
        // a deactivated system gets nothing until it is activated again
        assertThat(call("POST", "/api/admin/v1/systems/" + id + "/deactivate", operator(), "{\"reason\":\"kontrakt udløbet\"}")
                .body().path("active").asBoolean()).isFalse();
        Res off = tokenRequest(client, ORG_SCOPE);
        assertThat(off.status()).isEqualTo(401);
        assertThat(off.body().path("error_description").asString()).contains("not active");
        assertThat(call("POST", "/api/admin/v1/systems/" + id + "/activate", operator(), null).status()).isEqualTo(200);
        assertThat(tokenRequest(client, ORG_SCOPE).status()).isEqualTo(200);
    }

    @Test
    void aMunicipalAdministratorDecidesItsOwnMunicipalityOnly() {
        String admin = tokenFor(CVR, Services.ADMINISTRATION, Services.MUNICIPAL_ADMIN);
        TestSystem s = system("22222222", Services.ORGANISATION, "read");
        String other = "{\"system\":\"" + s.id() + "\",\"service\":\"" + Services.ORGANISATION
                + "\",\"municipality\":\"22222222\",\"roles\":[{\"role\":\"write\"}]}";
        assertThat(call("POST", "/api/admin/v1/agreements", admin, other).status()).isEqualTo(403);
        assertThat(get("/api/admin/v1/agreements?municipality=22222222", admin).status()).isEqualTo(403);
        Res list = get("/api/admin/v1/agreements", admin);
        assertThat(list.text()).doesNotContain("22222222");
        var theirs = agreements.list("22222222", s.id(), null, null, null).get(0);
        assertThat(call("POST", "/api/admin/v1/agreements/" + theirs.id() + "/revoke", admin, "{}", "If-Match",
                "\"" + theirs.version() + "\"").status()).isEqualTo(404);
        // the administration service and national roles are the operator's to approve
        String escalate = "{\"system\":\"" + s.id() + "\",\"service\":\"" + Services.ADMINISTRATION + "\",\"municipality\":\""
                + CVR + "\",\"roles\":[{\"role\":\"operator\"}]}";
        Res asked = call("POST", "/api/admin/v1/agreements", admin, escalate);
        assertThat(asked.status()).isEqualTo(201);
        assertThat(call("POST", "/api/admin/v1/agreements/" + asked.body().path("id").asString() + "/approve", admin, "{}",
                "If-Match", asked.header("ETag")).status()).isEqualTo(403);
        // the operator-only operations
        assertThat(call("POST", "/api/admin/v1/systems", admin, "{\"name\":\"X\"}").status()).isEqualTo(403);
        assertThat(get("/api/admin/v1/security-log/verify", admin).status()).isEqualTo(403);
    }

    @Test
    void badAgreementsAreRefusedAndNothingIsWritten() {
        String op = operator();
        TestSystem s = system(CVR, Services.ORGANISATION, "read");
        long versions = count("SELECT count(*) FROM access.object_version");
        String base = "{\"system\":\"" + s.id() + "\",\"service\":\"" + Services.ORGANISATION + "\",\"municipality\":\"" + CVR + "\",";
        Map<String, String> bad = Map.of(
                base + "\"roles\":[{\"role\":\"delete\"}]}", "/roles/0/role",
                base + "\"roles\":[]}", "/roles",
                base + "\"roles\":[{\"role\":\"read\",\"constraints\":{\"http://sts.kombit.dk/constraints/KLE/1\":\"27\"}}]}",
                "/roles/0/constraints/http://sts.kombit.dk/constraints/KLE/1",
                "{\"system\":\"" + UUID.randomUUID() + "\",\"service\":\"" + Services.ORGANISATION + "\",\"municipality\":\""
                        + CVR + "\",\"roles\":[{\"role\":\"read\"}]}", "/system",
                base.replace(CVR, "1234") + "\"roles\":[{\"role\":\"read\"}]}", "/municipality",
                base + "\"roles\":[{\"role\":\"read\"}],\"validity\":{\"from\":\"2030-01-01\",\"to\":\"2029-01-01\"}}", "");
        bad.forEach((body, field) -> {
            Res r = call("POST", "/api/admin/v1/agreements", op, body);
            assertThat(r.status()).as(body + " " + r.text()).isIn(400, 422);
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
            if (!field.isEmpty()) {
                assertThat(r.body().path("errors").toString()).as(body).contains(field);
            }
        });
        assertThat(call("POST", "/api/admin/v1/agreements", op, base + "\"roles\":[{\"role\":\"read\"}],\"extra\":1}").status())
                .isEqualTo(400);
        assertThat(count("SELECT count(*) FROM access.object_version")).isEqualTo(versions);
    }

    @Test
    void signingKeysRotateWithoutDowntime() {
        String op = operator();
        String before = tokenFor(CVR, Services.ORGANISATION, Services.READ);
        Res rotated = call("POST", "/api/admin/v1/signing-keys/rotate", op, null);
        assertThat(rotated.status()).as(rotated.text()).isEqualTo(200);
        String kid = rotated.body().path("kid").asString();
        assertThat(get("/oauth2/jwks", null).body().path("keys").size()).isEqualTo(2);
        // old tokens still work; new ones are signed with the new key
        assertThat(get(O + "/units", before).status()).isEqualTo(200);
        TestSystem s = system(CVR, Services.ORGANISATION, "read");
        String after = tokenRequest(s.client(), ORG_SCOPE).body().path("access_token").asString();
        String header = new String(Base64.getUrlDecoder().decode(after.split("\\.")[0]), StandardCharsets.UTF_8);
        assertThat(header).contains(kid);
        // retiring the old key ends its tokens
        String oldKid = new String(Base64.getUrlDecoder().decode(before.split("\\.")[0]), StandardCharsets.UTF_8)
                .replaceAll(".*\"kid\":\"([^\"]+)\".*", "$1");
        assertThat(call("POST", "/api/admin/v1/signing-keys/" + kid + "/retire", op, null).status()).isEqualTo(422);
        assertThat(call("POST", "/api/admin/v1/signing-keys/" + oldKid + "/retire", op, null).status()).isEqualTo(200);
        assertThat(get(O + "/units", before).status()).isEqualTo(401);
        assertThat(get(O + "/units", after).status()).isEqualTo(200);
        // stored keys are encrypted at rest
        assertThat(count("SELECT count(*) FROM access.signing_key WHERE private_key NOT LIKE 'aes256gcm:%'")).isZero();
    }

}
