package dk.opensts.platform.idempotency;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@code Idempotency-Key} handling: the first request with a key is carried out and its answer
 * kept, in the same transaction as its write; a retry with the same key and the same request gets
 * the kept answer and writes nothing; the same key with another request is refused.
 * A concurrent retry waits on the key's row until the first one commits. Creates may instead (or
 * as well) name the source system's own id for the object, see {@link #claimLocalId}.
 */
public class Idempotency {

    public record StoredResponse(int status, String location, String body) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;

    public Idempotency(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Claims the key, or returns the kept answer of the earlier request that claimed it. */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<StoredResponse> claim(String actor, String key, String requestBody) {
        validate(key);
        String hash = sha256(requestBody);
        int inserted = jdbc.sql("INSERT INTO platform.idempotency_key (actor, key, request_hash, created_at)"
                        + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(actor, key, hash, java.sql.Timestamp.from(clock.instant())).update();
        if (inserted == 1) {
            return Optional.empty();
        }
        var row = jdbc.sql("SELECT request_hash, status, location, response FROM platform.idempotency_key"
                        + " WHERE actor = ? AND key = ?")
                .params(actor, key)
                .query((rs, n) -> new Object[] {rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4)})
                .single();
        if (!hash.equals(row[0])) {
            throw new ApiException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "Idempotency-Key " + key + " was used before for a different request");
        }
        return Optional.of(new StoredResponse((Integer) row[1], (String) row[2], (String) row[3]));
    }

    /** A local id: 1 to 200 printable characters. */
    public static void validateLocalId(String localId) {
        if (localId.isEmpty() || localId.length() > 200 || !localId.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "Local-Id", "1 to 200 printable characters");
        }
    }

    /**
     * Source system + local id: a system's own id for an object it creates ({@code Local-Id} on
     * create). Claims {@code localId} of {@code system} for {@code objectId} in the writing
     * transaction; empty when claimed now, otherwise the object the local id already belongs to.
     * A concurrent second claim waits for the first to commit and then finds its object; if the
     * first rolls back, the second claims.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<UUID> claimLocalId(String system, String registry, String type, String localId, UUID objectId) {
        validateLocalId(localId);
        int inserted = jdbc.sql("INSERT INTO platform.source_key (system, registry, type, local_id, object_id, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(system, registry, type, localId, objectId, java.sql.Timestamp.from(clock.instant())).update();
        if (inserted == 1) {
            return Optional.empty();
        }
        return Optional.of(jdbc.sql("SELECT object_id FROM platform.source_key"
                        + " WHERE system = ? AND registry = ? AND type = ? AND local_id = ?")
                .params(system, registry, type, localId).query(UUID.class).single());
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void complete(String actor, String key, StoredResponse response) {
        jdbc.sql("UPDATE platform.idempotency_key SET status = ?, location = ?, response = ? WHERE actor = ? AND key = ?")
                .params(response.status(), response.location(), response.body(), actor, key).update();
    }

    private static void validate(String key) {
        if (key.isBlank() || key.length() > 200) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "Idempotency-Key", "must be 1 to 200 characters");
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
