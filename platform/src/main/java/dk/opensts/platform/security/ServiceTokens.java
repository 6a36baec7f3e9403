package dk.opensts.platform.security;

import dk.opensts.platform.index.Identifiers;
import java.util.List;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * What a verified system token (signature, issuer and expiry already checked) must name to act on a
 * service, however it arrives: the service in its audience ({@code aud}) and the municipality it
 * acts for ({@code cvr}). One rule for every way in: REST requests ({@link TokenContextFilter}) and
 * messages published over AMQP.
 */
public final class ServiceTokens {

    /** Why a token may not act on a service: which claim is wrong, and the reason for the security log. */
    public record Mismatch(Claim claim, String reason) {
    }

    /** The claim a {@link Mismatch} is about. */
    public enum Claim { AUDIENCE, MUNICIPALITY }

    private ServiceTokens() {
    }

    /** {@code null} when the token is for {@code service} and names a municipality, else why not. */
    public static Mismatch mismatch(Jwt jwt, String service) {
        List<String> aud = jwt.getAudience();
        if (aud == null || !aud.contains(service)) {
            return new Mismatch(Claim.AUDIENCE, "the token is for "
                    + (aud == null || aud.isEmpty() ? "no service" : String.join(", ", aud)) + ", not for " + service);
        }
        if (!Identifiers.isCvr(jwt.getClaimAsString("cvr"))) {
            return new Mismatch(Claim.MUNICIPALITY, "the token names no municipality (cvr)");
        }
        return null;
    }
}
