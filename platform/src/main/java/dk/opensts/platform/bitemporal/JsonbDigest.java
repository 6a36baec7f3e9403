package dk.opensts.platform.bitemporal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The SHA-256 of a JSON value's text as PostgreSQL prints it as {@code jsonb}, so that data about to
 * be written can be compared with what is stored by the digest the database computes
 * ({@link #sql(String)}) instead of reading and parsing every stored document. PostgreSQL's form:
 * object keys ordered by their length in bytes and then bytewise, {@code ": "} and {@code ", "}
 * between, strings escaped as its {@code escape_json} does (other control characters as a backslash,
 * {@code u} and four lower-case hex digits), numbers as {@code numeric} prints them (no exponent,
 * the scale kept).
 *
 * <p>Two values with equal digests are equal as stored; a value whose text PostgreSQL would print
 * otherwise than here only reads as changed (written again, never lost). A test holds this against
 * the database over generated values.
 */
public final class JsonbDigest {

    /** SQL for the digest of a {@code jsonb} column, as {@link #of} gives it (a constant, never input). */
    public static String sql(String column) {
        return "encode(sha256(convert_to(" + column + "::text, 'UTF8')), 'hex')";
    }

    private JsonbDigest() {
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    /** The digest, in lower-case hexadecimal. */
    public static String of(JsonNode value) {
        MessageDigest sha = SHA256.get();
        sha.reset();
        return HexFormat.of().formatHex(sha.digest(text(value).getBytes(StandardCharsets.UTF_8)));
    }

    /** The value's text as PostgreSQL prints it as {@code jsonb}. */
    public static String text(JsonNode value) {
        StringBuilder out = new StringBuilder(256);
        write(value, out);
        return out.toString();
    }

    private static void write(JsonNode n, StringBuilder out) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            out.append("null");
        } else if (n.isObject()) {
            List<String> keys = new ArrayList<>(n.propertyNames());
            keys.sort(JsonbDigest::compareKeys);
            out.append('{');
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                string(keys.get(i), out);
                out.append(": ");
                write(n.get(keys.get(i)), out);
            }
            out.append('}');
        } else if (n.isArray()) {
            out.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                write(n.get(i), out);
            }
            out.append(']');
        } else if (n.isString()) {
            string(n.asString(), out);
        } else if (n.isIntegralNumber()) {
            out.append(n.bigIntegerValue());
        } else if (n.isNumber()) {
            out.append(n.decimalValue().toPlainString());
        } else if (n.isBoolean()) {
            out.append(n.booleanValue());
        } else {
            // binary or POJO nodes are never stored as such: written as text they would not compare
            throw new IllegalArgumentException("no jsonb form for a " + n.getNodeType() + " node");
        }
    }

    /** jsonb's key order: shorter (in UTF-8 bytes) first, then bytewise. */
    private static int compareKeys(String a, String b) {
        if (ascii(a) && ascii(b)) {
            // one byte a character: the same order without encoding
            return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        }
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        if (x.length != y.length) {
            return Integer.compare(x.length, y.length);
        }
        return java.util.Arrays.compareUnsigned(x, y);
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
