package dk.opensts.access.saml;

import dk.opensts.saml.*;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dk.opensts.access.pki.DevelopmentCa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** The XML rules of the context handler, without a server: what is signed is what is read. */
class SamlXmlTest {

    @TempDir
    static Path dir;
    static DevelopmentCa ca;
    static DevelopmentCa.Issued key;
    static final Instant NOW = Instant.now();

    @BeforeAll
    static void setUp() {
        ca = new DevelopmentCa(dir.resolve("ca"));
        key = ca.issueSaml("Signer", NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(1)));
    }

    private static Document response() {
        Document doc = Messages.response("https://idp.test", "https://sp.test/acs", "_req", "https://sp.test",
                new Messages.Subject("user", "https://data.gov.dk/concept/core/nsis/loa/Substantial",
                        Map.of(Messages.CVR, List.of("11111111"))), NOW, 300);
        SamlXml.sign(SamlXml.child(doc.getDocumentElement(), SamlXml.ASSERTION, "Assertion"), key.key(), key.certificate());
        return SamlXml.parse(SamlXml.serialize(doc));
    }

    private static Element assertion(Document doc) {
        return SamlXml.child(doc.getDocumentElement(), SamlXml.ASSERTION, "Assertion");
    }

    @Test
    void aSignedAssertionVerifiesAndAChangedOneDoesNot() {
        Document doc = response();
        SamlXml.verify(assertion(doc), List.of(key.certificate()), NOW);
        String changed = new String(SamlXml.serialize(doc), StandardCharsets.UTF_8).replace("11111111", "22222222");
        Document tampered = SamlXml.parse(changed.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> SamlXml.verify(assertion(tampered), List.of(key.certificate()), NOW))
                .isInstanceOf(SamlException.class).hasMessageContaining("does not verify");
    }

    @Test
    void onlyATrustedCertificateValidNowVerifies() {
        Document doc = response();
        DevelopmentCa.Issued other = ca.issueSaml("Other", NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(1)));
        assertThatThrownBy(() -> SamlXml.verify(assertion(doc), List.of(other.certificate()), NOW))
                .isInstanceOf(SamlException.class);
        // the right key, but its certificate has expired by then
        assertThatThrownBy(() -> SamlXml.verify(assertion(doc), List.of(key.certificate()), NOW.plus(Duration.ofDays(2))))
                .isInstanceOf(SamlException.class).hasMessageContaining("trusted, valid certificate");
    }

    @Test
    void aSignatureMustReferenceItsOwnElementByAUniqueId() {
        // the assertion's signature moved onto the Response: it references the assertion, not the Response
        Document moved = response();
        Element resp = moved.getDocumentElement();
        Element sig = SamlXml.child(assertion(moved), SamlXml.DSIG, "Signature");
        resp.insertBefore(sig, resp.getFirstChild().getNextSibling());
        assertThatThrownBy(() -> SamlXml.verify(resp, List.of(key.certificate()), NOW))
                .isInstanceOf(SamlException.class).hasMessageContaining("does not reference the Response");
        // a second element with the signed ID: refused before any reference is resolved
        Document twice = response();
        Element copy = (Element) assertion(twice).cloneNode(true);
        copy.removeChild(SamlXml.child(copy, SamlXml.DSIG, "Signature"));
        twice.getDocumentElement().appendChild(copy);
        Element signed = SamlXml.children(twice.getDocumentElement(), SamlXml.ASSERTION, "Assertion").get(0);
        assertThatThrownBy(() -> SamlXml.verify(signed, List.of(key.certificate()), NOW))
                .isInstanceOf(SamlException.class).hasMessageContaining("not unique");
        // no signature at all
        Document unsigned = response();
        assertion(unsigned).removeChild(SamlXml.child(assertion(unsigned), SamlXml.DSIG, "Signature"));
        assertThatThrownBy(() -> SamlXml.verify(assertion(unsigned), List.of(key.certificate()), NOW))
                .isInstanceOf(SamlException.class).hasMessageContaining("not signed");
    }

    @Test
    void weakAlgorithmsAreRefused() {
        String xml = new String(SamlXml.serialize(response()), StandardCharsets.UTF_8);
        String sha1 = xml.replace("http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2000/09/xmldsig#sha1");
        Document doc = SamlXml.parse(sha1.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> SamlXml.verify(assertion(doc), List.of(key.certificate()), NOW))
                .isInstanceOf(SamlException.class).hasMessageContaining("not accepted");
    }

    @Test
    void dtdsAndEntitiesAreRefused() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/hostname\">]><a>&x;</a>";
        assertThatThrownBy(() -> SamlXml.parse(xxe.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SamlException.class).hasMessageContaining("without a DTD");
        String bomb = "<!DOCTYPE a [<!ENTITY b \"bbbbbbbbbb\"><!ENTITY c \"&b;&b;&b;&b;&b;\">]><a>&c;</a>";
        assertThatThrownBy(() -> SamlXml.parse(bomb.getBytes(StandardCharsets.UTF_8))).isInstanceOf(SamlException.class);
    }

    @Test
    void anEncryptedAssertionOpensOnlyWithTheRecipientsKeyAndStillVerifies() {
        Document doc = response();
        SamlXml.encrypt(assertion(doc), key.certificate());
        String text = new String(SamlXml.serialize(doc), StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("11111111").contains("EncryptedAssertion");
        DevelopmentCa.Issued other = ca.issueSaml("Other", NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(1)));
        Document copy = SamlXml.parse(text.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> SamlXml.decrypt(SamlXml.child(copy.getDocumentElement(), SamlXml.ASSERTION,
                "EncryptedAssertion"), other.key())).isInstanceOf(SamlException.class);
        Document received = SamlXml.parse(text.getBytes(StandardCharsets.UTF_8));
        Element opened = SamlXml.decrypt(SamlXml.child(received.getDocumentElement(), SamlXml.ASSERTION,
                "EncryptedAssertion"), key.key());
        SamlXml.verify(opened, List.of(key.certificate()), NOW);
    }

    @Test
    void redirectSignaturesCoverTheQueryAsSent() {
        String url = RedirectBinding.encode("https://ch.test/sso", "SAMLRequest", "<x/>".getBytes(StandardCharsets.UTF_8),
                "relay state", key.key());
        String query = url.substring(url.indexOf('?') + 1);
        RedirectBinding.Received ok = RedirectBinding.decode(query, "SAMLRequest");
        ok.verify(List.of(key.certificate()), NOW);
        assertThat(ok.relayState()).isEqualTo("relay state");
        RedirectBinding.Received changed = RedirectBinding.decode(query.replace("relay+state", "other"), "SAMLRequest");
        assertThatThrownBy(() -> changed.verify(List.of(key.certificate()), NOW)).isInstanceOf(SamlException.class);
        assertThatThrownBy(() -> RedirectBinding.decode(query + "&SAMLRequest=x", "SAMLRequest"))
                .isInstanceOf(SamlException.class).hasMessageContaining("twice");
    }

    @Test
    void privilegeListsRoundTripAndKeepTheirScope() {
        var groups = List.of(new dk.opensts.saml.PrivilegeGroup("11111111", "https://r/1",
                Map.of("http://sts.kombit.dk/constraints/KLE/1", "27.*")));
        String encoded = PrivilegeProfile.encode(groups);
        assertThat(new String(java.util.Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8))
                .contains("<PrivilegeGroup Scope=\"urn:dk:gov:saml:cvrNumberIdentifier:11111111\">")
                .contains("<Constraint Name=\"http://sts.kombit.dk/constraints/KLE/1\">27.*</Constraint>");
        assertThat(PrivilegeProfile.decode(encoded)).isEqualTo(groups);
    }
}
