package dk.opensts.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The providers as the server puts them in place, and that what one provider signs or encrypts the
 * other verifies or decrypts: a token or SAML message made on a node without AWS-LC (or by a
 * partner on the JDK) must read on a node with it, and the reverse.
 */
class CryptoProvidersTest {

    static final byte[] DATA = "Borgerens sag 0101011234".repeat(40).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    static String installed;

    @BeforeAll
    static void install() {
        installed = CryptoProviders.install("auto");
    }

    static boolean accpOnClassPath() {
        try {
            Class.forName(CryptoProviders.ACCP);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static Provider jdk(String name) {
        return Security.getProvider(name);
    }

    @Test
    void anUnknownChoiceStopsTheStart() {
        assertThatThrownBy(() -> CryptoProviders.install("fastest")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("auto, jdk or accp");
    }

    @Test
    void whereItIsOnTheClassPathAwsLcComesFirst() {
        assumeTrue(accpOnClassPath(), "Amazon Corretto Crypto Provider is published for Linux x86-64 and ARM64 only");
        assertThat(installed).contains("AWS-LC");
        assertThat(Security.getProviders()[0].getName()).isEqualTo("AmazonCorrettoCryptoProvider");
        assertThat(CryptoProviders.install("auto")).isEqualTo(installed);
    }

    @Test
    void rsaSignaturesCrossBetweenProviders() throws Exception {
        for (int bits : new int[] {2048, 3072}) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            KeyPair pair = generator.generateKeyPair();
            for (String algorithm : new String[] {"SHA256withRSA", "SHA512withRSA"}) {
                Signature preferred = Signature.getInstance(algorithm);
                Signature sunRsa = Signature.getInstance(algorithm, jdk("SunRsaSign"));
                preferred.initSign(pair.getPrivate());
                preferred.update(DATA);
                byte[] byPreferred = preferred.sign();
                sunRsa.initSign(pair.getPrivate());
                sunRsa.update(DATA);
                byte[] byJdk = sunRsa.sign();
                // PKCS#1 v1.5 is deterministic: both must write the same bytes
                assertThat(byPreferred).as(algorithm + " " + bits).isEqualTo(byJdk);
                sunRsa.initVerify(pair.getPublic());
                sunRsa.update(DATA);
                assertThat(sunRsa.verify(byPreferred)).isTrue();
                preferred.initVerify(pair.getPublic());
                preferred.update(DATA);
                assertThat(preferred.verify(byJdk)).isTrue();
                byte[] tampered = byJdk.clone();
                tampered[7] ^= 1;
                preferred.update(DATA);
                assertThat(preferred.verify(tampered)).isFalse();
                preferred.update(DATA);
                assertThat(preferred.verify(byJdk)).as("a verifier is reusable after a failed check").isTrue();
            }
        }
    }

    @Test
    void keyTransportAndContentEncryptionCrossBetweenProviders() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(3072);
        KeyPair pair = generator.generateKeyPair();
        KeyGenerator aes = KeyGenerator.getInstance("AES");
        aes.init(256);
        SecretKey content = aes.generateKey();
        // RSA-OAEP with SHA-1 and MGF1 (XML Encryption's rsa-oaep-mgf1p) both ways
        OAEPParameterSpec oaep = new OAEPParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT);
        Cipher wrapPreferred = Cipher.getInstance("RSA/ECB/OAEPPadding");
        wrapPreferred.init(Cipher.WRAP_MODE, pair.getPublic(), oaep);
        Cipher unwrapJdk = Cipher.getInstance("RSA/ECB/OAEPPadding", jdk("SunJCE"));
        unwrapJdk.init(Cipher.UNWRAP_MODE, pair.getPrivate(), oaep);
        assertThat(unwrapJdk.unwrap(wrapPreferred.wrap(content), "AES", Cipher.SECRET_KEY).getEncoded())
                .isEqualTo(content.getEncoded());
        Cipher wrapJdk = Cipher.getInstance("RSA/ECB/OAEPPadding", jdk("SunJCE"));
        wrapJdk.init(Cipher.WRAP_MODE, pair.getPublic(), oaep);
        Cipher unwrapPreferred = Cipher.getInstance("RSA/ECB/OAEPPadding");
        unwrapPreferred.init(Cipher.UNWRAP_MODE, pair.getPrivate(), oaep);
        assertThat(unwrapPreferred.unwrap(wrapJdk.wrap(content), "AES", Cipher.SECRET_KEY).getEncoded())
                .isEqualTo(content.getEncoded());
        // AES-256-GCM both ways, and a changed byte refused
        byte[] iv = new byte[12];
        new SecureRandom().nextBytes(iv);
        Cipher sealPreferred = Cipher.getInstance("AES/GCM/NoPadding");
        sealPreferred.init(Cipher.ENCRYPT_MODE, content, new GCMParameterSpec(128, iv));
        byte[] sealed = sealPreferred.doFinal(DATA);
        Cipher openJdk = Cipher.getInstance("AES/GCM/NoPadding", jdk("SunJCE"));
        openJdk.init(Cipher.DECRYPT_MODE, content, new GCMParameterSpec(128, iv));
        assertThat(openJdk.doFinal(sealed)).isEqualTo(DATA);
        Cipher sealJdk = Cipher.getInstance("AES/GCM/NoPadding", jdk("SunJCE"));
        sealJdk.init(Cipher.ENCRYPT_MODE, content, new GCMParameterSpec(128, iv));
        byte[] sealedByJdk = sealJdk.doFinal(DATA);
        assertThat(sealedByJdk).isEqualTo(sealed);
        sealedByJdk[3] ^= 1;
        Cipher openPreferred = Cipher.getInstance("AES/GCM/NoPadding");
        openPreferred.init(Cipher.DECRYPT_MODE, content, new GCMParameterSpec(128, iv));
        assertThatThrownBy(() -> openPreferred.doFinal(sealedByJdk)).isInstanceOf(javax.crypto.AEADBadTagException.class);
    }
}
