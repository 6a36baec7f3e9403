package dk.opensts.access.saml;

import dk.opensts.saml.SamlXml;
import dk.opensts.saml.RedirectBinding;
import dk.opensts.saml.Messages;
import dk.opensts.saml.SamlException;
import dk.opensts.saml.PrivilegeProfile;

import dk.opensts.access.roles.Assurance;
import dk.opensts.saml.PrivilegeGroup;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A built-in municipal IdP for the demo run and the tests only (never in production): users with a
 * password log in at a chosen assurance level, and it answers the context handler as a municipality's
 * IdP would, with OIOSAML 3 attributes and, when the user has them, job roles in
 * {@code privilegesIntermediate}. It checks the context handler's signed AuthnRequest like any IdP.
 */
public class TestIdentityProvider {

    /**
     * A test user.
     *
     * @param jobRoles job role URIs the IdP asserts (as a municipal IdP with its own role source would)
     */
    public record TestUser(String username, String passwordHash, String cvr, UUID uuid, String name, String email,
                           List<String> jobRoles) {
        public TestUser {
            jobRoles = jobRoles == null ? List.of() : List.copyOf(jobRoles);
        }
    }

    /** A request waiting for the user's password. */
    public record Pending(String requestId, String acsUrl, String requester, Assurance minimum, Instant expires) {
    }

    /**
     * The test IdP's password check: a random salt and SHA-256, compared in constant time. Its users
     * live in memory only and are made by code whose passwords are public (the demo users, the
     * benchmark's); a deliberately slow hash such as bcrypt protects nothing there, and in the login
     * benchmark, where this IdP shares the machine with the context handler it stands in front of,
     * bcrypt at its lowest cost took about a fifth of all CPU. A real municipal IdP guards real passwords.
     */
    public static final class DemoPasswords implements PasswordEncoder {

        private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

        @Override
        public String encode(CharSequence raw) {
            byte[] salt = new byte[16];
            RANDOM.nextBytes(salt);
            java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
            return b64.encodeToString(salt) + "$" + b64.encodeToString(digest(salt, raw));
        }

        @Override
        public boolean matches(CharSequence raw, String encoded) {
            int dollar = encoded == null ? -1 : encoded.indexOf('$');
            if (raw == null || dollar < 0) {
                return false;
            }
            java.util.Base64.Decoder b64 = java.util.Base64.getDecoder();
            return java.security.MessageDigest.isEqual(digest(b64.decode(encoded.substring(0, dollar)), raw),
                    b64.decode(encoded.substring(dollar + 1)));
        }

        private static byte[] digest(byte[] salt, CharSequence raw) {
            try {
                java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
                sha.update(salt);
                return sha.digest(raw.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final PrivateKey key;
    private final X509Certificate certificate;
    private final java.util.function.Supplier<ContextHandler.Settings> handler;
    private final MunicipalIdps idps;
    private final PasswordEncoder passwords;
    private final Clock clock;
    private final Map<String, TestUser> users = new ConcurrentHashMap<>();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    public TestIdentityProvider(PrivateKey key, X509Certificate certificate,
                                java.util.function.Supplier<ContextHandler.Settings> handler, MunicipalIdps idps,
                                PasswordEncoder passwords, Clock clock) {
        this.key = key;
        this.certificate = certificate;
        this.handler = handler;
        this.idps = idps;
        this.passwords = passwords;
        this.clock = clock;
    }

    public String entityId() {
        return handler.get().baseUrl() + "/saml/test-idp";
    }

    public String ssoUrl() {
        return handler.get().baseUrl() + "/saml/test-idp/sso";
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey key() {
        return key;
    }

    public Document metadata() {
        return Messages.idpMetadata(entityId(), ssoUrl(), certificate);
    }

    /** Makes this IdP the municipality's (through the same metadata import an operator uses). */
    public void serve(String cvr, String actor) {
        idps.configure(cvr, SamlXml.serialize(metadata()), actor);
    }

    public void addUser(String username, String password, String cvr, UUID uuid, String name, String email,
                        List<String> jobRoles) {
        users.put(username, new TestUser(username, passwords.encode(password), cvr, uuid, name, email, jobRoles));
    }

    /** The context handler's AuthnRequest: verified, then remembered under a one-time token for the login form. */
    public String receive(RedirectBinding.Received request) {
        Instant now = clock.instant();
        ContextHandler.Settings handler = this.handler.get();
        request.verify(List.of(handler.certificate()), now);
        Element req = SamlXml.parse(request.xml()).getDocumentElement();
        if (!"AuthnRequest".equals(req.getLocalName()) || !handler.spEntityId().equals(
                SamlXml.text(req, SamlXml.ASSERTION, "Issuer"))) {
            throw new SamlException("only the context handler may ask this IdP");
        }
        String acs = req.getAttribute("AssertionConsumerServiceURL");
        if (!handler.acsUrl().equals(acs)) {
            throw new SamlException("unexpected assertion consumer URL " + acs);
        }
        Assurance minimum = Assurance.SUBSTANTIAL;
        Element ctx = SamlXml.child(req, SamlXml.PROTOCOL, "RequestedAuthnContext");
        if (ctx != null) {
            minimum = Assurance.parse(SamlXml.text(ctx, SamlXml.ASSERTION, "AuthnContextClassRef")).orElse(minimum);
        }
        Element scoping = SamlXml.child(req, SamlXml.PROTOCOL, "Scoping");
        String requester = scoping == null ? null : SamlXml.text(scoping, SamlXml.PROTOCOL, "RequesterID");
        pending.values().removeIf(p -> p.expires().isBefore(now));
        String token = Messages.newId();
        pending.put(token, new Pending(req.getAttribute("ID"), acs, requester, minimum, now.plus(Duration.ofMinutes(10))));
        return token;
    }

    public Optional<Pending> pending(String token) {
        return Optional.ofNullable(pending.get(token)).filter(p -> p.expires().isAfter(clock.instant()));
    }

    /**
     * The user's password login: a signed Response for the context handler, or empty when the
     * name or password is wrong (the form is shown again). The request is used up either way only on success.
     */
    public Optional<ContextHandler.PostForm> login(String token, String username, String password, Assurance loa) {
        Pending p = pending(token).orElseThrow(() -> new SamlException("the login has expired; start again"));
        TestUser user = username == null ? null : users.get(username);
        if (user == null || password == null || !passwords.matches(password, user.passwordHash())) {
            return Optional.empty();
        }
        pending.remove(token);
        Instant now = clock.instant();
        String entityId = entityId();
        Assurance level = loa == null ? p.minimum() : loa;
        List<PrivilegeGroup> roles = new ArrayList<>();
        for (String r : user.jobRoles()) {
            roles.add(new PrivilegeGroup(user.cvr(), r, Map.of()));
        }
        Messages.Subject subject = new Messages.Subject(user.uuid().toString(), level.contextClass(),
                Messages.oiosaml3(level.value(), user.cvr(), user.uuid().toString(), user.email(), user.name(),
                        roles.isEmpty() ? null : PrivilegeProfile.encode(roles)));
        Document doc = Messages.response(entityId, p.acsUrl(), p.requestId(), handler.get().spEntityId(), subject, now, 300);
        Element resp = doc.getDocumentElement();
        SamlXml.sign(SamlXml.child(resp, SamlXml.ASSERTION, "Assertion"), key, certificate);
        SamlXml.sign(resp, key, certificate);
        return Optional.of(ContextHandler.form(p.acsUrl(), "SAMLResponse", SamlXml.serialize(doc), null));
    }
}
