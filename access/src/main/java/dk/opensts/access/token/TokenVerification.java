package dk.opensts.access.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * How every API verifies a token: signature by a published key (RS256 only, so {@code alg: none}
 * and other algorithms fail), issuer, expiry and not-before (60 s clock skew). The certificate
 * binding, audience and municipality are checked by the platform's token filter after this.
 *
 * <p>Two things keep it fast. The public key of each key id is converted to a Java key once (not
 * per token). And a system presents the same token for its whole life (minutes), so a token
 * verified once is remembered by its exact text until it expires: a repeat presentation skips the
 * RSA check but still has its time window checked, and every remembered token is dropped when the
 * set of published keys changes (a retired key's tokens are refused again).
 */
public final class TokenVerification {

    private TokenVerification() {
    }

    /** The full check, every time (what a first presentation costs). */
    public static JwtDecoder decoder(JWKSource<SecurityContext> keys, String issuer) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSource(keys)
                .jwsAlgorithm(SignatureAlgorithm.RS256)
                .jwtProcessorCustomizer(p -> p.setJWSKeySelector(new ConvertedKeys(keys)))
                .build();
        decoder.setJwtValidator(validator(issuer));
        return decoder;
    }

    static OAuth2TokenValidator<Jwt> validator(String issuer) {
        return new DelegatingOAuth2TokenValidator<>(new JwtTimestampValidator(), new JwtIssuerValidator(issuer));
    }

    /**
     * The full check on a token's first presentation, remembered for its repeats.
     *
     * @param keyGeneration changes whenever the set of published keys changes
     */
    public static JwtDecoder remembering(JwtDecoder full, Supplier<Object> keyGeneration, Clock clock, int capacity) {
        return new Remembering(full, keyGeneration, clock, capacity);
    }

    /** RS256 keys by key id, converted once per published key. */
    static final class ConvertedKeys implements JWSKeySelector<SecurityContext> {
        private final JWKSource<SecurityContext> source;
        private final Map<String, Map.Entry<JWK, Key>> converted = new ConcurrentHashMap<>();

        ConvertedKeys(JWKSource<SecurityContext> source) {
            this.source = source;
        }

        @Override
        public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
            if (!JWSAlgorithm.RS256.equals(header.getAlgorithm()) || header.getKeyID() == null) {
                return List.of();
            }
            List<JWK> found = source.get(new JWKSelector(new JWKMatcher.Builder().keyID(header.getKeyID()).build()), context);
            if (found.isEmpty() || !(found.get(0) instanceof RSAKey rsa)) {
                return List.of();
            }
            Map.Entry<JWK, Key> known = converted.get(header.getKeyID());
            if (known == null || known.getKey() != rsa) {
                try {
                    known = Map.entry(rsa, rsa.toRSAPublicKey());
                } catch (com.nimbusds.jose.JOSEException e) {
                    throw new KeySourceException("unreadable key " + header.getKeyID(), e);
                }
                converted.put(header.getKeyID(), known);
            }
            return List.of(known.getValue());
        }
    }

    private static final class Remembering implements JwtDecoder {
        private record Verified(Jwt jwt, Object generation) {
        }

        private final JwtDecoder full;
        private final Supplier<Object> keyGeneration;
        private final Clock clock;
        private final int capacity;
        private final OAuth2TokenValidator<Jwt> window = new JwtTimestampValidator(Duration.ofSeconds(60));
        private final Map<String, Verified> verified = new ConcurrentHashMap<>();

        Remembering(JwtDecoder full, Supplier<Object> keyGeneration, Clock clock, int capacity) {
            this.full = full;
            this.keyGeneration = keyGeneration;
            this.clock = clock;
            this.capacity = capacity;
        }

        @Override
        public Jwt decode(String token) {
            Object generation = keyGeneration.get();
            Verified known = verified.get(token);
            if (known != null && known.generation() == generation) {
                var result = window.validate(known.jwt());
                if (result.hasErrors()) {
                    verified.remove(token);
                    throw new JwtValidationException(result.getErrors().iterator().next().getDescription(),
                            result.getErrors());
                }
                return known.jwt();
            }
            Jwt jwt = full.decode(token);
            if (jwt.getExpiresAt() == null) {
                throw new BadJwtException("the token has no expiry");
            }
            if (verified.size() >= capacity) {
                Instant now = clock.instant();
                verified.values().removeIf(v -> v.jwt().getExpiresAt().isBefore(now) || v.generation() != generation);
                if (verified.size() >= capacity) {
                    verified.clear();
                }
            }
            verified.put(token, new Verified(jwt, generation));
            return jwt;
        }
    }
}
