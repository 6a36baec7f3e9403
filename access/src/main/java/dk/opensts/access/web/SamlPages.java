package dk.opensts.access.web;

import dk.opensts.access.saml.ContextHandler;
import java.util.List;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.util.HtmlUtils;

/**
 * The few pages the SAML hops show a person: the self-submitting form of the HTTP-POST binding, the
 * choice of municipality, the test IdP's login form, and an error page. Danish, accessible (labels,
 * a button that works without script), never cached.
 */
final class SamlPages {

    private SamlPages() {
    }

    static ResponseEntity<String> outcome(ContextHandler.Outcome o) {
        if (o instanceof ContextHandler.Redirect r) {
            return ResponseEntity.status(302).header("Location", r.url()).cacheControl(CacheControl.noStore()).build();
        }
        if (o instanceof ContextHandler.PostForm f) {
            return page(200, "Videresender", postForm(f));
        }
        if (o instanceof ContextHandler.ChooseMunicipality c) {
            return page(200, "Vælg kommune", choose(c));
        }
        ContextHandler.ErrorPage e = (ContextHandler.ErrorPage) o;
        return error(e.status(), e.message());
    }

    static ResponseEntity<String> error(int status, String message) {
        return page(status, "Login afvist", "<h1>Login afvist</h1><p>Du kan ikke logges ind.</p><p>Årsag: "
                + esc(message) + "</p>");
    }

    static ResponseEntity<String> page(int status, String title, String body) {
        String html = "<!DOCTYPE html>\n<html lang=\"da\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + esc(title) + " – OpenSTS</title>"
                + "<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;"
                + "color:#1a1a1a;background:#fff}label{display:block;margin-top:1rem}input,select,button{font-size:1rem;"
                + "padding:.4rem;margin-top:.25rem}button{margin-top:1rem;background:#0b4f8a;color:#fff;border:0;"
                + "padding:.5rem 1rem}:focus{outline:3px solid #f0a000}</style></head><body><main>"
                + body + "</main></body></html>";
        return ResponseEntity.status(status).contentType(new MediaType("text", "html", java.nio.charset.StandardCharsets.UTF_8))
                .cacheControl(CacheControl.noStore()).body(html);
    }

    private static String postForm(ContextHandler.PostForm f) {
        StringBuilder b = new StringBuilder("<h1>Videresender</h1><form method=\"post\" action=\"")
                .append(esc(f.action())).append("\">");
        for (Map.Entry<String, String> e : f.fields().entrySet()) {
            b.append("<input type=\"hidden\" name=\"").append(esc(e.getKey())).append("\" value=\"")
                    .append(esc(e.getValue())).append("\">");
        }
        return b.append("<p>Tryk Fortsæt, hvis du ikke sendes videre af sig selv.</p>")
                .append("<button type=\"submit\">Fortsæt</button></form>")
                .append("<script>document.forms[0].submit()</script>").toString();
    }

    private static String choose(ContextHandler.ChooseMunicipality c) {
        StringBuilder b = new StringBuilder("<h1>Vælg din kommune</h1><form method=\"get\" action=\"/saml/idp/municipality\">")
                .append("<input type=\"hidden\" name=\"login\" value=\"").append(esc(c.login())).append("\">")
                .append("<label for=\"cvr\">Kommune (CVR-nummer)</label><select id=\"cvr\" name=\"cvr\">");
        for (String cvr : c.municipalities()) {
            b.append("<option value=\"").append(esc(cvr)).append("\">").append(esc(cvr)).append("</option>");
        }
        return b.append("</select><button type=\"submit\">Fortsæt</button></form>").toString();
    }

    static String loginForm(String token, String requester, String message, List<String> levels, String chosen) {
        StringBuilder b = new StringBuilder("<h1>Test-IdP: log ind</h1>")
                .append("<p>Kun til demo og test. Du logger ind til ").append(esc(requester == null ? "OpenSTS" : requester))
                .append(".</p>");
        if (message != null) {
            b.append("<p role=\"alert\">").append(esc(message)).append("</p>");
        }
        b.append("<form method=\"post\" action=\"/saml/test-idp/login\">")
                .append("<input type=\"hidden\" name=\"token\" value=\"").append(esc(token)).append("\">")
                .append("<label for=\"username\">Brugernavn</label><input id=\"username\" name=\"username\" autocomplete=\"username\" required>")
                .append("<label for=\"password\">Adgangskode</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>")
                .append("<label for=\"loa\">Sikringsniveau</label><select id=\"loa\" name=\"loa\">");
        for (String l : levels) {
            b.append("<option value=\"").append(esc(l)).append("\"").append(l.equals(chosen) ? " selected" : "")
                    .append(">").append(esc(l)).append("</option>");
        }
        return b.append("</select><button type=\"submit\">Log ind</button></form>").toString();
    }

    static String testSpResult(dk.opensts.access.saml.TestServiceProvider.Result r) {
        StringBuilder b = new StringBuilder("<h1>Test-SP: svar fra kontekst-håndteringen</h1>");
        if (!dk.opensts.saml.SamlXml.SUCCESS.equals(r.status())) {
            return b.append("<p role=\"alert\">Login afvist: ").append(esc(r.status())).append("</p><p>")
                    .append(esc(r.message())).append("</p><p><a href=\"/saml/test-sp\">Prøv igen</a></p>").toString();
        }
        b.append("<h2>Attributter</h2><dl>");
        r.attributes().forEach((name, values) -> {
            if (!name.endsWith("privilegesIntermediate")) {
                b.append("<dt>").append(esc(name)).append("</dt><dd>").append(esc(String.join(", ", values))).append("</dd>");
            }
        });
        b.append("</dl><h2>Privilegier</h2>");
        if (r.groups().isEmpty()) {
            b.append("<p>Ingen.</p>");
        } else {
            b.append("<table><caption>Brugersystemroller med dataafgrænsninger</caption><thead><tr><th scope=\"col\">"
                    + "Rolle</th><th scope=\"col\">CVR</th><th scope=\"col\">Dataafgrænsninger</th></tr></thead><tbody>");
            for (var g : r.groups()) {
                b.append("<tr><td>").append(esc(g.privilege())).append("</td><td>").append(esc(g.cvr())).append("</td><td>");
                g.constraints().forEach((type, value) -> b.append(esc(type)).append(" = ").append(esc(value)).append("<br>"));
                b.append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        return b.append("<p><a href=\"/saml/test-sp\">Log ind igen</a></p>").toString();
    }

    /**
     * Text or an attribute value for HTML. Most values here are base64 SAML messages of tens of
     * kilobytes with nothing to escape: they are returned as they are after one scan.
     */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '&' || c == '<' || c == '>' || c == '"' || c == '\'') {
                return HtmlUtils.htmlEscape(s, "UTF-8");
            }
        }
        return s;
    }
}
