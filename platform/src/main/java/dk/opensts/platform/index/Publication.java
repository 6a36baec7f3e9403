package dk.opensts.platform.index;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.UUID;

/**
 * How an index decides a publication against what it holds. A record is keyed by its owning IT
 * system and that system's local id, and carries the publisher's own version number, which only
 * grows: the same version with the same content again is a harmless retry (nothing written, same
 * answer), an older version, or the same version with other content, is refused as stale (409). A
 * removal leaves a tombstone with its version, so a late, older import cannot bring the record back.
 */
public final class Publication {

    /** What a publisher asks. */
    public enum Op {
        /** Create, or replace the whole record. */
        IMPORT,
        /** Change some fields of an existing record (JSON merge patch). */
        UPDATE,
        /** Take the record out of the index. */
        REMOVE
    }

    /** What was done. */
    public enum Outcome { CREATED, REPLACED, UNCHANGED, REMOVED }

    /** What the index holds for a key. */
    public record Stored(UUID id, int version, byte[] hash, boolean removed) {
    }

    private Publication() {
    }

    /**
     * The outcome of {@code op} with the publisher's {@code version} and the record's {@code hash}
     * against {@code stored} ({@code null} when the key is new). Refusals name the field {@code /version}.
     */
    public static Outcome decide(Op op, Stored stored, int version, byte[] hash, String what, String localId) {
        if (version < 0) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/version", "must be 0 or more");
        }
        if (op == Op.REMOVE) {
            if (stored == null) {
                throw ApiException.notFound(what, localId);
            }
            if (stored.removed()) {
                if (version == stored.version()) {
                    return Outcome.UNCHANGED;
                }
                if (version < stored.version()) {
                    throw stale(what, localId, version, stored.version());
                }
                return Outcome.REMOVED;
            }
            if (version < stored.version()) {
                throw stale(what, localId, version, stored.version());
            }
            return Outcome.REMOVED;
        }
        if (op == Op.UPDATE && (stored == null || stored.removed())) {
            throw ApiException.notFound(what, localId);
        }
        if (stored == null) {
            return Outcome.CREATED;
        }
        if (version == stored.version() && !stored.removed() && Arrays.equals(hash, stored.hash())) {
            return Outcome.UNCHANGED;
        }
        if (version <= stored.version()) {
            throw stale(what, localId, version, stored.version());
        }
        return stored.removed() ? Outcome.CREATED : Outcome.REPLACED;
    }

    private static ApiException stale(String what, String localId, int version, int stored) {
        String reason = version == stored
                ? "version " + version + " of " + what + " " + localId + " was already published with other content"
                : "version " + version + " is older than the published version " + stored;
        return new ApiException(ErrorCode.STALE_VERSION, reason,
                java.util.List.of(new dk.opensts.platform.error.FieldProblem("/version", reason)),
                java.util.Map.of("currentVersion", stored));
    }

    /** SHA-256 of a record's canonical JSON: what tells a retry from a change. */
    public static byte[] hash(String canonicalJson) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(canonicalJson.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
