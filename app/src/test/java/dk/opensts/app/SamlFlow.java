package dk.opensts.app;

import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.platform.security.Pem;
import dk.opensts.saml.Messages;
import dk.opensts.saml.RedirectBinding;
import dk.opensts.saml.SamlXml;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.web.util.HtmlUtils;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A browser's part in a SAML login, for tests: follows redirects and reads the forms of the pages, and
 * a test service provider that signs AuthnRequests and reads the answers.
 */
final class SamlFlow {

    private static final Pattern FORM = Pattern.compile("<form method=\"(post|get)\" action=\"([^\"]*)\"");
    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");

    private final HttpClient http;
    private final String base;

    SamlFlow(int port) {
        this(port, false);
    }

    /** @param cookies whether the browser keeps cookies (a user-facing system's session) */
    SamlFlow(int port, boolean cookies) {
        this.base = "http://127.0.0.1:" + port;
        HttpClient.Builder b = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER);
        if (cookies) {
            b.cookieHandler(new java.net.CookieManager());
        }
        this.http = b.build();
    }

    record Page(int status, String location, String body) {
        /** The page's form: its action and hidden fields. */
        Form form() {
            Matcher m = FORM.matcher(body);
            if (!m.find()) {
                throw new AssertionError("no form on the page (" + status + "): " + body);
            }
            Map<String, String> fields = new LinkedHashMap<>();
            Matcher h = HIDDEN.matcher(body);
            while (h.find()) {
                fields.put(HtmlUtils.htmlUnescape(h.group(1)), HtmlUtils.htmlUnescape(h.group(2)));
            }
            return new Form(HtmlUtils.htmlUnescape(m.group(2)), fields);
        }
    }

    record Form(String action, Map<String, String> fields) {
        String field(String name) {
            return fields.get(name);
        }

        byte[] samlResponse() {
            return Base64.getMimeDecoder().decode(fields.get("SAMLResponse"));
        }
    }

    Page get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url.startsWith("/") ? base + url : url)).GET());
    }

    Page post(String url, Map<String, String> form) {
        String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(url.startsWith("http") ? url : base + url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Follows redirects from {@code url} until a page. */
    Page follow(String url) {
        Page p = get(url);
        for (int i = 0; i < 5 && p.status() == 302; i++) {
            p = get(p.location());
        }
        return p;
    }

    /**
     * The whole login as a browser does it from the system's AuthnRequest URL: the context handler
     * sends it to the test IdP, the user logs in, the IdP's answer goes back to the context handler.
     *
     * @return the page the context handler ends on (normally a form posting to the system)
     */
    Page login(String authnUrl, String username, String password, String loa) {
        Form idp = idpAnswer(authnUrl, username, password, loa);
        return post(idp.action(), idp.fields());
    }

    /** Up to the test IdP's answer to the context handler (not yet posted). */
    Form idpAnswer(String authnUrl, String username, String password, String loa) {
        Page loginPage = follow(authnUrl);
        if (loginPage.status() != 200 || !loginPage.body().contains("name=\"password\"")) {
            throw new AssertionError("expected the test IdP's login form, got " + loginPage.status() + ": " + loginPage.body());
        }
        Form form = loginPage.form();
        Map<String, String> fields = new LinkedHashMap<>(form.fields());
        fields.put("username", username);
        fields.put("password", password);
        fields.put("loa", loa);
        Page answer = post(form.action(), fields);
        if (answer.status() != 200) {
            throw new AssertionError("test IdP login: " + answer.status() + " " + answer.body());
        }
        return answer.form();
    }

    private Page send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Page(r.statusCode(), r.headers().firstValue("Location").orElse(null), r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A service provider of the tests: its key signs requests, and decrypts answers when it has registered for encryption. */
    record Sp(String entityId, String acsUrl, DevelopmentCa.Issued key) {

        String certificatePem() {
            return Pem.encode(key.certificate());
        }

        /** A signed AuthnRequest over HTTP-Redirect to the context handler. */
        String authnUrl(String ssoUrl, String requestId, String relay, String loa) {
            Document doc = Messages.authnRequest(requestId, entityId, ssoUrl, acsUrl, loa, null, Instant.now());
            doc.getDocumentElement().removeAttribute("ProtocolBinding");
            return RedirectBinding.encode(ssoUrl, "SAMLRequest", SamlXml.serialize(doc), relay, key.key());
        }

        /** The context handler's Response, its assertion decrypted when encrypted. */
        Element read(byte[] xml) {
            Element resp = SamlXml.parse(xml).getDocumentElement();
            Element enc = SamlXml.child(resp, SamlXml.ASSERTION, "EncryptedAssertion");
            if (enc != null) {
                SamlXml.decrypt(enc, key.key());
            }
            return resp;
        }
    }

    /** The values of each attribute of an assertion. */
    static Map<String, List<String>> attributes(Element assertion) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Element st : SamlXml.children(assertion, SamlXml.ASSERTION, "AttributeStatement")) {
            for (Element a : SamlXml.children(st, SamlXml.ASSERTION, "Attribute")) {
                out.put(a.getAttribute("Name"), SamlXml.children(a, SamlXml.ASSERTION, "AttributeValue").stream()
                        .map(Element::getTextContent).toList());
            }
        }
        return out;
    }

    static Element assertionOf(Element response) {
        Element plain = SamlXml.child(response, SamlXml.ASSERTION, "Assertion");
        if (plain != null) {
            return plain;
        }
        Element enc = SamlXml.child(response, SamlXml.ASSERTION, "EncryptedAssertion");
        return enc == null ? null : SamlXml.child(enc, SamlXml.ASSERTION, "Assertion");
    }

    /** The top-level and second-level status codes of a Response. */
    static String status(Element response) {
        String codes = codes(response);
        String message = SamlXml.text(SamlXml.child(response, SamlXml.PROTOCOL, "Status"), SamlXml.PROTOCOL, "StatusMessage");
        return message == null ? codes : codes + " (" + message + ")";
    }

    private static String codes(Element response) {
        Element status = SamlXml.child(response, SamlXml.PROTOCOL, "Status");
        Element code = SamlXml.child(status, SamlXml.PROTOCOL, "StatusCode");
        Element inner = SamlXml.child(code, SamlXml.PROTOCOL, "StatusCode");
        return code.getAttribute("Value") + (inner == null ? "" : " " + inner.getAttribute("Value"));
    }
}
