package dk.opensts.access.token;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;

/**
 * How every API verifies a token: signature by a published key (RS256 only, so {@code alg: none}
 * and other algorithms fail), issuer, expiry and not-before (60 s clock skew); see
 * {@link Rs256Tokens} for every rule. The certificate binding, audience and municipality are
 * checked by the platform's token filter after this.
 *
 * <p>A system presents the same token for its whole life (minutes), so a token verified once is
 * remembered by its exact text until it expires: a repeat presentation skips the RSA check but
 * still has its time window checked, and every remembered token is dropped when the set of
 * published keys changes (a retired key's tokens are refused again).
 */
public final class TokenVerification {

    private TokenVerification() {
    }

    /**
     * The full check, every time (what a first presentation costs).
     *
     * @param keySet the current set of published keys, a new object whenever it changes
     */
    public static JwtDecoder decoder(JWKSource<SecurityContext> keys, Supplier<Object> keySet, String issuer, Clock clock) {
        return new Rs256Tokens(keys, keySet, issuer, clock);
    }

    /**
     * The full check on a token's first presentation, remembered for its repeats.
     *
     * @param keyGeneration changes whenever the set of published keys changes
     */
    public static JwtDecoder remembering(JwtDecoder full, Supplier<Object> keyGeneration, Clock clock, int capacity) {
        return new Remembering(full, keyGeneration, clock, capacity);
    }

    private static final class Remembering implements JwtDecoder {
        private record Verified(Jwt jwt, Object generation) {
        }

        private final JwtDecoder full;
        private final Supplier<Object> keyGeneration;
        private final Clock clock;
        private final int capacity;
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
                try {
                    Rs256Tokens.checkWindow(known.jwt().getExpiresAt(), known.jwt().getNotBefore(), clock.instant());
                } catch (JwtValidationException e) {
                    verified.remove(token);
                    throw e;
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
