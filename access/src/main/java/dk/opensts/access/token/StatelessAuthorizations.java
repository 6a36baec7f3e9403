package dk.opensts.access.token;

import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;

/**
 * Client-credentials tokens are self-contained signed JWTs verified by signature, issuer and
 * expiry; nothing about them needs keeping on the server (the default in-memory service would
 * grow with every token). Revocation of a system is done by deactivating it or its credentials.
 */
public class StatelessAuthorizations implements OAuth2AuthorizationService {

    @Override
    public void save(OAuth2Authorization authorization) {
        // nothing to keep
    }

    @Override
    public void remove(OAuth2Authorization authorization) {
        // nothing kept
    }

    @Override
    public OAuth2Authorization findById(String id) {
        return null;
    }

    @Override
    public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
        return null;
    }
}
