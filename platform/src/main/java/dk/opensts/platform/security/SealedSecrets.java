package dk.opensts.platform.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets kept in the database encrypted at rest (the token service's private keys, receivers'
 * push secrets): AES-256-GCM under a key-encryption key that lives outside the database, with what
 * the secret belongs to as associated data, so a sealed value copied to another row does not open.
 * Stored as {@code aes256gcm:<base64 of IV and ciphertext>}.
 */
public final class SealedSecrets {

    public static final String PREFIX = "aes256gcm:";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    public SealedSecrets(byte[] keyEncryptionKey) {
        if (keyEncryptionKey.length != 32) {
            throw new IllegalArgumentException("the key-encryption key must have 32 bytes");
        }
        this.key = new SecretKeySpec(keyEncryptionKey, "AES");
    }

    /**
     * The key from configuration (base64 of 32 bytes, the same on every node) or, when that is
     * empty, from a key file made on first start.
     */
    public static SealedSecrets of(String base64Key, Path keyFile) {
        return new SealedSecrets(base64Key == null || base64Key.isBlank() ? SecretFiles.readOrCreate(keyFile, 32)
                : Base64.getDecoder().decode(base64Key.strip()));
    }

    public String seal(String associated, byte[] plain) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            c.updateAAD(associated.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plain);
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length)
                    .put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Opens a sealed value; a value stored before sealing (plain base64, no prefix) is read as it is. */
    public byte[] open(String associated, String stored) throws GeneralSecurityException {
        if (!stored.startsWith(PREFIX)) {
            return Base64.getDecoder().decode(stored);
        }
        byte[] all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
        c.updateAAD(associated.getBytes(StandardCharsets.UTF_8));
        return c.doFinal(all, 12, all.length - 12);
    }
}
