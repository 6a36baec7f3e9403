package dk.opensts.access.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dk.opensts.platform.security.CurrentActor;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/** Every rule of {@link Rs256Tokens}, and the same claims as Spring's Nimbus decoder for what both accept. */
class Rs256TokensTest {

    static final String ISSUER = "https://opensts.example";
    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    static final RSAKey KEY = generate();
    static final RSAKey OTHER = generate();
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    final AtomicReference<JWKSet> published = new AtomicReference<>(new JWKSet(List.of(KEY.toPublicJWK())));
    final JWKSource<SecurityContext> source = (selector, context) -> selector.select(published.get());
    final JwtDecoder decoder = new Rs256Tokens(source, published::get, ISSUER, CLOCK);

    static RSAKey generate() {
        try {
            return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer(ISSUER).subject(UUID.randomUUID().toString())
                .audience("https://opensts.dk/service/organisation/1").issueTime(Date.from(NOW))
                .notBeforeTime(Date.from(NOW)).expirationTime(Date.from(NOW.plusSeconds(300)))
                .jwtID(UUID.randomUUID().toString()).claim("cvr", "11111111").claim("name", "System")
                .claim("priv", List.of(Map.of("role", "read", "constraints",
                        Map.of("http://sts.kombit.dk/constraints/KLE/1", "27.*"))));
    }

    static String signed(RSAKey key, JWSHeader header, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    static String signed(JWTClaimsSet claims) throws Exception {
        return signed(KEY, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KEY.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
    }

    /** A token with this header and these claims (JSON as written), signed RS256 by {@code KEY}. */
    static String raw(String header, String claims) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(KEY.toPrivateKey());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + b64.encodeToString(s.sign());
    }

    String header() {
        return "{\"kid\":\"" + KEY.getKeyID() + "\",\"alg\":\"RS256\"}";
    }

    String validClaimsJson() {
        return "{\"iss\":\"" + ISSUER + "\",\"sub\":\"s\",\"exp\":" + NOW.plusSeconds(300).getEpochSecond() + "}";
    }

    @Test
    void aValidTokenGivesItsClaimsAndActor() throws Exception {
        JWTClaimsSet claims = claims().build();
        Jwt jwt = decoder.decode(signed(claims));
        assertThat(jwt.getSubject()).isEqualTo(claims.getSubject());
        assertThat(jwt.getAudience()).containsExactly("https://opensts.dk/service/organisation/1");
        assertThat(jwt.getExpiresAt()).isEqualTo(NOW.plusSeconds(300));
        assertThat(jwt.getIssuedAt()).isEqualTo(NOW);
        assertThat(jwt.getNotBefore()).isEqualTo(NOW);
        assertThat(jwt.getIssuer().toString()).isEqualTo(ISSUER);
        assertThat(jwt.getHeaders()).containsEntry("kid", KEY.getKeyID()).containsEntry("alg", "RS256");
        var actor = CurrentActor.of(jwt);
        assertThat(actor.municipality()).isEqualTo("11111111");
        assertThat(actor.hasRole("read")).isTrue();
        assertThat(decoder.decode(raw(header(), validClaimsJson())).getSubject()).isEqualTo("s");
    }

    /** What both decoders accept, they read alike: checked on random claim sets. */
    @Property(tries = 60)
    void readsTheSameClaimsAsNimbus(@ForAll @AlphaChars @StringLength(min = 1, max = 40) String name,
                                    @ForAll @IntRange(min = 0, max = 5) int roles,
                                    @ForAll @IntRange(min = 1, max = 3) int audiences,
                                    @ForAll @IntRange(min = 61, max = 100_000) int lifetime) throws Exception {
        NimbusJwtDecoder nimbus = NimbusJwtDecoder.withJwkSource(source).jwsAlgorithm(SignatureAlgorithm.RS256).build();
        nimbus.setJwtValidator(JwtValidators.createDefaultWithIssuer(ISSUER));
        Instant now = Instant.now();
        List<Map<String, Object>> priv = new java.util.ArrayList<>();
        for (int i = 0; i < roles; i++) {
            priv.add(Map.of("role", "role" + i, "constraints", Map.of("type" + i, name + i)));
        }
        List<String> aud = new java.util.ArrayList<>();
        for (int i = 0; i < audiences; i++) {
            aud.add("https://opensts.dk/service/" + name + "/" + i);
        }
        JWTClaimsSet claims = claims().audience(aud).claim("name", name).claim("priv", priv)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(lifetime))).build();
        String token = signed(claims);
        Jwt ours = new Rs256Tokens(source, published::get, ISSUER, Clock.systemUTC()).decode(token);
        Jwt theirs = nimbus.decode(token);
        assertThat(ours.getClaims()).isEqualTo(theirs.getClaims());
        assertThat(ours.getHeaders()).isEqualTo(theirs.getHeaders());
        assertThat(ours.getIssuedAt()).isEqualTo(theirs.getIssuedAt());
        assertThat(ours.getExpiresAt()).isEqualTo(theirs.getExpiresAt());
        assertThat(CurrentActor.of(ours)).isEqualTo(CurrentActor.of(theirs));
    }

    @Test
    void aTokenNotOfThisShapeIsRefused() throws Exception {
        String valid = signed(claims().build());
        String[] p = valid.split("\\.");
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("empty", "");
        refused.put("two parts", p[0] + "." + p[1]);
        refused.put("four parts", valid + "." + p[2]);
        refused.put("empty signature", p[0] + "." + p[1] + ".");
        refused.put("empty header", "." + p[1] + "." + p[2]);
        refused.put("empty claims", p[0] + ".." + p[2]);
        refused.put("padding", valid + "=");
        refused.put("whitespace", p[0] + ". " + p[1] + "." + p[2]);
        refused.put("standard alphabet", p[0] + "." + p[1] + "." + p[2].replace('-', '+').replace('_', '/') + "+/");
        refused.put("too long", p[0] + "." + "A".repeat(Rs256Tokens.MAX_TOKEN_CHARS) + "." + p[2]);
        refused.put("impossible base64 length", p[0] + "." + p[1] + "." + p[2] + "A");
        refused.forEach((why, token) -> assertThatThrownBy(() -> decoder.decode(token)).as(why)
                .isInstanceOf(BadJwtException.class));
        assertThatThrownBy(() -> decoder.decode(null)).isInstanceOf(BadJwtException.class);
    }

    @Test
    void onlyRs256ByAPublishedKeyIsAccepted() throws Exception {
        JWTClaimsSet claims = claims().build();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String body = b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        // alg none
        String none = b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + body + ".";
        assertThatThrownBy(() -> decoder.decode(none)).isInstanceOf(BadJwtException.class);
        // HS256 keyed with the public key's bytes (the classic confusion)
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(KEY.getKeyID()).build(), claims);
        hmac.sign(new MACSigner(KEY.toRSAPublicKey().getEncoded()));
        assertThatThrownBy(() -> decoder.decode(hmac.serialize())).hasMessageContaining("algorithm");
        // RS512 and PS256 by the right key
        assertThatThrownBy(() -> decoder.decode(signed(KEY, new JWSHeader.Builder(JWSAlgorithm.RS512).keyID(KEY.getKeyID()).build(), claims)))
                .hasMessageContaining("algorithm");
        assertThatThrownBy(() -> decoder.decode(signed(KEY, new JWSHeader.Builder(JWSAlgorithm.PS256).keyID(KEY.getKeyID()).build(), claims)))
                .hasMessageContaining("algorithm");
        // no key id; an unknown key id; another key under our key id
        assertThatThrownBy(() -> decoder.decode(signed(KEY, new JWSHeader.Builder(JWSAlgorithm.RS256).build(), claims)))
                .hasMessageContaining("names no key");
        assertThatThrownBy(() -> decoder.decode(signed(OTHER, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(OTHER.getKeyID()).build(), claims)))
                .hasMessageContaining("not published");
        RSAKey impostor = new RSAKeyGenerator(2048).keyID(KEY.getKeyID()).generate();
        assertThatThrownBy(() -> decoder.decode(signed(impostor, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KEY.getKeyID()).build(), claims)))
                .hasMessageContaining("signature");
        // a key carried in the token itself is never used
        assertThatThrownBy(() -> decoder.decode(signed(OTHER, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KEY.getKeyID())
                .jwk(OTHER.toPublicJWK()).build(), claims))).hasMessageContaining("'jwk'");
        // an extension the decoder would have to understand
        assertThatThrownBy(() -> decoder.decode(raw("{\"kid\":\"" + KEY.getKeyID() + "\",\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1}",
                validClaimsJson()))).hasMessageContaining("'crit'");
        // a type that is not a JWT
        assertThatThrownBy(() -> decoder.decode(raw("{\"kid\":\"" + KEY.getKeyID() + "\",\"alg\":\"RS256\",\"typ\":\"JOSE+JSON\"}",
                validClaimsJson()))).hasMessageContaining("type");
        assertThat(decoder.decode(raw("{\"kid\":\"" + KEY.getKeyID() + "\",\"alg\":\"RS256\",\"typ\":\"at+jwt\"}",
                validClaimsJson())).getSubject()).isEqualTo("s");
    }

    @Test
    void anyChangeAfterSigningIsRefused() throws Exception {
        String valid = signed(claims().build());
        String[] p = valid.split("\\.");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String otherClaims = b64.encodeToString(claims().claim("cvr", "22222222").build().toString().getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> decoder.decode(p[0] + "." + otherClaims + "." + p[2])).hasMessageContaining("signature");
        String otherHeader = b64.encodeToString(("{\"alg\":\"RS256\",\"kid\":\"" + KEY.getKeyID() + "\"}").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> decoder.decode(otherHeader + "." + p[1] + "." + p[2])).hasMessageContaining("signature");
        byte[] sig = Base64.getUrlDecoder().decode(p[2]);
        sig[sig.length / 2] ^= 1;
        assertThatThrownBy(() -> decoder.decode(p[0] + "." + p[1] + "." + b64.encodeToString(sig))).hasMessageContaining("signature");
        byte[] shorter = java.util.Arrays.copyOf(Base64.getUrlDecoder().decode(p[2]), 255);
        assertThatThrownBy(() -> decoder.decode(p[0] + "." + p[1] + "." + b64.encodeToString(shorter))).hasMessageContaining("signature");
        // the same bytes written another way: the last character of a part carries bits that base64url leaves
        // zero (4 of a 256-byte signature's); set, the text differs and is not one OpenSTS issued
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        String sigText = p[2];
        assertThat(sigText.length() % 4).isEqualTo(2);
        char spare = alphabet.charAt(alphabet.indexOf(sigText.charAt(sigText.length() - 1)) | 0x0F);
        String malleated = p[0] + "." + p[1] + "." + sigText.substring(0, sigText.length() - 1) + spare;
        assertThat(Base64.getUrlDecoder().decode(malleated.split("\\.")[2])).isEqualTo(Base64.getUrlDecoder().decode(p[2]));
        assertThatThrownBy(() -> decoder.decode(malleated)).hasMessageContaining("canonical");
        String header = p[0];
        if (header.length() % 4 != 0) {
            int bits = header.length() % 4 == 2 ? 0x0F : 0x03;
            char last = alphabet.charAt(alphabet.indexOf(header.charAt(header.length() - 1)) | bits);
            assertThatThrownBy(() -> decoder.decode(header.substring(0, header.length() - 1) + last + "." + p[1] + "." + p[2]))
                    .hasMessageContaining("canonical");
        }
        // the untouched token still verifies: a failed check leaves no verifier in a bad state
        for (int i = 0; i < 3; i++) {
            assertThat(decoder.decode(valid).getClaimAsString("cvr")).isEqualTo("11111111");
        }
    }

    @Test
    void claimsThatAreNotWellFormedAreRefused() throws Exception {
        long exp = NOW.plusSeconds(300).getEpochSecond();
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("not JSON", "not json");
        refused.put("an array", "[1,2]");
        refused.put("empty object", "{}");
        refused.put("trailing content", validClaimsJson() + "{}");
        refused.put("a claim twice", "{\"iss\":\"" + ISSUER + "\",\"sub\":\"a\",\"sub\":\"b\",\"exp\":" + exp + "}");
        refused.put("a nested member twice", "{\"iss\":\"" + ISSUER + "\",\"exp\":" + exp + ",\"cnf\":{\"a\":1,\"a\":2}}");
        refused.put("exp a string", "{\"iss\":\"" + ISSUER + "\",\"exp\":\"" + exp + "\"}");
        refused.put("exp too large", "{\"iss\":\"" + ISSUER + "\",\"exp\":1e30}");
        refused.put("exp huge integer", "{\"iss\":\"" + ISSUER + "\",\"exp\":123456789012345678901234567890}");
        refused.put("exp negative", "{\"iss\":\"" + ISSUER + "\",\"exp\":-1}");
        refused.put("sub a number", "{\"iss\":\"" + ISSUER + "\",\"sub\":1,\"exp\":" + exp + "}");
        refused.put("aud a number", "{\"iss\":\"" + ISSUER + "\",\"aud\":1,\"exp\":" + exp + "}");
        refused.put("aud with a number", "{\"iss\":\"" + ISSUER + "\",\"aud\":[\"a\",1],\"exp\":" + exp + "}");
        refused.put("deep nesting", "{\"iss\":\"" + ISSUER + "\",\"exp\":" + exp + ",\"x\":" + "[".repeat(40) + "]".repeat(40) + "}");
        for (var e : refused.entrySet()) {
            String token = raw(header(), e.getValue());
            assertThatThrownBy(() -> decoder.decode(token)).as(e.getKey()).isInstanceOf(BadJwtException.class);
        }
        String duplicateHeader = raw("{\"kid\":\"" + KEY.getKeyID() + "\",\"alg\":\"none\",\"alg\":\"RS256\"}", validClaimsJson());
        assertThatThrownBy(() -> decoder.decode(duplicateHeader)).hasMessageContaining("twice");
    }

    @Test
    void issuerAndTimeWindowAreChecked() throws Exception {
        assertThatThrownBy(() -> decoder.decode(signed(claims().issuer("https://evil.example").build())))
                .isInstanceOf(JwtValidationException.class).hasMessageContaining("issuer");
        assertThatThrownBy(() -> decoder.decode(signed(claims().expirationTime(null).build())))
                .isInstanceOf(JwtValidationException.class).hasMessageContaining("no expiry");
        assertThatThrownBy(() -> decoder.decode(signed(claims().issueTime(Date.from(NOW.minusSeconds(400)))
                .expirationTime(Date.from(NOW.minusSeconds(61))).build())))
                .isInstanceOf(JwtValidationException.class).hasMessageContaining("expired");
        assertThatThrownBy(() -> decoder.decode(signed(claims().issueTime(Date.from(NOW.plusSeconds(10)))
                .expirationTime(Date.from(NOW.plusSeconds(5))).build())))
                .isInstanceOf(JwtValidationException.class).hasMessageContaining("before it was issued");
        assertThatThrownBy(() -> decoder.decode(signed(claims().notBeforeTime(Date.from(NOW.plusSeconds(61))).build())))
                .isInstanceOf(JwtValidationException.class).hasMessageContaining("before");
        // within the 60 s clock skew
        assertThat(decoder.decode(signed(claims().issueTime(Date.from(NOW.minusSeconds(400)))
                .expirationTime(Date.from(NOW.minusSeconds(59))).build()))).isNotNull();
        assertThat(decoder.decode(signed(claims().notBeforeTime(Date.from(NOW.plusSeconds(59))).build()))).isNotNull();
    }

    @Test
    void aKeyAddedLaterIsFoundAndARetiredKeyIsNot() throws Exception {
        String byOther = signed(OTHER, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(OTHER.getKeyID()).build(), claims().build());
        String byKey = signed(claims().build());
        assertThatThrownBy(() -> decoder.decode(byOther)).isInstanceOf(JwtException.class);
        published.set(new JWKSet(List.of(KEY.toPublicJWK(), OTHER.toPublicJWK())));
        assertThat(decoder.decode(byOther)).isNotNull();
        assertThat(decoder.decode(byKey)).isNotNull();
        published.set(new JWKSet(List.of(OTHER.toPublicJWK())));
        assertThatThrownBy(() -> decoder.decode(byKey)).hasMessageContaining("not published");
        assertThat(decoder.decode(byOther)).isNotNull();
    }

    @Test
    void aTokenThatIsNotBase64urlOfJsonIsRefusedWithoutAnException() {
        String junk = Base64URL.encode(new byte[] {(byte) 0xff, 0, 1}).toString();
        assertThatThrownBy(() -> decoder.decode(junk + "." + junk + "." + junk)).isInstanceOf(BadJwtException.class);
    }
}
