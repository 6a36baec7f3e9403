package dk.opensts.platform.index;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.FieldProblem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A batch of up to {@link #MAX_ITEMS} items sent as JSON lines (one JSON object per line), with its
 * integrity checked before anything in it is looked at: the {@code Content-Digest} header (RFC 9530,
 * {@code sha-256=:<base64>:}) must match the body exactly, and the {@code Item-Count} header the
 * number of lines. A digest or count mismatch, or a body cut short in transfer, rejects the whole
 * batch ({@link ErrorCode#BATCH_INTEGRITY}); nothing in it is written.
 */
public final class JsonLinesBatch {

    public static final int MAX_ITEMS = 1000;
    /** Bodies above this size are refused before they are read to the end. */
    public static final int MAX_BYTES = 32 * 1024 * 1024;
    public static final String ITEM_COUNT = "Item-Count";
    public static final String CONTENT_DIGEST = "Content-Digest";
    public static final String MEDIA_TYPE = "application/jsonl";
    public static final String NDJSON = "application/x-ndjson";

    private JsonLinesBatch() {
    }

    /** The lines of a verified batch body (blank lines, such as a final newline, are not items). */
    public static List<String> read(InputStream body, long declaredLength, String contentDigest, String itemCount) {
        byte[] expectedDigest = digest(contentDigest);
        int count = count(itemCount);
        if (declaredLength > MAX_BYTES) {
            throw new ApiException(ErrorCode.TOO_LARGE, "A batch body may be at most " + MAX_BYTES + " bytes");
        }
        byte[] bytes;
        try {
            bytes = body.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw integrity(CONTENT_DIGEST, "The body could not be read to its end (" + e.getMessage() + "); nothing was written");
        }
        if (bytes.length > MAX_BYTES) {
            throw new ApiException(ErrorCode.TOO_LARGE, "A batch body may be at most " + MAX_BYTES + " bytes");
        }
        if (declaredLength >= 0 && bytes.length != declaredLength) {
            throw integrity(CONTENT_DIGEST, "The body is " + bytes.length + " bytes, Content-Length said " + declaredLength
                    + "; nothing was written");
        }
        if (!MessageDigest.isEqual(expectedDigest, sha256(bytes))) {
            throw integrity(CONTENT_DIGEST, "Content-Digest does not match the body (changed or cut in transfer); nothing was written");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(ErrorCode.MALFORMED_BODY, "The body is not UTF-8");
        }
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        if (lines.size() != count) {
            throw integrity(ITEM_COUNT, "Item-Count says " + count + " but the body holds " + lines.size()
                    + " items; nothing was written");
        }
        return lines;
    }

    /** {@code sha-256=:<base64>:} for a body: what a sender puts in {@code Content-Digest}. */
    public static String contentDigest(byte[] body) {
        return "sha-256=:" + Base64.getEncoder().encodeToString(sha256(body)) + ":";
    }

    private static byte[] digest(String header) {
        if (header == null || header.isBlank()) {
            throw ApiException.field(ErrorCode.BATCH_INTEGRITY, CONTENT_DIGEST,
                    "required: sha-256=:<base64 of the SHA-256 of the body>:");
        }
        for (String member : header.split(",")) {
            String m = member.trim();
            int eq = m.indexOf('=');
            if (eq > 0 && m.substring(0, eq).trim().equalsIgnoreCase("sha-256")) {
                String value = m.substring(eq + 1).trim();
                if (value.length() > 2 && value.startsWith(":") && value.endsWith(":")) {
                    try {
                        byte[] d = Base64.getDecoder().decode(value.substring(1, value.length() - 1));
                        if (d.length == 32) {
                            return d;
                        }
                    } catch (IllegalArgumentException e) {
                        // reported below
                    }
                }
                break;
            }
        }
        throw ApiException.field(ErrorCode.BATCH_INTEGRITY, CONTENT_DIGEST,
                "not a sha-256 digest in the form sha-256=:<base64>:");
    }

    private static int count(String header) {
        int n;
        try {
            n = Integer.parseInt(header == null ? "" : header.trim());
        } catch (NumberFormatException e) {
            throw ApiException.field(ErrorCode.BATCH_INTEGRITY, ITEM_COUNT, "required: the number of items in the body");
        }
        if (n < 1 || n > MAX_ITEMS) {
            throw ApiException.field(ErrorCode.BATCH_INTEGRITY, ITEM_COUNT, "must be 1 to " + MAX_ITEMS);
        }
        return n;
    }

    private static ApiException integrity(String field, String detail) {
        return new ApiException(ErrorCode.BATCH_INTEGRITY, detail, List.of(new FieldProblem(field, detail)));
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
