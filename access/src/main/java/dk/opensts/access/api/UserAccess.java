package dk.opensts.access.api;

import dk.opensts.platform.security.Actor;
import dk.opensts.saml.ServiceProvider;

/**
 * For OpenSTS's own user-facing systems (the overview): the context handler as their IdP, and what a
 * user they logged in may do in an OpenSTS service, by the rule of the SAML bearer grant (see
 * docs/context-handler.md, "Users in the APIs"), without a round trip through the token endpoint.
 */
public interface UserAccess {

    /** The base URL OpenSTS's browser pages (the SAML endpoints, the overview) are reached at. */
    String baseUrl();

    /** The context handler as an IdP: entity id, single sign-on URL and signing certificate. */
    ServiceProvider.IdentityProvider contextHandler();

    /**
     * The user an assertion vouches for, acting in {@code service}: her grants are the service roles her
     * privilege groups carry there that the user-facing system's back end (its IT system) is also granted
     * by its own service agreement for her municipality. The assertion must be signed by the context
     * handler, valid now, and issued to {@code userSystem}.
     *
     * @return the actor; its grants are empty when she holds no role of the service through the system
     * @throws dk.opensts.saml.SamlException when the assertion is refused
     */
    Actor actor(byte[] assertion, String userSystem, String service);
}
