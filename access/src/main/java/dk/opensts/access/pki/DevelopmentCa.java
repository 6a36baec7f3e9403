package dk.opensts.access.pki;

import dk.opensts.platform.security.Pem;
import dk.opensts.platform.security.SecretFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for development and tests, kept in {@code <data-dir>/pki/ca.p12}. It
 * issues the TLS server certificate and the client certificates of demo IT systems; the default
 * run trusts it. Production turns it off and trusts the configured CAs only.
 * Keys are ECDSA P-256 (quick to make, accepted by every TLS stack).
 */
public class DevelopmentCa {

    /** Password of the files this CA writes; they are for development only and readable by the owner only. */
    public static final char[] PASSWORD = "opensts-dev".toCharArray();
    private static final String CA_ALIAS = "ca";

    private final Path dir;
    private final PrivateKey caKey;
    private final X509Certificate caCertificate;

    /** Opens the CA in {@code dir}, making it on first use. */
    public DevelopmentCa(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("ca.p12");
            if (!Files.exists(file)) {
                KeyPair pair = newKeyPair();
                X500Name name = name("OpenSTS Development CA");
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), date(Instant.now().minusSeconds(60)),
                        date(Instant.now().plus(Duration.ofDays(3650))), name, pair.getPublic());
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
                X509Certificate cert = sign(b, pair.getPrivate());
                write(file, CA_ALIAS, pair.getPrivate(), cert);
                Files.writeString(dir.resolve("ca.crt.pem"), Pem.encode(cert));
            }
            KeyStore ks = read(file);
            this.caKey = (PrivateKey) ks.getKey(CA_ALIAS, PASSWORD);
            this.caCertificate = (X509Certificate) ks.getCertificate(CA_ALIAS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("development CA in " + dir, e);
        }
    }

    /** The development CA when it is on ({@code ca} is {@code null} when it is off). */
    public record Holder(DevelopmentCa ca) {
    }

    public X509Certificate certificate() {
        return caCertificate;
    }

    public Path directory() {
        return dir;
    }

    /** A key and the certificate chain issued for it. */
    public record Issued(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
        public KeyStore keyStore() {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("key", key, PASSWORD, new Certificate[] {certificate, ca});
                return ks;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A TLS client certificate for an IT system. */
    public Issued issueClient(String commonName, String organisationCvr, Instant notBefore, Instant notAfter) {
        return issue(commonName, organisationCvr, notBefore, notAfter, false);
    }

    /**
     * A SAML signing and encryption certificate (RSA 3072: XML encryption transports keys with RSA-OAEP,
     * and RSA is what every SAML peer verifies).
     */
    public Issued issueSaml(String commonName, Instant notBefore, Instant notAfter) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(3072);
            return issue(g.generateKeyPair(), commonName, null, notBefore, notAfter, null,
                    KeyUsage.digitalSignature | KeyUsage.keyEncipherment);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("issue " + commonName, e);
        }
    }

    /** The TLS server certificate for {@code localhost} and the loopback addresses. */
    public Issued issueServer(String host) {
        return issue(host, null, Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(825)), true);
    }

    private Issued issue(String commonName, String cvr, Instant notBefore, Instant notAfter, boolean server) {
        try {
            return issue(newKeyPair(), commonName, cvr, notBefore, notAfter,
                    server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth,
                    KeyUsage.digitalSignature | KeyUsage.keyAgreement);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("issue " + commonName, e);
        }
    }

    private Issued issue(KeyPair pair, String commonName, String cvr, Instant notBefore, Instant notAfter,
                         KeyPurposeId purpose, int keyUsage) {
        boolean server = purpose == KeyPurposeId.id_kp_serverAuth;
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCertificate, serial(), date(notBefore),
                    date(notAfter), subject(commonName, cvr), pair.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            if (purpose != null) {
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            }
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCertificate));
            if (server) {
                List<GeneralName> names = new java.util.ArrayList<>(List.of(
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.iPAddress, "::1")));
                if (!List.of("localhost", "127.0.0.1", "::1").contains(commonName)) {
                    names.add(new GeneralName(commonName.matches("[0-9.]+|.*:.*") ? GeneralName.iPAddress
                            : GeneralName.dNSName, commonName));
                }
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            return new Issued(pair.getPrivate(), sign(b, caKey), caCertificate);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("issue " + commonName, e);
        }
    }


    /** Writes a key and its chain as a PKCS#12 file and as PEM files beside it (owner-only). */
    public void save(Issued issued, String baseName) {
        try {
            write(dir.resolve(baseName + ".p12"), "key", issued.key(), issued.certificate(), issued.ca());
            Path cert = dir.resolve(baseName + ".crt.pem");
            Files.writeString(cert, Pem.encode(issued.certificate()));
            Path key = dir.resolve(baseName + ".key.pem");
            Files.writeString(key, Pem.encode(issued.key()));
            SecretFiles.ownerOnly(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The SAML signing and decryption key (RSA) saved as {@code file}, issued and saved when there is none
     * or it runs out within a day: the same key after a restart, so registered metadata stays true.
     */
    public Issued samlKey(String file, String commonName) {
        return load(file).filter(i -> "RSA".equals(i.key().getAlgorithm()))
                .filter(i -> i.certificate().getNotAfter().toInstant().isAfter(Instant.now().plus(1,
                        java.time.temporal.ChronoUnit.DAYS)))
                .orElseGet(() -> {
                    Instant now = Instant.now();
                    Issued i = issueSaml(commonName, now.minus(1, java.time.temporal.ChronoUnit.HOURS),
                            now.plus(730, java.time.temporal.ChronoUnit.DAYS));
                    save(i, file);
                    return i;
                });
    }

    /** A key store saved by {@link #save}, if there is one. */
    public java.util.Optional<Issued> load(String baseName) {
        Path file = dir.resolve(baseName + ".p12");
        if (!Files.exists(file)) {
            return java.util.Optional.empty();
        }
        try {
            KeyStore ks = read(file);
            return java.util.Optional.of(new Issued((PrivateKey) ks.getKey("key", PASSWORD),
                    (X509Certificate) ks.getCertificate("key"), caCertificate));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path file, String alias, PrivateKey key, X509Certificate... chain)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(alias, key, PASSWORD, chain);
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, PASSWORD);
        }
        SecretFiles.ownerOnly(file);
    }

    private static KeyStore read(Path file) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    private static X500Name name(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "OpenSTS").addRDN(BCStyle.CN, cn).build();
    }

    private static X500Name subject(String cn, String cvr) {
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.C, "DK");
        if (cvr != null) {
            b.addRDN(BCStyle.SERIALNUMBER, "CVR:" + cvr);
        }
        return b.addRDN(BCStyle.O, "OpenSTS development").addRDN(BCStyle.CN, cn).build();
    }

    private static BigInteger serial() {
        return new BigInteger(127, new SecureRandom());
    }

    private static Date date(Instant t) {
        return Date.from(t);
    }
}
