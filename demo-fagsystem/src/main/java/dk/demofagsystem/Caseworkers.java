package dk.demofagsystem;

import dk.opensts.saml.PrivilegeGroup;
import dk.opensts.saml.SamlException;
import dk.opensts.saml.ServiceProvider;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.KeyStores;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.io.Serializable;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The caseworkers' login through OpenSTS's context handler (this system is a SAML service provider with
 * the key in {@code demo-fagsystem-saml.p12}), their session, and what their roles allow here: the KLE
 * subjects and org units of their privilege groups for this system.
 */
@Component
public class Caseworkers {

    private static final String USER = "demo.user";
    private static final String PENDING = "demo.login";
    private static final String CSRF = "demo.csrf";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A logged-in caseworker: who, and her KLE subjects and units in this system. */
    public record User(String id, String name, String cvr, List<String> kle, Set<String> units, Instant until)
            implements Serializable {

        /** Whether her roles here cover this KLE subject ({@code 27.*} covers {@code 27.24.00}). */
        public boolean mayHandle(String subject) {
            return Constraints.kleMatches(kle, subject);
        }
    }

    private record Pending(String requestId, String returnTo) implements Serializable {
    }

    private final DemoSettings settings;
    private final OpenStsClient opensts;
    private volatile ServiceProvider sp;
    private volatile ServiceProvider.IdentityProvider idp;

    Caseworkers(DemoSettings settings, OpenStsClient opensts) {
        this.settings = settings;
        this.opensts = opensts;
    }

    private ServiceProvider sp() {
        ServiceProvider s = sp;
        if (s == null) {
            KeyStores.Entry key = KeyStores.firstKey(settings.pkiDir.resolve("demo-fagsystem-saml.p12"),
                    settings.keystorePassword);
            s = new ServiceProvider(settings.entityId(), settings.acsUrl(), key.key(), key.certificate(), this::idp,
                    Clock.systemUTC(), Duration.ofSeconds(60));
            sp = s;
        }
        return s;
    }

    /** The context handler, from its metadata (read once). */
    private ServiceProvider.IdentityProvider idp() {
        ServiceProvider.IdentityProvider p = idp;
        if (p == null) {
            p = ServiceProvider.IdentityProvider.fromMetadata(opensts.idpMetadata());
            idp = p;
        }
        return p;
    }

    public byte[] metadata() {
        return sp().metadata();
    }

    /** The logged-in caseworker, or null. Her login holds for the whole session (this system's own rule). */
    public User user(HttpServletRequest request) {
        HttpSession s = request.getSession(false);
        return s == null ? null : (User) s.getAttribute(USER);
    }

    /** Starts a login; the answer comes back to {@code returnTo} (a path of this system). */
    public String startLogin(HttpServletRequest request, String returnTo) {
        ServiceProvider.Login login = sp().login(null);
        String back = returnTo == null || !returnTo.startsWith("/") || returnTo.startsWith("//") ? "/" : returnTo;
        request.getSession(true).setAttribute(PENDING, new Pending(login.requestId(), back));
        return login.redirectUrl();
    }

    /** Reads the context handler's answer; the page to go to next. */
    public String finishLogin(HttpServletRequest request, String samlResponse) {
        HttpSession s = request.getSession(false);
        Pending pending = s == null ? null : (Pending) s.getAttribute(PENDING);
        if (pending == null || samlResponse == null) {
            throw new SamlException("no login is under way in this browser");
        }
        s.removeAttribute(PENDING);
        ServiceProvider.Answer a = sp().receive(samlResponse, pending.requestId());
        if (!a.success()) {
            throw new SamlException("the context handler refused the login: " + a.status()
                    + (a.message() == null ? "" : " (" + a.message() + ")"));
        }
        List<String> kle = new ArrayList<>();
        Set<String> units = new LinkedHashSet<>();
        for (PrivilegeGroup g : a.groups()) {
            if (!g.privilege().startsWith(settings.entityId() + "/")) {
                continue;
            }
            for (String v : g.constraints().getOrDefault(Constraints.KLE, "").split(",")) {
                if (!v.isBlank()) {
                    kle.add(v.strip());
                }
            }
            for (String v : g.constraints().getOrDefault(Constraints.ORG_UNIT, "").split(",")) {
                if (!v.isBlank()) {
                    units.add(v.strip());
                }
            }
        }
        request.changeSessionId();
        request.getSession().setAttribute(USER, new User(String.valueOf(a.user()), a.name(), a.cvr(), List.copyOf(kle),
                Set.copyOf(units), a.notOnOrAfter()));
        return pending.returnTo();
    }

    public void logout(HttpServletRequest request) {
        HttpSession s = request.getSession(false);
        if (s != null) {
            s.invalidate();
        }
    }

    /** The session's form token (every form carries it; a POST without it is refused). */
    public String csrfToken(HttpServletRequest request) {
        HttpSession s = request.getSession(true);
        String t = (String) s.getAttribute(CSRF);
        if (t == null) {
            byte[] b = new byte[24];
            RANDOM.nextBytes(b);
            t = HexFormat.of().formatHex(b);
            s.setAttribute(CSRF, t);
        }
        return t;
    }

    public boolean csrfValid(HttpServletRequest request, String token) {
        HttpSession s = request.getSession(false);
        String t = s == null ? null : (String) s.getAttribute(CSRF);
        return t != null && token != null && java.security.MessageDigest.isEqual(t.getBytes(), token.getBytes());
    }
}
