package dk.opensts.bench;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dk.opensts.access.token.TokenVerification;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.CryptoProviders;
import dk.opensts.platform.security.CurrentActor;
import dk.opensts.platform.security.Services;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * Token verification per second on one core (JMH, one thread): the API's own decoder (RS256
 * signature by a published key, issuer, expiry, not-before) on a token shaped like OpenSTS's
 * (aud, cvr, priv with constraints, cnf), then the caller read from it as every request does; the
 * same for a repeat presentation of the token; and, as the floor in the same run, the RSA
 * signature check alone. Each runs with the JCA providers as the server puts them in place
 * ({@code auto}: AWS-LC first where it loads) and with the JDK's alone ({@code jdk}), each in a
 * JVM of its own (the providers are chosen once per process).
 * Options: {@code --forks 1}, {@code --iterations 5}, {@code --warmups 3}, {@code --seconds 2},
 * {@code --providers auto,jdk}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TokenVerificationBench {

    static final String ISSUER = "https://opensts.example";

    /** {@link CryptoProviders}'s choice, as {@code opensts.crypto.provider} sets it for the server. */
    @Param({"auto", "jdk"})
    public String providers;

    private JwtDecoder decoder;
    private JwtDecoder remembering;
    private String token;
    private java.security.PublicKey publicKey;
    private byte[] signingInput;
    private byte[] signature;

    @Setup
    public void setUp() throws Exception {
        String installed = CryptoProviders.install(providers);
        if (providers.equals("auto") && !installed.contains("AWS-LC")) {
            System.err.println("providers=auto gives: " + installed);
        }
        RSAKey key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
        RSAKey previous = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
        // two published keys, as during a rotation
        ImmutableJWKSet<SecurityContext> published = new ImmutableJWKSet<>(new JWKSet(List.of(key, previous)));
        decoder = TokenVerification.decoder(published, published::getJWKSet, ISSUER, java.time.Clock.systemUTC());
        remembering = TokenVerification.remembering(decoder,
                published::getJWKSet, java.time.Clock.systemUTC(), 100_000);
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).subject(UUID.randomUUID().toString())
                .audience(Services.ORGANISATION).issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(3600))).jwtID(UUID.randomUUID().toString())
                .claim("cvr", "11111111").claim("name", "Benchmark system")
                .claim("priv", List.of(Map.of("role", "read", "constraints",
                                Map.of("http://sts.kombit.dk/constraints/KLE/1", "27.*,28.*")),
                        Map.of("role", "write", "constraints", Map.of())))
                .claim("cnf", Map.of("x5t#S256", "EN9VSF9ghi7hLBP4BFjmInXy-cUdAV8fERfBrP0zGeo")).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        token = jwt.serialize();
        publicKey = key.toPublicKey();
        signingInput = jwt.getSigningInput();
        signature = jwt.getSignature().decode();
    }

    /** A token's first presentation: the full check, RSA signature included. */
    @Benchmark
    public Actor firstPresentation() {
        return CurrentActor.of(decoder.decode(token));
    }

    /** The floor: the RSA-2048 signature check alone on the same token (no parsing, no claims). */
    @Benchmark
    public boolean rsaSignatureOnly() throws java.security.GeneralSecurityException {
        java.security.Signature v = java.security.Signature.getInstance("SHA256withRSA");
        v.initVerify(publicKey);
        v.update(signingInput);
        return v.verify(signature);
    }

    /** Every later presentation of the same token (as the API's decoder does): time window only. */
    @Benchmark
    public Actor repeatPresentation() {
        return CurrentActor.of(remembering.decode(token));
    }

    public static void main(String[] args) throws Exception {
        Bench.Options o = new Bench.Options(args);
        String[] providers = o.text("providers", "auto,jdk").split(",");
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(TokenVerificationBench.class.getName() + ".(firstPresentation|repeatPresentation|rsaSignatureOnly)")
                .param("providers", providers)
                .forks((int) o.number("forks", 1))
                .threads(1)
                .warmupIterations((int) o.number("warmups", 3))
                .measurementIterations((int) o.number("iterations", 5))
                .warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds((long) o.number("seconds", 2)))
                .measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds((long) o.number("seconds", 2)))
                .build()).run();
        LinkedHashMap<String, Object> figures = new LinkedHashMap<>();
        figures.put("threads", 1);
        Map<String, Double> medians = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replaceAll(".*\\.", "") + "_" + r.getParams().getParam("providers");
            List<Double> iterations = r.getBenchmarkResults().stream()
                    .flatMap(b -> b.getIterationResults().stream()).map(i -> i.getPrimaryResult().getScore()).toList();
            medians.put(name, Bench.median(iterations));
            figures.put(name + "_per_s_median", Bench.median(iterations));
            figures.put(name + "_error_99_9", r.getPrimaryResult().getScoreError());
        }
        String product = providers[0];
        double first = medians.getOrDefault("firstPresentation_" + product, 0.0);
        for (String p : providers) {
            figures.put("first_vs_rsa_only_" + p, medians.getOrDefault("firstPresentation_" + p, 0.0)
                    / medians.getOrDefault("rsaSignatureOnly_" + p, Double.NaN));
        }
        if (medians.containsKey("firstPresentation_jdk") && !product.equals("jdk")) {
            figures.put("first_" + product + "_vs_jdk", first / medians.get("firstPresentation_jdk"));
        }
        figures.put("target", "firstPresentation_" + product + "_per_s_median>=20000");
        figures.put("met", first >= 20_000);
        Bench.result("token-verification", figures);
    }
}
