package dk.opensts.access.token;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The token service's RSA signing keys, kept in {@code access.signing_key} so that every node
 * signs and verifies alike and tokens survive a restart. The newest active key signs; all active
 * keys are published, so a new key can be added before the old one is retired (rotation without
 * downtime). A key is made on first use if there is none.
 */
public class SigningKeys implements JWKSource<SecurityContext> {

    private final JdbcClient jdbc;
    private final Clock clock;
    private static final long REFRESH_MILLIS = 60_000;
    private volatile JWKSet cached;
    private volatile long loadedAt;

    public SigningKeys(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * A selection for signing (the matcher names key types) gets only the newest key; the JWK Set
     * endpoint and verification (by key id) see every active key.
     */
    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        List<JWK> selected = selector.select(keys());
        boolean forSigning = selector.getMatcher().getKeyTypes() != null && selector.getMatcher().getKeyIDs() == null;
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

    /** Adds a new signing key; the old ones stay published until retired. */
    public synchronized String rotate() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            KeyPair pair = gen.generateKeyPair();
            String kid = UUID.randomUUID().toString();
            jdbc.sql("INSERT INTO access.signing_key (kid, private_key, public_key, created_at) VALUES (?, ?, ?, ?)")
                    .params(kid, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()),
                            Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()),
                            Timestamp.from(clock.instant()))
                    .update();
            cached = null;
            return kid;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private JWKSet load() {
        List<JWK> keys = new ArrayList<>();
        jdbc.sql("SELECT kid, private_key, public_key FROM access.signing_key WHERE active ORDER BY created_at DESC")
                .query((rs, n) -> {
                    try {
                        KeyFactory kf = KeyFactory.getInstance("RSA");
                        RSAPublicKey pub = (RSAPublicKey) kf.generatePublic(
                                new X509EncodedKeySpec(Base64.getDecoder().decode(rs.getString("public_key"))));
                        RSAPrivateKey priv = (RSAPrivateKey) kf.generatePrivate(
                                new PKCS8EncodedKeySpec(Base64.getDecoder().decode(rs.getString("private_key"))));
                        return new RSAKey.Builder(pub).privateKey(priv).keyID(rs.getString("kid")).build();
                    } catch (java.security.GeneralSecurityException e) {
                        throw new IllegalStateException("unreadable signing key " + rs.getString("kid"), e);
                    }
                }).list().forEach(keys::add);
        return new JWKSet(keys);
    }
}
