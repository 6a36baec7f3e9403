package dk.opensts.messaging.amqp;

import com.rabbitmq.client.AMQP;
import dk.opensts.access.api.ItSystems;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.ClientCertificates;
import dk.opensts.platform.security.CurrentActor;
import dk.opensts.platform.security.Pem;
import dk.opensts.platform.security.ServiceTokens;
import dk.opensts.platform.security.Services;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Who published each message of an arrival batch on the ingress queue: the system its token
 * ({@code authorization: Bearer ...} header) names, for the messaging service and a municipality.
 *
 * <p>Unless the certificate user is {@code NONE} (setting {@code opensts.messaging.amqp.certificate-user}),
 * also the proof the token is the publisher's own: a consumer does not see a publisher's TLS
 * certificate, but the broker does. It authenticates each connection by its client certificate
 * (RabbitMQ's {@code EXTERNAL} mechanism, the user named by {@code ssl_cert_login_from}) and refuses
 * a message whose {@code user_id} is not the connection's user. So a message must carry
 * {@code user_id}, and it must be the common name, or the distinguished name, of the registered,
 * unrevoked certificate of an active system that its token is bound to ({@code cnf.x5t#S256}), as
 * a REST call over mutual TLS must present that certificate. A token taken from its system is then
 * of no use on another system's broker connection. The certificates of a batch are looked up in one query.
 *
 * <p>Each refusal is an {@link ApiException} {@code UNAUTHENTICATED} for the publisher's answer,
 * and, for a token that was sent, a {@code TOKEN_REJECTED} entry for the security log.
 */
final class AmqpSenders {

    private final JwtDecoder tokens;
    private final AmqpTransport.CertificateUser user;
    private final ItSystems certificates;
    private final Clock clock;
    private final String exchange;

    AmqpSenders(JwtDecoder tokens, AmqpTransport.CertificateUser user, ItSystems certificates, Clock clock,
                String exchange) {
        this.tokens = tokens;
        this.user = user;
        this.certificates = certificates;
        this.clock = clock;
        this.exchange = exchange;
    }

    /**
     * For each message's properties, its publisher ({@link Actor}) or the refusal
     * ({@link ApiException}), in order; the refusals' security-log entries are added to {@code refusals}
     * and their positions to {@code refused}.
     */
    Object[] identify(List<AMQP.BasicProperties> messages, List<SecurityLog.NewEntry> refusals, List<Integer> refused) {
        Object[] out = new Object[messages.size()];
        Jwt[] jwts = new Jwt[messages.size()];
        for (int i = 0; i < messages.size(); i++) {
            try {
                jwts[i] = token(messages.get(i));
                out[i] = CurrentActor.of(jwts[i]);
            } catch (Refusal r) {
                out[i] = refuse(r, i, refusals, refused);
            }
        }
        if (user == AmqpTransport.CertificateUser.NONE) {
            return out;
        }
        Set<String> thumbprints = new LinkedHashSet<>();
        for (Jwt jwt : jwts) {
            String bound = jwt == null ? null : ClientCertificates.boundThumbprint(jwt);
            if (bound != null) {
                thumbprints.add(bound);
            }
        }
        Map<String, ItSystems.BoundCertificate> bound = thumbprints.isEmpty() ? Map.of()
                : certificates.byThumbprint(thumbprints);
        Instant now = clock.instant();
        // each certificate's name worked out once a batch, not once a message
        Map<String, String> names = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            if (jwts[i] == null) {
                continue;
            }
            try {
                checkCertificateUser(jwts[i], messages.get(i).getUserId(), bound, names, now);
            } catch (Refusal r) {
                out[i] = refuse(r, i, refusals, refused);
            }
        }
        return out;
    }

    /** The message's verified token for the messaging service and a municipality. */
    private Jwt token(AMQP.BasicProperties p) {
        Object header = p.getHeaders() == null ? null : p.getHeaders().get(AmqpTransport.AUTHORIZATION);
        // a text (AMQP's long string), or the same as bytes, as some clients send a text they were given as bytes
        String value = header instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
                : header == null ? null : header.toString();
        if (value == null || !value.startsWith("Bearer ")) {
            throw new Refusal(null, null, "Send the system token in header 'authorization: Bearer ...'", null);
        }
        Jwt jwt;
        try {
            jwt = tokens.decode(value.substring(7).trim());
        } catch (JwtException e) {
            throw new Refusal(null, "the token is not valid: " + e.getMessage(), "The token is not valid", null);
        }
        ServiceTokens.Mismatch mismatch = ServiceTokens.mismatch(jwt, Services.MESSAGING);
        if (mismatch != null) {
            throw new Refusal(jwt, mismatch.reason(), mismatch.claim() == ServiceTokens.Claim.AUDIENCE
                    ? "The token is not for the message distributor" : "The token names no municipality", null);
        }
        return jwt;
    }

    private void checkCertificateUser(Jwt jwt, String userId, Map<String, ItSystems.BoundCertificate> bound,
                                      Map<String, String> names, Instant now) {
        String thumbprint = ClientCertificates.boundThumbprint(jwt);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("userId", userId);
        details.put("thumbprint", thumbprint);
        if (thumbprint == null) {
            throw new Refusal(jwt, "the token is not bound to a certificate", "The token is not bound to a certificate",
                    details);
        }
        ItSystems.BoundCertificate b = bound.get(thumbprint);
        if (b == null || !b.certificate().system().toString().equals(jwt.getSubject())) {
            throw new Refusal(jwt, "the token's certificate is not registered to its system",
                    "The token's certificate is not registered to its system", details);
        }
        if (b.certificate().revoked()) {
            throw new Refusal(jwt, "the token's certificate was revoked at " + b.certificate().revokedAt(),
                    "The token's certificate is revoked", details);
        }
        if (!b.systemActive()) {
            throw new Refusal(jwt, "the token's IT system is not active", "The token's IT system is not active", details);
        }
        if (b.certificate().notAfter().isBefore(now)) {
            throw new Refusal(jwt, "the token's certificate expired at " + b.certificate().notAfter(),
                    "The token's certificate has expired", details);
        }
        boolean byName = user == AmqpTransport.CertificateUser.COMMON_NAME;
        String name = names.computeIfAbsent(thumbprint, t -> byName
                ? ClientCertificates.commonName(b.certificate().subject())
                : ClientCertificates.distinguishedName(subject(b.certificate())));
        String what = byName ? "common name" : "distinguished name";
        details.put(byName ? "commonName" : "distinguishedName", name);
        if (userId == null || userId.isEmpty()) {
            throw new Refusal(jwt, "the message has no user_id",
                    "Publish with property user_id: the broker user of the certificate the token is bound to", details);
        }
        if (byName ? !userId.equals(name) : !ClientCertificates.sameName(userId, name)) {
            throw new Refusal(jwt, "the message's broker user is not the " + what + " of the token's certificate",
                    "The broker user (user_id) is not the " + what + " of the certificate the token is bound to",
                    details);
        }
    }

    private static X500Principal subject(ItSystems.SystemCertificate certificate) {
        try {
            return Pem.certificates(certificate.pem()).get(0).getSubjectX500Principal();
        } catch (CertificateException e) {
            throw new IllegalStateException("registered certificate " + certificate.thumbprint() + " is not PEM", e);
        }
    }

    private ApiException refuse(Refusal r, int position, List<SecurityLog.NewEntry> refusals, List<Integer> refused) {
        if (r.reason != null) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("channel", "AMQP");
            details.put("exchange", exchange);
            if (r.jwt != null) {
                details.put("jti", r.jwt.getId());
            }
            if (r.details != null) {
                details.putAll(r.details);
            }
            refusals.add(SecurityLog.NewEntry.denied(SecurityEventType.TOKEN_REJECTED, r.jwt == null
                    ? new SecurityLog.Subject(null, null, null)
                    : new SecurityLog.Subject(r.jwt.getSubject(), r.jwt.getSubject(), r.jwt.getClaimAsString("cvr")),
                    r.reason, details));
            refused.add(position);
        }
        return new ApiException(ErrorCode.UNAUTHENTICATED, r.getMessage());
    }

    /** Why a message is refused: the answer's detail, and the security log's reason (none: not logged). */
    private static final class Refusal extends RuntimeException {
        final transient Jwt jwt;
        final String reason;
        final transient Map<String, Object> details;

        Refusal(Jwt jwt, String reason, String answer, Map<String, Object> details) {
            super(answer, null, false, false);
            this.jwt = jwt;
            this.reason = reason;
            this.details = details;
        }
    }
}
