package dk.opensts.access.token;

import dk.opensts.platform.security.SealedSecrets;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The token service's RSA signing keys, kept in {@code access.signing_key} so that every node
 * signs and verifies alike and tokens survive a restart. Private keys are stored encrypted
 * (AES-256-GCM, the key id as associated data) with a key-encryption key that lives outside the
 * database. The newest active key signs; all active keys are published, so a new key can be added
 * before the old one is retired (rotation without downtime). A node that meets a key id it does
 * not know reloads at once (at most once a second), so a key rotated on another node is accepted
 * before the periodic refresh. A key is made on first use if there is none.
 */
public class SigningKeys implements JWKSource<SecurityContext> {

    private static final long REFRESH_MILLIS = 60_000;
    private static final long MISS_RELOAD_MILLIS = 1_000;

    private final JdbcClient jdbc;
    private final Clock clock;
    private final SealedSecrets secrets;
    private volatile JWKSet cached;
    private volatile long loadedAt;

    public SigningKeys(JdbcClient jdbc, Clock clock, SealedSecrets secrets) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.secrets = secrets;
    }

    /** What may be shown of a key. */
    public record KeyInfo(String kid, Instant createdAt, boolean active, boolean signing) {
    }

    /**
     * A selection for signing (the matcher names key types) gets only the newest key; the JWK Set
     * endpoint and verification (by key id) see every active key.
     */
    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        JWKSet set = keys();
        List<JWK> selected = selector.select(set);
        var ids = selector.getMatcher().getKeyIDs();
        if (selected.isEmpty() && ids != null && !ids.isEmpty()
                && System.currentTimeMillis() - loadedAt > MISS_RELOAD_MILLIS) {
            synchronized (this) {
                cached = null;
            }
            selected = selector.select(keys());
        }
        boolean forSigning = selector.getMatcher().getKeyTypes() != null && ids == null;
        return forSigning && selected.size() > 1 ? List.of(selected.get(0)) : selected;
    }

    /** Active keys, newest first. */
    public JWKSet keys() {
        JWKSet set = cached;
        if (set == null || System.currentTimeMillis() - loadedAt > REFRESH_MILLIS) {
            synchronized (this) {
                set = cached;
                if (set == null || System.currentTimeMillis() - loadedAt > REFRESH_MILLIS) {
                    set = load();
                    if (set.isEmpty()) {
                        rotate();
                        set = load();
                    }
                    cached = set;
                    loadedAt = System.currentTimeMillis();
                }
            }
        }
        return set;
    }

    public List<KeyInfo> list() {
        List<KeyInfo> out = new ArrayList<>();
        jdbc.sql("SELECT kid, created_at, active FROM access.signing_key ORDER BY created_at DESC")
                .query((rs, n) -> new KeyInfo(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getBoolean(3), false))
                .list().forEach(out::add);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).active()) {
                KeyInfo k = out.get(i);
                out.set(i, new KeyInfo(k.kid(), k.createdAt(), true, true));
                break;
            }
        }
        return out;
    }

    /** Adds a new signing key; the old ones stay published until retired. */
    public synchronized String rotate() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            KeyPair pair = gen.generateKeyPair();
            String kid = UUID.randomUUID().toString();
            jdbc.sql("INSERT INTO access.signing_key (kid, private_key, public_key, created_at) VALUES (?, ?, ?, ?)")
                    .params(kid, secrets.seal(kid, pair.getPrivate().getEncoded()),
                            Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()),
                            Timestamp.from(clock.instant()))
                    .update();
            cached = null;
            return kid;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops publishing and accepting a key; the signing (newest active) key cannot be retired. */
    public synchronized KeyInfo retire(String kid) {
        List<KeyInfo> all = list();
        KeyInfo key = all.stream().filter(k -> k.kid().equals(kid)).findFirst()
                .orElseThrow(() -> ApiException.notFound("signing key", kid));
        if (key.signing()) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "The newest key signs; rotate first, then retire it");
        }
        jdbc.sql("UPDATE access.signing_key SET active = false WHERE kid = ?").param(kid).update();
        cached = null;
        return new KeyInfo(kid, key.createdAt(), false, false);
    }

    private JWKSet load() {
        List<JWK> keys = new ArrayList<>();
        jdbc.sql("SELECT kid, private_key, public_key FROM access.signing_key WHERE active ORDER BY created_at DESC")
                .query((rs, n) -> {
                    String kid = rs.getString("kid");
                    try {
                        KeyFactory kf = KeyFactory.getInstance("RSA");
                        RSAPublicKey pub = (RSAPublicKey) kf.generatePublic(
                                new X509EncodedKeySpec(Base64.getDecoder().decode(rs.getString("public_key"))));
                        RSAPrivateKey priv = (RSAPrivateKey) kf.generatePrivate(
                                new PKCS8EncodedKeySpec(secrets.open(kid, rs.getString("private_key"))));
                        return new RSAKey.Builder(pub).privateKey(priv).keyID(kid).build();
                    } catch (GeneralSecurityException e) {
                        throw new IllegalStateException("signing key " + kid + " cannot be read (wrong key-encryption key?)", e);
                    }
                }).list().forEach(keys::add);
        return new JWKSet(keys);
    }
}
