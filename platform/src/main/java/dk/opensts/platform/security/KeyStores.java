package dk.opensts.platform.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;

/** Keys read from PKCS#12 files (a configured signing key, a client certificate). */
public final class KeyStores {

    /** A private key with its certificate chain (the key's own certificate first). */
    public record Entry(PrivateKey key, X509Certificate[] chain) {
        public X509Certificate certificate() {
            return chain[0];
        }
    }

    private KeyStores() {
    }

    public static KeyStore read(Path file, char[] password) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            return ks;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key store " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the key store " + file + ": " + e.getMessage(), e);
        }
    }

    /** The first private key of a PKCS#12 file and its chain. */
    public static Entry firstKey(Path file, char[] password) {
        KeyStore ks = read(file, password);
        try {
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    X509Certificate[] chain = Arrays.stream(ks.getCertificateChain(alias))
                            .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
                    return new Entry((PrivateKey) ks.getKey(alias, password), chain);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the key in " + file + ": " + e.getMessage(), e);
        }
        throw new IllegalStateException("the key store " + file + " holds no private key");
    }
}
