package dk.opensts.access.saml;

import dk.opensts.saml.SamlXml;
import dk.opensts.saml.Messages;
import dk.opensts.saml.SamlException;
import dk.opensts.saml.PrivilegeProfile;

import dk.opensts.access.roles.Assurance;
import dk.opensts.saml.PrivilegeGroup;
import dk.opensts.access.roles.UserSystems;
import dk.opensts.access.roles.UserSystems.UserSystem;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.w3c.dom.Element;

/**
 * Checks an assertion the context handler issued, presented by a user-facing system's back end to
 * the token service (the SAML 2.0 bearer grant, RFC 7522) to call OpenSTS APIs on the user's behalf:
 * signed by the context handler, valid now, and issued to a user-facing system whose back end is the
 * IT system presenting it. What it says about the user is read from the verified element only.
 */
public class AssertionExchange {

    /** The user an assertion vouches for, and the system it was issued to. */
    public record User(UUID id, String cvr, String name, Assurance assurance, UserSystem system,
                       List<PrivilegeGroup> groups, Instant notOnOrAfter) {

        /**
         * Her privileges in a service (a token's {@code priv}): for each of her privilege groups, the service
         * roles its system role carries there, kept only where the IT system's own agreement grants the
         * role ({@code allowed}), each with the group's constraint values; the same role and constraints once.
         */
        public List<Map<String, Object>> privileges(String service, java.util.Set<String> allowed) {
            List<Map<String, Object>> priv = new ArrayList<>();
            for (PrivilegeGroup g : groups) {
                UserSystems.SystemRole role = system.role(g.privilege()).orElse(null);
                if (role == null) {
                    continue;
                }
                for (UserSystems.ServiceRole sr : role.serviceRoles()) {
                    if (sr.service().equals(service) && allowed.contains(sr.role())) {
                        Map<String, Object> p = new java.util.LinkedHashMap<>();
                        p.put("role", sr.role());
                        p.put("constraints", g.constraints());
                        if (!priv.contains(p)) {
                            priv.add(p);
                        }
                    }
                }
            }
            return priv;
        }
    }

    private final java.util.function.Supplier<ContextHandler.Settings> settings;
    private final UserSystems systems;
    private final Clock clock;

    public AssertionExchange(java.util.function.Supplier<ContextHandler.Settings> settings, UserSystems systems, Clock clock) {
        this.settings = settings;
        this.systems = systems;
        this.clock = clock;
    }

    /**
     * @param encoded the assertion, base64url (RFC 7522) or base64
     * @param client  the IT system presenting it (authenticated by its certificate)
     */
    public User verify(String encoded, UUID client) {
        byte[] xml;
        try {
            xml = encoded.contains("+") || encoded.contains("/") ? Base64.getMimeDecoder().decode(encoded)
                    : Base64.getUrlDecoder().decode(encoded.strip().replace("=", ""));
        } catch (IllegalArgumentException e) {
            throw new SamlException("the assertion is not base64url");
        }
        return verify(xml, client);
    }

    /** As {@link #verify(String, UUID)}, for the assertion's XML. */
    public User verify(byte[] xml, UUID client) {
        Element a = SamlXml.parse(xml).getDocumentElement();
        if (!SamlXml.ASSERTION.equals(a.getNamespaceURI()) || !"Assertion".equals(a.getLocalName())) {
            throw new SamlException("not a SAML 2.0 Assertion");
        }
        ContextHandler.Settings s = settings.get();
        Instant now = clock.instant();
        SamlXml.verify(a, List.of(s.certificate()), now);
        if (!s.idpEntityId().equals(SamlXml.text(a, SamlXml.ASSERTION, "Issuer"))) {
            throw new SamlException("the assertion is not issued by this context handler");
        }
        Element conditions = SamlXml.child(a, SamlXml.ASSERTION, "Conditions");
        if (conditions == null) {
            throw new SamlException("the assertion has no conditions");
        }
        Instant notOnOrAfter = Instant.parse(conditions.getAttribute("NotOnOrAfter"));
        if (!now.isBefore(notOnOrAfter.plus(s.clockSkew()))) {
            throw new SamlException("the assertion has expired");
        }
        String notBefore = conditions.getAttribute("NotBefore");
        if (!notBefore.isEmpty() && Instant.parse(notBefore).isAfter(now.plus(s.clockSkew()))) {
            throw new SamlException("the assertion is not valid yet");
        }
        Element restriction = SamlXml.child(conditions, SamlXml.ASSERTION, "AudienceRestriction");
        String audience = restriction == null ? null : SamlXml.text(restriction, SamlXml.ASSERTION, "Audience");
        Optional<UserSystem> system = audience == null ? Optional.empty() : systems.find(audience);
        if (system.isEmpty() || !client.equals(system.get().itSystem())) {
            throw new SamlException("the assertion was issued to " + audience
                    + ", a user-facing system this IT system is not the back end of");
        }
        Map<String, List<String>> attrs = Messages.attributes(a);
        String cvr = Messages.first(attrs, Messages.CVR);
        String uuid = Messages.first(attrs, Messages.PERSISTENT_UUID);
        if (cvr == null || uuid == null) {
            throw new SamlException("the assertion names no user and municipality");
        }
        List<PrivilegeGroup> groups = new ArrayList<>();
        String bpp = Messages.first(attrs, Messages.PRIVILEGES);
        if (bpp != null) {
            for (PrivilegeGroup g : PrivilegeProfile.decode(bpp)) {
                if (cvr.equals(g.cvr())) {
                    groups.add(g);
                }
            }
        }
        return new User(Messages.uuid(uuid), cvr, Messages.first(attrs, Messages.FULL_NAME),
                Assurance.parse(Messages.first(attrs, Messages.LOA)).orElse(Assurance.LOW), system.get(), groups,
                notOnOrAfter);
    }
}
