package dk.opensts.platform.security;

import java.security.Provider;
import java.security.Security;
import java.util.Locale;

/**
 * Which Java Cryptography Architecture providers do OpenSTS's cryptography. Every signature,
 * verification, encryption and TLS handshake asks the JCA by algorithm name, so the choice is made
 * once, here, at start-up, for the whole process:
 * <ul>
 *   <li>{@code auto} (the default): Amazon Corretto Crypto Provider (AWS-LC, a BoringSSL-derived
 *   library behind the JCA) first, where its native library loads and passes its own health check,
 *   and the JDK's providers after it for everything it does not offer (key stores, X.509 paths,
 *   JSSE itself); where it is not on the class path or does not load, the JDK's providers alone;</li>
 *   <li>{@code jdk}: the JDK's providers alone;</li>
 *   <li>{@code accp}: as {@code auto}, but start-up fails if AWS-LC does not load.</li>
 * </ul>
 * Why: the token service signs every token, every API verifies them, and the context handler signs
 * and encrypts every login with RSA; on the development machine AWS-LC verifies RSA-2048 about
 * twice as fast as the JDK and signs RSA-3072 1.7 times as fast (docs/benchmarks.md, ADR 10).
 * Set with {@code opensts.crypto.provider} (environment {@code OPENSTS_CRYPTO_PROVIDER}).
 */
public final class CryptoProviders {

    public static final String PROPERTY = "opensts.crypto.provider";
    static final String ACCP = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

    private static String description;

    private CryptoProviders() {
    }

    /**
     * Puts the chosen providers in place (once per process; later calls report the first outcome).
     *
     * @param choice {@code auto}, {@code jdk} or {@code accp}; null means {@code auto}
     * @return what is in place, for the start-up log
     * @throws IllegalStateException for an unknown choice, or {@code accp} when it does not load
     */
    public static synchronized String install(String choice) {
        String wanted = choice == null || choice.isBlank() ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
        if (!wanted.equals("auto") && !wanted.equals("jdk") && !wanted.equals("accp")) {
            throw new IllegalStateException(PROPERTY + " must be auto, jdk or accp, not '" + choice + "'");
        }
        if (description != null) {
            return description;
        }
        if (wanted.equals("jdk")) {
            description = "JDK providers (" + PROPERTY + "=jdk)";
            return description;
        }
        String problem;
        try {
            Class<?> type = Class.forName(ACCP);
            Provider accp = (Provider) type.getField("INSTANCE").get(null);
            Throwable loading = (Throwable) type.getMethod("getLoadingError").invoke(accp);
            if (loading == null) {
                type.getMethod("assertHealthy").invoke(accp);
                if (Security.getProvider(accp.getName()) == null) {
                    Security.insertProviderAt(accp, 1);
                }
                description = accp.getName() + " " + accp.getVersionStr() + " (AWS-LC) first, then the JDK's providers";
                return description;
            }
            problem = "its native library did not load: " + loading;
        } catch (ClassNotFoundException e) {
            problem = "it is not on the class path (it is published for Linux x86-64 and ARM64)";
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException t ? t.getCause() : e;
            problem = "it failed its health check: " + cause;
        }
        if (wanted.equals("accp")) {
            throw new IllegalStateException(PROPERTY + "=accp, but Amazon Corretto Crypto Provider cannot be used: " + problem);
        }
        description = "JDK providers (Amazon Corretto Crypto Provider not used: " + problem + ")";
        return description;
    }
}
