package dk.opensts.bench;

import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.platform.security.Pem;
import dk.opensts.access.roles.JobRoles;
import dk.opensts.access.roles.UserSystems;
import dk.opensts.access.saml.ContextHandler;
import dk.opensts.saml.Messages;
import dk.opensts.saml.RedirectBinding;
import dk.opensts.saml.SamlXml;
import dk.opensts.access.saml.TestIdentityProvider;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.Services;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.web.util.HtmlUtils;
import org.w3c.dom.Element;

/**
 * Complete user logins per second on loopback: a service provider's signed AuthnRequest, the context
 * handler's redirect to the municipal (test) IdP, the password login there, the IdP's answer to the
 * context handler, and the context handler's signed answer, which the service provider verifies.
 * Browsers are simulated over HTTP, each in its own thread; the context handler's two hops (the
 * AuthnRequest and the IdP's answer) are timed by the browser, and by the context handler itself
 * (its {@code Server-Timing} header: from the controller's start to its answer, without HTTP parsing,
 * the filter chain and the wait for a server thread).
 *
 * <p>Every party signs with RSA 3072 (the development CA's SAML keys): the context handler three times
 * a login, the test IdP twice, the service provider once, and the service provider decrypts once.
 * The simulated parties share the two cores with the context handler.
 *
 * <p>The organisation has {@code --users} caseworkers spread over 50 units under one root, the job role
 * is assigned to the root with subunits and has a dynamic org unit constraint, so every login reads
 * the user, her units, their ancestors, the assignments and resolves the subtree, as in production.
 *
 * <pre>
 * java -cp ... dk.opensts.bench.LoginBench [--browsers 8] [--seconds 30] [--warmup 40] [--max-warmup 480]
 *     [--jit-settled 0.05] [--runs 3] [--users 500] [--concurrent-hops auto]
 * RESULT logins browsers=8 runs=3 users=500 concurrent_hops=4 warmup_s=... jit_settled=true jit_share_during_runs=... logins=...
 *        logins_per_s=... request_hop_p50_ms=... request_hop_p99_ms=... answer_hop_p50_ms=... answer_hop_p99_ms=...
 *        request_server_p50_ms=... request_server_p99_ms=... answer_server_p50_ms=... answer_server_p99_ms=...
 *        idp_p50_ms=... errors=0
 * </pre>
 * Figures are the median over the runs of each run's figure, in the steady state: the warm-up logs in
 * for at least {@code --warmup} seconds and then on until the JIT compiled for less than
 * {@code --jit-settled} of the last ten seconds (at most {@code --max-warmup} seconds in all). On two
 * cores the compilers take most of a core for about four minutes after the start, and the logins a
 * second double meanwhile; a fixed 40-second warm-up measured that transient.
 */
public final class LoginBench {

    private static final String CVR = "29189846";
    private static final Pattern FORM = Pattern.compile("<form method=\"(?:post|get)\" action=\"([^\"]*)\"");
    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");

    private LoginBench() {
    }

    public static void main(String[] args) throws Exception {
        Bench.Options o = new Bench.Options(args);
        int browsers = o.integer("browsers", 8);
        double seconds = o.number("seconds", 30);
        double warmup = o.number("warmup", 40);
        double maxWarmup = o.number("max-warmup", 480);
        double jitSettled = o.number("jit-settled", 0.05);
        int runs = o.integer("runs", 3);
        int users = o.integer("users", 500);
        // the context handler's admission of hops (opensts.saml.concurrent-hops): auto, or 0 for no limit
        String hops = o.text("concurrent-hops", "auto");
        try (Bench.Server server = new Bench.Server(o.text("db-url", null), "--opensts.saml.test-idp.enabled=true",
                "--opensts.saml.concurrent-hops=" + hops)) {
            Setup setup = setUp(server, users);
            Bench.progress("set up: " + users + " users; warming up at least " + warmup + " s");
            Bench.Warmup warm = Bench.warmUp(warmup, maxWarmup, jitSettled, s -> measure(server, setup, browsers, s));
            List<Run> results = new ArrayList<>();
            Bench.JitClock runsClock = Bench.JitClock.start();
            for (int r = 0; r < runs; r++) {
                Bench.JitClock clock = Bench.JitClock.start();
                Run run = measure(server, setup, browsers, seconds);
                Bench.progress(String.format(java.util.Locale.ROOT, "run %d: %.1f logins/s, request hop p99 %.1f ms, "
                        + "answer hop p99 %.1f ms, errors %d, JIT %.0f %%", r + 1, run.perSecond, run.requestP99,
                        run.answerP99, run.errors, clock.share() * 100));
                results.add(run);
            }
            double jitShare = runsClock.share();
            LinkedHashMap<String, Object> f = new LinkedHashMap<>();
            f.put("browsers", browsers);
            f.put("runs", runs);
            f.put("users", users);
            f.put("concurrent_hops", server.context.getBean(ContextHandler.class).concurrentHops());
            f.put("warmup_s", warm.seconds());
            f.put("jit_settled", warm.settled());
            f.put("jit_share_during_runs", jitShare);
            f.put("logins", results.stream().mapToLong(r -> r.logins).sum());
            f.put("logins_per_s", Bench.median(results.stream().map(r -> r.perSecond).toList()));
            f.put("request_hop_p50_ms", Bench.median(results.stream().map(r -> r.requestP50).toList()));
            f.put("request_hop_p99_ms", Bench.median(results.stream().map(r -> r.requestP99).toList()));
            f.put("answer_hop_p50_ms", Bench.median(results.stream().map(r -> r.answerP50).toList()));
            f.put("answer_hop_p99_ms", Bench.median(results.stream().map(r -> r.answerP99).toList()));
            f.put("request_server_p50_ms", Bench.median(results.stream().map(r -> r.requestServerP50).toList()));
            f.put("request_server_p99_ms", Bench.median(results.stream().map(r -> r.requestServerP99).toList()));
            f.put("answer_server_p50_ms", Bench.median(results.stream().map(r -> r.answerServerP50).toList()));
            f.put("answer_server_p99_ms", Bench.median(results.stream().map(r -> r.answerServerP99).toList()));
            f.put("idp_p50_ms", Bench.median(results.stream().map(r -> r.idpP50).toList()));
            f.put("errors", results.stream().mapToLong(r -> r.errors).sum());
            Bench.result("logins", f);
        }
    }

    private record Setup(String ssoUrl, String spEntity, String acs, DevelopmentCa.Issued spKey,
                         java.security.cert.X509Certificate handler,
                         List<String> usernames) {
    }

    private static Setup setUp(Bench.Server server, int users) {
        var ctx = server.context;
        Organisations organisations = ctx.getBean(Organisations.class);
        organisations.ensureMunicipality(CVR, "Benchmark Kommune", "bench");
        UUID root = UUID.randomUUID();
        List<String> feed = new ArrayList<>();
        feed.add(unit(root, "root", null));
        List<UUID> units = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            UUID u = UUID.randomUUID();
            units.add(u);
            feed.add(unit(u, "u" + i, i < 10 ? root : units.get(i / 10 - 1)));
        }
        List<UUID> userIds = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            UUID id = UUID.randomUUID();
            userIds.add(id);
            feed.add("{\"type\":\"user\",\"id\":\"" + id + "\",\"userKey\":\"sb" + i + "\",\"name\":\"Sagsbehandler " + i + "\"}");
            feed.add("{\"type\":\"function\",\"id\":\"" + UUID.randomUUID() + "\",\"userKey\":\"e" + i + "\",\"name\":\"Ansættelse\","
                    + "\"functionType\":\"ENGAGEMENT\",\"users\":[\"" + id + "\"],\"units\":[\"" + units.get(i % units.size()) + "\"]}");
        }
        organisations.importFeed(CVR, new StringReader(String.join("\n", feed)), "bench");

        DevelopmentCa ca = ctx.getBean(DevelopmentCa.Holder.class).ca();
        DevelopmentCa.Issued spKey = ca.issueSaml("Benchmark SP", Instant.now().minus(1, ChronoUnit.HOURS),
                Instant.now().plus(1, ChronoUnit.DAYS));
        String sp = "https://bench.sp/overview";
        String role = sp + "/roles/search";
        ctx.getBean(UserSystems.class).register(new UserSystems.UserSystem(sp, "Benchmark SP", List.of(sp + "/acs"),
                Pem.encode(spKey.certificate()), Pem.encode(spKey.certificate()), null, null, null, List.of(
                new UserSystems.SystemRole(role, "Søg", null, Services.indexConstraints()))), "bench");
        Actor admin = Actor.internal("bench", CVR);
        JobRoles jobRoles = ctx.getBean(JobRoles.class);
        String job = "https://bench.kommune.dk/jobroles/caseworker";
        jobRoles.create(CVR, new JobRoles.JobRoleInput(job, "Sagsbehandler", null, null, List.of(
                new JobRoles.SystemRoleGrant(role, List.of(
                        new JobRoles.ConstraintValue(Constraints.KLE, "27.*", null),
                        new JobRoles.ConstraintValue(Constraints.ORG_UNIT, null, JobRoles.Dynamic.OWN_UNITS_AND_BELOW),
                        new JobRoles.ConstraintValue(Constraints.SENSITIVITY, "FOELSOMME_PERSONOPLYSNINGER", null)))),
                null, null), admin);
        jobRoles.assign(CVR, new JobRoles.AssignmentInput(job, null, root, true, null, null, null), u -> true, u -> true,
                admin);
        TestIdentityProvider idp = ctx.getBean(TestIdentityProvider.class);
        idp.serve(CVR, "bench");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            idp.addUser("sb" + i, "pw" + i, CVR, userIds.get(i), "Sagsbehandler " + i, null, List.of());
            names.add("sb" + i);
        }
        ContextHandler.Settings s = ctx.getBean(ContextHandler.class).settings();
        return new Setup(s.ssoUrl(), sp, sp + "/acs", spKey, s.certificate(), names);
    }

    private static String unit(UUID id, String key, UUID parent) {
        return "{\"type\":\"unit\",\"id\":\"" + id + "\",\"userKey\":\"" + key + "\",\"name\":\"Enhed " + key + "\""
                + (parent == null ? "" : ",\"parent\":\"" + parent + "\"") + "}";
    }

    private record Run(long logins, double perSecond, double requestP50, double requestP99, double answerP50,
                       double answerP99, double idpP50, double requestServerP50, double requestServerP99,
                       double answerServerP50, double answerServerP99, long errors) {
    }

    private static Run measure(Bench.Server server, Setup setup, int browsers, double seconds) throws Exception {
        List<Double> requestHop = Collections.synchronizedList(new ArrayList<>());
        List<Double> answerHop = Collections.synchronizedList(new ArrayList<>());
        List<Double> idpHops = Collections.synchronizedList(new ArrayList<>());
        List<Double> requestServer = Collections.synchronizedList(new ArrayList<>());
        List<Double> answerServer = Collections.synchronizedList(new ArrayList<>());
        AtomicLong logins = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicInteger seq = new AtomicInteger();
        long start = Bench.nanos();
        long end = start + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int b = 0; b < browsers; b++) {
            Thread t = new Thread(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .followRedirects(HttpClient.Redirect.NEVER).build();
                while (System.nanoTime() < end) {
                    int n = seq.incrementAndGet();
                    try {
                        login(http, setup, "_bench-" + n + "-" + UUID.randomUUID(), setup.usernames().get(n % setup.usernames().size()),
                                n % setup.usernames().size(), requestHop, answerHop, idpHops, requestServer, answerServer);
                        logins.incrementAndGet();
                    } catch (Exception e) {
                        if (errors.incrementAndGet() <= 3) {
                            Bench.progress("login failed: " + e);
                        }
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (Bench.nanos() - start) / 1e9;
        return new Run(logins.get(), logins.get() / elapsed, pct(requestHop, 50), pct(requestHop, 99),
                pct(answerHop, 50), pct(answerHop, 99), pct(idpHops, 50), pct(requestServer, 50), pct(requestServer, 99),
                pct(answerServer, 50), pct(answerServer, 99), errors.get());
    }

    private static double pct(List<Double> values, double p) {
        return values.isEmpty() ? 0 : Bench.percentile(new ArrayList<>(values), p);
    }

    /** The context handler's own time from its {@code Server-Timing} header. */
    private static double serverTiming(HttpResponse<String> r) {
        String h = r.headers().firstValue("Server-Timing").orElseThrow(() -> new IllegalStateException("no Server-Timing"));
        Matcher m = Pattern.compile("dur=([0-9.]+)").matcher(h);
        if (!m.find()) {
            throw new IllegalStateException("Server-Timing without dur: " + h);
        }
        return Double.parseDouble(m.group(1));
    }

    private static void login(HttpClient http, Setup s, String requestId, String username, int index,
                              List<Double> requestHop, List<Double> answerHop, List<Double> idpHops,
                              List<Double> requestServer, List<Double> answerServer) throws Exception {
        String url = RedirectBinding.encode(s.ssoUrl(), "SAMLRequest", SamlXml.serialize(Messages.authnRequest(
                requestId, s.spEntity(), s.ssoUrl(), s.acs(), null, null, Instant.now())), "bench", s.spKey().key());
        long t0 = Bench.nanos();
        HttpResponse<String> toIdp = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        requestHop.add(Bench.millis(t0));
        requestServer.add(serverTiming(toIdp));
        expect(toIdp, 302);
        long t1 = Bench.nanos();
        HttpResponse<String> loginPage = http.send(HttpRequest.newBuilder(URI.create(
                toIdp.headers().firstValue("Location").orElseThrow())).GET().build(), HttpResponse.BodyHandlers.ofString());
        expect(loginPage, 200);
        Map<String, String> fields = new LinkedHashMap<>(hidden(loginPage.body()));
        fields.put("username", username);
        fields.put("password", "pw" + index);
        fields.put("loa", "Substantial");
        HttpResponse<String> idpAnswer = post(http, base(url) + action(loginPage.body()), fields);
        idpHops.add(Bench.millis(t1));
        expect(idpAnswer, 200);
        long t2 = Bench.nanos();
        HttpResponse<String> answer = post(http, action(idpAnswer.body()), hidden(idpAnswer.body()));
        answerHop.add(Bench.millis(t2));
        answerServer.add(serverTiming(answer));
        expect(answer, 200);
        if (!s.acs().equals(action(answer.body()))) {
            throw new IllegalStateException("the answer is not for the SP: " + answer.body());
        }
        // the service provider's part: decrypt, and verify both signatures
        Element resp = SamlXml.parse(Base64.getDecoder().decode(hidden(answer.body()).get("SAMLResponse")))
                .getDocumentElement();
        SamlXml.verify(resp, List.of(s.handler()), Instant.now());
        Element assertion = SamlXml.decrypt(SamlXml.child(resp, SamlXml.ASSERTION, "EncryptedAssertion"), s.spKey().key());
        SamlXml.verify(assertion, List.of(s.handler()), Instant.now());
    }

    private static String base(String url) {
        URI u = URI.create(url);
        return u.getScheme() + "://" + u.getAuthority();
    }

    private static HttpResponse<String> post(HttpClient http, String url, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(HttpResponse<String> r, int status) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(r.uri() + " answered " + r.statusCode() + ": "
                    + r.body().substring(0, Math.min(300, r.body().length())));
        }
    }

    private static String action(String page) {
        Matcher m = FORM.matcher(page);
        if (!m.find()) {
            throw new IllegalStateException("no form: " + page.substring(0, Math.min(300, page.length())));
        }
        return HtmlUtils.htmlUnescape(m.group(1));
    }

    private static Map<String, String> hidden(String page) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher h = HIDDEN.matcher(page);
        while (h.find()) {
            out.put(HtmlUtils.htmlUnescape(h.group(1)), HtmlUtils.htmlUnescape(h.group(2)));
        }
        return out;
    }
}
