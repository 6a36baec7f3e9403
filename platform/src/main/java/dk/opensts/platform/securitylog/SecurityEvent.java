package dk.opensts.platform.securitylog;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One security log entry.
 *
 * @param seq           position in the chain, from 1
 * @param outcome       {@code DENIED} for refusals and rejections, {@code OK} for changes and checks
 * @param actor         who acted (a system id, a user, or {@code anonymous})
 * @param system        the IT system involved, when known
 * @param municipality  the CVR the actor acted for, when known
 * @param details       what happened, without secrets (never a token or key)
 * @param hash          HMAC-SHA256 over the previous entry's hash and this entry's fields
 */
public record SecurityEvent(long seq, UUID id, Instant at, SecurityEventType type, String outcome, String actor,
                            String system, String municipality, String ip, String correlationId,
                            Map<String, Object> details, String prevHash, String hash) {

    public static final String OK = "OK";
    public static final String DENIED = "DENIED";
}
