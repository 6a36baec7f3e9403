package dk.opensts.access.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.JsonFactory;

/**
 * The full check of one of OpenSTS's own tokens, in one pass and nothing more: a JWS in compact
 * form, signed RS256 by a published key named by {@code kid}, then issuer, expiry and not-before.
 * It accepts exactly what OpenSTS issues and refuses the rest, so a token is refused when
 * <ul>
 *   <li>it is not three base64url parts (no padding, no whitespace) or is longer than 16 KiB;</li>
 *   <li>its header is not a JSON object, names any algorithm but {@code RS256} (so {@code none}
 *   and HMAC with the public key as secret are refused before any key is touched), has no
 *   {@code kid} or one that is not published, names a {@code typ} other than a JWT's, or carries
 *   {@code crit} (no extension is understood), {@code jku}, {@code jwk}, {@code x5u} or
 *   {@code x5c} (keys come from the published set only);</li>
 *   <li>the signature is not the key's length or does not verify (the JDK's
 *   {@code SHA256withRSA});</li>
 *   <li>its claims are not a JSON object, name a member twice, or have the wrong type for a
 *   registered claim ({@code iss}, {@code sub}, {@code jti} strings; {@code aud} a string or
 *   strings; {@code exp}, {@code nbf}, {@code iat} numbers);</li>
 *   <li>the issuer differs, it has no expiry, it expires before it was issued, it expired or is
 *   not yet valid (60 s clock skew).</li>
 * </ul>
 * The claims are read only after the signature has verified.
 *
 * <p>Why not Nimbus's JWT processor behind Spring's decoder, as before: on one core it spent more
 * time on its own layers (parsing into its own objects, key selection, claim conversion through a
 * conversion service) than the JDK spends on the RSA check; see docs/benchmarks.md. The parts that
 * matter for safety are the JDK's (RSA, SHA-256, base64) and Jackson's (JSON); this class only
 * decides what is allowed. Published keys are converted to Java keys once per key set, and each
 * key keeps verifiers ready ({@link Signature} objects already initialised with it, reused after
 * each check).
 */
final class Rs256Tokens implements JwtDecoder {

    static final int MAX_TOKEN_CHARS = 16 * 1024;
    private static final int SKEW_SECONDS = 60;
    private static final Duration SKEW = Duration.ofSeconds(SKEW_SECONDS);
    private static final int IDLE_VERIFIERS = 64;
    private static final int MAX_DEPTH = 16;
    private static final JsonFactory JSON = new JsonFactory();
    private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();
    private static final List<String> REFUSED_HEADERS = List.of("crit", "jku", "jwk", "x5u", "x5c");
    /** 9999-12-31T23:59:59Z: a time claim beyond it is refused rather than read. */
    private static final long LAST_SECOND = 253_402_300_799L;

    private final JWKSource<SecurityContext> source;
    private final Supplier<Object> keySet;
    private final String issuer;
    private final Clock clock;
    private volatile Keys keys = new Keys(null, Map.of());

    /**
     * @param source the published keys, asked by key id when a token names one not seen in the
     *               current set (so a key added on another node is found)
     * @param keySet the current set of published keys; a new object whenever the set changes
     */
    Rs256Tokens(JWKSource<SecurityContext> source, Supplier<Object> keySet, String issuer, Clock clock) {
        this.source = source;
        this.keySet = keySet;
        this.issuer = issuer;
        this.clock = clock;
    }

    /** One published key, ready to verify with. */
    private static final class VerifyingKey {
        final RSAPublicKey key;
        final int signatureBytes;
        final Queue<Signature> idle = new ConcurrentLinkedQueue<>();

        VerifyingKey(RSAPublicKey key) {
            this.key = key;
            this.signatureBytes = (key.getModulus().bitLength() + 7) / 8;
        }

        /** Checks the signature over the first {@code length} bytes of {@code token}. */
        boolean verify(byte[] token, int length, byte[] signature) {
            Signature verifier = idle.poll();
            try {
                if (verifier == null) {
                    verifier = Signature.getInstance("SHA256withRSA");
                    verifier.initVerify(key);
                }
                verifier.update(token, 0, length);
                boolean valid = verifier.verify(signature);
                // after verify() the object is as it was after initVerify(key): ready for the next
                if (idle.size() < IDLE_VERIFIERS) {
                    idle.offer(verifier);
                }
                return valid;
            } catch (GeneralSecurityException e) {
                return false;
            }
        }
    }

    /** The Java keys of one published key set, by key id. */
    private record Keys(Object set, Map<String, VerifyingKey> byId) {
    }

    @Override
    public Jwt decode(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            throw bad("the token is empty or longer than " + MAX_TOKEN_CHARS + " characters");
        }
        byte[] ascii = new byte[token.length()];
        int first = -1;
        int second = -1;
        for (int i = 0; i < ascii.length; i++) {
            char c = token.charAt(i);
            if (c == '.') {
                if (first < 0) {
                    first = i;
                } else if (second < 0) {
                    second = i;
                } else {
                    throw bad("the token is not a signed JWT in compact form (three parts)");
                }
            } else if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                throw bad("the token has a character that base64url does not use");
            }
            ascii[i] = (byte) c;
        }
        if (first <= 0 || second <= first + 1 || second == ascii.length - 1) {
            throw bad("the token is not a signed JWT in compact form (three parts)");
        }
        Map<String, Object> header = object(base64url(ascii, 0, first), "header");
        if (!"RS256".equals(header.get("alg"))) {
            throw bad("the token's algorithm is not RS256");
        }
        for (String refused : REFUSED_HEADERS) {
            if (header.containsKey(refused)) {
                throw bad("the token's header has '" + refused + "', which is not accepted");
            }
        }
        if (header.containsKey("typ") && !jwtType(header.get("typ"))) {
            throw bad("the token's type is not a JWT");
        }
        if (!(header.get("kid") instanceof String kid)) {
            throw bad("the token names no key");
        }
        VerifyingKey key = key(kid);
        if (key == null) {
            throw bad("the token is signed by a key that is not published");
        }
        byte[] signature = base64url(ascii, second + 1, ascii.length);
        if (signature.length != key.signatureBytes || !key.verify(ascii, second, signature)) {
            throw bad("the token's signature does not verify");
        }
        Map<String, Object> claims = object(base64url(ascii, first + 1, second), "claims");
        Instant expiresAt = instant(claims, "exp");
        Instant notBefore = instant(claims, "nbf");
        Instant issuedAt = instant(claims, "iat");
        text(claims, "sub");
        text(claims, "jti");
        audience(claims);
        if (!issuer.equals(claims.get("iss"))) {
            throw invalid("the token's issuer is not " + issuer);
        }
        if (expiresAt == null) {
            throw invalid("the token has no expiry");
        }
        if (issuedAt != null && !expiresAt.isAfter(issuedAt)) {
            throw invalid("the token expires before it was issued");
        }
        checkWindow(expiresAt, notBefore, clock.instant());
        try {
            return new Jwt(token, issuedAt, expiresAt, header, claims);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    /**
     * The time window, with {@value #SKEW_SECONDS} s of clock skew: checked on every presentation,
     * also of a token verified before.
     */
    static void checkWindow(Instant expiresAt, Instant notBefore, Instant now) {
        if (now.minus(SKEW).isAfter(expiresAt)) {
            throw invalid("Jwt expired at " + expiresAt);
        }
        if (notBefore != null && now.plus(SKEW).isBefore(notBefore)) {
            throw invalid("Jwt used before " + notBefore);
        }
    }

    private static boolean jwtType(Object typ) {
        if (!(typ instanceof String s)) {
            return false;
        }
        String t = s.toLowerCase(Locale.ROOT);
        if (t.startsWith("application/")) {
            t = t.substring("application/".length());
        }
        return t.equals("jwt") || t.equals("at+jwt");
    }

    /** The key with this id in the current set; a key id not in it makes the source look again. */
    private VerifyingKey key(String kid) {
        Object set = keySet.get();
        Keys known = keys;
        if (known.set() != set) {
            known = new Keys(set, new ConcurrentHashMap<>());
            keys = known;
        }
        VerifyingKey key = known.byId().get(kid);
        if (key != null) {
            return key;
        }
        List<JWK> found;
        try {
            found = source.get(new JWKSelector(new JWKMatcher.Builder().keyID(kid).build()), null);
        } catch (com.nimbusds.jose.KeySourceException e) {
            throw new BadJwtException("the published keys cannot be read", e);
        }
        if (found.isEmpty() || !(found.get(0) instanceof RSAKey rsa) || !kid.equals(rsa.getKeyID())) {
            return null;
        }
        try {
            key = new VerifyingKey(rsa.toRSAPublicKey());
        } catch (JOSEException e) {
            throw new BadJwtException("published key " + kid + " cannot be read", e);
        }
        if (keySet.get() == known.set()) {
            known.byId().put(kid, key);
        }
        return key;
    }

    /** A base64url part (its characters were checked: the URL alphabet, no padding). */
    private static byte[] base64url(byte[] ascii, int from, int to) {
        // a part whose length leaves bits over in its last character has those bits zero (RFC 4648,
        // section 3.5): otherwise the same bytes could be written as other texts than the one issued
        int rest = (to - from) % 4;
        if ((rest == 2 || rest == 3) && (sextet(ascii[to - 1]) & (rest == 2 ? 0x0F : 0x03)) != 0) {
            throw bad("the token is not base64url in its one canonical form");
        }
        try {
            return BASE64URL.decode(Arrays.copyOfRange(ascii, from, to));
        } catch (IllegalArgumentException e) {
            throw bad("the token is not base64url");
        }
    }

    /** The value of a base64url character (the characters were checked before). */
    private static int sextet(byte c) {
        return c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
                : c == '-' ? 62 : 63;
    }

    /**
     * A JSON object read with Jackson's streaming parser into maps, lists, strings, numbers,
     * booleans and nulls: a member named twice, nesting deeper than {@value #MAX_DEPTH}, or anything
     * after the object is refused.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(byte[] json, String what) {
        try (JsonParser parser = JSON.createParser(json)) {
            JsonToken start = parser.nextToken();
            if (start != JsonToken.START_OBJECT) {
                throw bad("the token's " + what + " is not a JSON object");
            }
            Map<String, Object> map = (Map<String, Object>) value(parser, start, 0, what);
            if (parser.nextToken() != null) {
                throw bad("the token's " + what + " has something after its JSON object");
            }
            if (map.isEmpty()) {
                throw bad("the token's " + what + " is an empty JSON object");
            }
            return map;
        } catch (JacksonException e) {
            throw bad("the token's " + what + " is not JSON");
        }
    }

    private static Object value(JsonParser parser, JsonToken token, int depth, String what) {
        switch (token) {
            case START_OBJECT: {
                if (depth >= MAX_DEPTH) {
                    throw bad("the token's " + what + " nests deeper than " + MAX_DEPTH);
                }
                Map<String, Object> map = new LinkedHashMap<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String name = parser.currentName();
                    Object member = value(parser, parser.nextToken(), depth + 1, what);
                    if (map.containsKey(name)) {
                        throw bad("the token's " + what + " names '" + name + "' twice");
                    }
                    map.put(name, member);
                }
                return map;
            }
            case START_ARRAY: {
                if (depth >= MAX_DEPTH) {
                    throw bad("the token's " + what + " nests deeper than " + MAX_DEPTH);
                }
                List<Object> list = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    list.add(value(parser, t, depth + 1, what));
                }
                return list;
            }
            case VALUE_STRING:
                return parser.getString();
            case VALUE_NUMBER_INT:
                return parser.getNumberValue();
            case VALUE_NUMBER_FLOAT:
                return parser.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw bad("the token's " + what + " is not JSON");
        }
    }

    private static Instant instant(Map<String, Object> claims, String name) {
        Object value = claims.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Integer || value instanceof Long || value instanceof Double)
                || !(((Number) value).doubleValue() >= 0) || ((Number) value).doubleValue() > LAST_SECOND) {
            throw bad("the token's '" + name + "' is not a number of seconds from 1970 to 9999");
        }
        Instant at = Instant.ofEpochSecond(((Number) value).longValue());
        claims.put(name, at);
        return at;
    }

    private static void text(Map<String, Object> claims, String name) {
        Object value = claims.get(name);
        if (value != null && !(value instanceof String)) {
            throw bad("the token's '" + name + "' is not a string");
        }
    }

    private static void audience(Map<String, Object> claims) {
        Object value = claims.get("aud");
        if (value == null) {
            return;
        }
        if (value instanceof String s) {
            claims.put("aud", List.of(s));
            return;
        }
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>(list.size());
            for (Object item : list) {
                if (!(item instanceof String s)) {
                    throw bad("the token's 'aud' is not a string or a list of strings");
                }
                out.add(s);
            }
            claims.put("aud", Collections.unmodifiableList(out));
            return;
        }
        throw bad("the token's 'aud' is not a string or a list of strings");
    }

    private static BadJwtException bad(String reason) {
        return new BadJwtException("An error occurred while attempting to decode the Jwt: " + reason);
    }

    private static JwtValidationException invalid(String reason) {
        return new JwtValidationException(reason,
                List.of(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, reason, "https://tools.ietf.org/html/rfc6750#section-3.1")));
    }
}
