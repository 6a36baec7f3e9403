package dk.opensts.access.token;

import java.security.cert.X509Certificate;
import java.time.Instant;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;

/** What both kinds of token share: a client authenticated by its certificate, and an RS256 JWT bound to it. */
final class BoundTokens {

    private BoundTokens() {
    }

    /** The client of a token request and the certificate chain it presented over mutual TLS. */
    record CertificateClient(OAuth2ClientAuthenticationToken client, X509Certificate[] chain) {
    }

    static CertificateClient certificateClient(Object principal) {
        if (!(principal instanceof OAuth2ClientAuthenticationToken client) || !client.isAuthenticated()
                || !(client.getCredentials() instanceof X509Certificate[] chain)) {
            throw TokenRequests.error(OAuth2ErrorCodes.INVALID_CLIENT,
                    "authenticate with a registered client certificate over mutual TLS");
        }
        return new CertificateClient(client, chain);
    }

    /** Signs the claims (RS256) and answers the token request with them. */
    static OAuth2AccessTokenAuthenticationToken issue(JwtEncoder encoder, JwtClaimsSet claims, CertificateClient client,
                                                      Instant now, Instant expires) {
        Jwt jwt = encoder.encode(JwtEncoderParameters.from(JwsHeader.with(SignatureAlgorithm.RS256).build(), claims));
        OAuth2AccessToken token = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, jwt.getTokenValue(), now, expires);
        return new OAuth2AccessTokenAuthenticationToken(client.client().getRegisteredClient(), client.client(), token);
    }
}
