package dk.opensts.platform.index;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.CurrentActor;
import dk.opensts.platform.security.DataScope;
import dk.opensts.platform.security.Services;
import dk.opensts.platform.web.ETags;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the publishing endpoints of every index do, so that each index's controller only names its
 * paths: one publication (PUT, PATCH, DELETE) or a batch, by a token with the {@code publish} role,
 * through the index's {@link IndexWriter}.
 */
public final class IndexEndpoints {

    private IndexEndpoints() {
    }

    public static ResponseEntity<BatchItem.Result> publish(IndexWriter writer, Publication.Op op, String type,
                                                           String localId, ObjectNode body, Integer version) {
        Actor actor = CurrentActor.require(Services.PUBLISH);
        if (op != Publication.Op.REMOVE && body == null) {
            throw new ApiException(ErrorCode.MALFORMED_BODY, "The body must be the record as a JSON object");
        }
        if (op == Publication.Op.REMOVE && version == null) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "version", "a removal names the version it removes");
        }
        BatchItem.Result r = writer.single(actor, new BatchItem(1, op, type, localId, version, body));
        return ResponseEntity.status(r.status()).eTag(ETags.of(r.version())).body(r);
    }

    public static BatchItem.Answer batch(IndexWriter writer, HttpServletRequest request) {
        Actor actor = CurrentActor.require(Services.PUBLISH);
        List<String> lines;
        try {
            lines = JsonLinesBatch.read(request.getInputStream(), request.getContentLengthLong(),
                    request.getHeader(JsonLinesBatch.CONTENT_DIGEST), request.getHeader(JsonLinesBatch.ITEM_COUNT));
        } catch (IOException e) {
            throw new ApiException(ErrorCode.BATCH_INTEGRITY, "The body could not be read: " + e.getMessage());
        }
        return writer.batch(actor, lines);
    }

    /** The search scope of the calling token: its {@code search} privileges, and protected data if granted. */
    public static DataScope searchScope(Actor actor) {
        return DataScope.of(actor, List.of(Services.SEARCH), Services.PROTECTED_DATA);
    }
}
