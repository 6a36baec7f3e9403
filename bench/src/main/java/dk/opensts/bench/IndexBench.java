package dk.opensts.bench;

import dk.opensts.access.api.ServiceAgreements.Grant;
import dk.opensts.classification.api.Classifications;
import dk.opensts.classification.kle.SyntheticKle;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.index.JsonLinesBatch;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.Services;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import tools.jackson.databind.JsonNode;

/**
 * Case and benefit index benchmark. In one run, against one embedded PostgreSQL:
 * <ol>
 *   <li>baseline: COPY of the same rows (local id and the record as JSON) into plain tables;</li>
 *   <li>ingest through the batch APIs (1,000 items per batch, with Content-Digest) with
 *       {@code --senders} concurrent senders: cases first, then documents and grants;</li>
 *   <li>after VACUUM and CHECKPOINT, search by CPR with a privilege filter (KLE prefixes, an org unit tree, sensitivity) and
 *       documents and grants included, {@code --clients} concurrent clients over HTTP, after
 *       {@code --warmup} seconds of the same searches (60 by default: right after the bulk load the
 *       first half minute of searches waits on reads the load left cold);</li>
 *   <li>disk size of the case index per million cases with their documents.</li>
 * </ol>
 * {@code --scale 1} is the full scale: 10 municipalities, 600,000 CPRs, 1,000,000 cases, 3,000,000
 * documents, 500,000 grants. Options: {@code --scale}, {@code --senders}, {@code --clients},
 * {@code --searches}, {@code --warmup}, {@code --db-url}.
 */
public final class IndexBench {

    static final int MUNICIPALITIES = 10;
    static final int UNITS = 60;
    static final int BATCH = 1000;
    static final String[] SENSITIVITY = {"IKKE_FORTROLIGE_DATA", "FORTROLIGE_PERSONOPLYSNINGER",
            "FOELSOMME_PERSONOPLYSNINGER", "VIP_SAGER"};

    public static void main(String[] args) throws Exception {
        Bench.Options options = new Bench.Options(args);
        double scale = options.number("scale", 1.0);
        int senders = options.integer("senders", 4);
        int clients = options.integer("clients", 8);
        int searches = options.integer("searches", 20_000);
        double warmupSeconds = options.number("warmup", 60);
        Data data = new Data(scale);
        try (Bench.Server server = new Bench.Server(options.text("db-url", null))) {
            SERVER.set(server);
            Bench.progress("setting up KLE and " + MUNICIPALITIES + " municipalities with " + UNITS + " units each");
            StringWriter kle = new StringWriter();
            SyntheticKle.write(kle, 100, 10, 5, 42);
            server.context.getBean(Classifications.class).importKle(new StringReader(kle.toString()), "bench");
            List<Publisher> publishers = new ArrayList<>();
            for (int m = 0; m < MUNICIPALITIES; m++) {
                data.units.add(units(server, data.cvr(m)));
                publishers.add(new Publisher(server, data.cvr(m)));
            }

            Bench.progress("COPY baseline of " + data.total() + " rows");
            double copySeconds = copyBaseline(server, data);
            Bench.progress("COPY: " + Math.round(copySeconds) + " s");

            Bench.progress("ingest through the batch APIs with " + senders + " senders");
            long t0 = Bench.nanos();
            AtomicLong sent = new AtomicLong();
            run(senders, batches(data, publishers, "case"), sent);
            List<Supplier<Long>> rest = new ArrayList<>(batches(data, publishers, "document"));
            rest.addAll(batches(data, publishers, "grant"));
            Collections.shuffle(rest, new Random(1));
            run(senders, rest, sent);
            double ingestSeconds = Bench.millis(t0) / 1000;
            Bench.progress("ingest: " + sent.get() + " records in " + Math.round(ingestSeconds) + " s");

            // searches are measured on a settled database: vacuumed (as autovacuum would have by then)
            // and checkpointed, so that the bulk load's dirty pages are not written out under them
            try (Connection c = server.dataSource().getConnection(); var s = c.createStatement()) {
                s.execute("VACUUM (ANALYZE) case_index.cases, case_index.case_party, case_index.documents,"
                        + " benefit_index.grants, platform.audit_log");
                s.execute("CHECKPOINT");
            }
            // and the server's heap settled too: the benchmark ran the bulk load in the same JVM
            System.gc();
            long caseBytes = size(server, "case_index.cases") + size(server, "case_index.case_party")
                    + size(server, "case_index.documents");
            long grantBytes = size(server, "benefit_index.grants");

            Bench.progress("search: " + searches + " by CPR with " + clients + " clients");
            List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicLong found = new AtomicLong();
            AtomicLong parsed = new AtomicLong();
            AtomicLong warmupSearches = new AtomicLong();
            long warmupStart = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    int m = client % MUNICIPALITIES;
                    Searcher searcher = new Searcher(server, data, m);
                    Random r = new Random(client);
                    long warmupEnd = warmupStart + (long) (warmupSeconds * 1e9);
                    int measured = 0;
                    for (int i = 0; measured < searches / clients; i++) {
                        boolean warm = System.nanoTime() >= warmupEnd;
                        String cpr = data.cpr(m, r.nextInt(data.cprs));
                        long t = Bench.nanos();
                        var answer = server.call("GET", "/api/case-index/v1/cases?party=" + cpr
                                + "&include=documents,grants&purpose=benchmark", searcher.token(), null, null);
                        double ms = Bench.millis(t);
                        // the client's own work is kept small (it shares the two cores with the server):
                        // every answer's status is checked, every tenth is parsed and counted
                        if (answer.statusCode() != 200 || i % 10 == 0) {
                            JsonNode page = server.ok(answer);
                            if (warm) {
                                parsed.incrementAndGet();
                                found.addAndGet(page.get("items").size());
                            }
                        }
                        if (warm) {
                            latencies.add(ms);
                            measured++;
                        } else {
                            warmupSearches.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();

            double perSecond = sent.get() / ingestSeconds;
            double copyPerSecond = data.total() / copySeconds;
            LinkedHashMap<String, Object> figures = new LinkedHashMap<>();
            figures.put("cases", data.cases * MUNICIPALITIES);
            figures.put("documents", data.documents * MUNICIPALITIES);
            figures.put("grants", data.grants * MUNICIPALITIES);
            figures.put("cprs", (long) data.cprs * MUNICIPALITIES);
            figures.put("senders", senders);
            figures.put("ingest_records_per_s", perSecond);
            figures.put("copy_records_per_s", copyPerSecond);
            figures.put("ingest_vs_copy", copyPerSecond / perSecond);
            figures.put("clients", clients);
            figures.put("warmup_s", warmupSeconds);
            figures.put("warmup_searches", warmupSearches.get());
            figures.put("searches", latencies.size());
            figures.put("search_p50_ms", Bench.median(latencies));
            figures.put("search_p99_ms", Bench.percentile(latencies, 99));
            figures.put("cases_found_per_search", (double) found.get() / Math.max(1, parsed.get()));
            figures.put("case_index_mb_per_million_cases", caseBytes / 1e6 / (data.cases * MUNICIPALITIES / 1e6));
            figures.put("grant_index_mb", grantBytes / 1e6);
            Bench.result("indexes", figures);
        }
    }

    /** The synthetic population, deterministic: every field of case i of municipality m comes from a seed. */
    static final class Data {
        final long cases;
        final long documents;
        final long grants;
        final int cprs;
        final List<List<UUID>> units = new ArrayList<>();
        final List<String> subjects = new ArrayList<>();

        Data(double scale) {
            cases = Math.max(10, Math.round(1_000_000 * scale / MUNICIPALITIES));
            documents = cases * 3;
            grants = cases / 2;
            cprs = (int) Math.max(6, Math.round(600_000 * scale / MUNICIPALITIES));
            for (int m = 0; m < 100; m++) {
                for (int g = 0; g < 10; g++) {
                    for (int s = 0; s < 5; s++) {
                        subjects.add(String.format("%02d.%02d.%02d", m, g, s));
                    }
                }
            }
        }

        long total() {
            return (cases + documents + grants) * MUNICIPALITIES;
        }

        String cvr(int m) {
            return String.format("3%07d", m);
        }

        String cpr(int m, int i) {
            return String.format("%02d%08d", m, i);
        }

        /** The facts of case i: its citizen, subject (skewed towards the first main groups), unit, sensitivity, dates. */
        record Facts(String cpr, String kle, UUID unit, String sensitivity, LocalDate opened, LocalDate closed,
                     boolean exempt) {
        }

        Facts facts(int m, long i) {
            Random r = new Random(m * 1_000_003L + i * 7919L);
            String cpr = cpr(m, r.nextInt(cprs));
            double u = r.nextDouble();
            String kle = subjects.get((int) (u * u * subjects.size()));
            UUID unit = units.get(m).get(r.nextInt(units.get(m).size()));
            int s = r.nextInt(100);
            String sensitivity = SENSITIVITY[s < 30 ? 0 : s < 80 ? 1 : s < 98 ? 2 : 3];
            LocalDate opened = LocalDate.of(2015, 1, 1).plusDays(r.nextInt(3650));
            LocalDate closed = r.nextInt(10) < 4 ? opened.plusDays(30 + r.nextInt(400)) : null;
            return new Facts(cpr, kle, unit, sensitivity, opened, closed, r.nextInt(100) < 2);
        }

        String caseJson(int m, long i) {
            Facts f = facts(m, i);
            return "{\"version\":1,\"caseNumber\":\"" + f.opened().getYear() + "-" + i + "\",\"title\":\"Sag om "
                    + f.kle() + " nr. " + i + "\",\"description\":\"Syntetisk sag til benchmark\",\"states\":["
                    + "{\"state\":\"OPSTAAET\",\"from\":\"" + f.opened() + "\"},{\"state\":\"OPLYST\",\"from\":\""
                    + f.opened().plusDays(10) + "\"}" + (f.closed() == null ? "" : ",{\"state\":\"AFSLUTTET\",\"from\":\""
                    + f.closed() + "\"}") + "],\"sensitivity\":\"" + f.sensitivity() + "\",\"parties\":[{\"type\":\"CPR\","
                    + "\"id\":\"" + f.cpr() + "\",\"role\":\"PRIMARY\",\"name\":\"Borger " + f.cpr().substring(4)
                    + "\",\"address\":\"Syntetisk Vej " + (i % 200) + "\",\"protectedAddress\":" + (i % 97 == 0) + "}],"
                    + "\"municipality\":\"" + cvr(m) + "\",\"orgUnit\":\"" + f.unit() + "\",\"caseworker\":\"sb"
                    + (i % 50) + "\",\"kle\":\"" + f.kle() + "\",\"handlingClass\":\"G01\",\"exempt\":" + f.exempt()
                    + ",\"deepLink\":\"https://fagsystem.example/sag/" + i + "\"}";
        }

        String documentJson(int m, long j) {
            long c = j / 3;
            Facts f = facts(m, c);
            return "{\"version\":1,\"caseLocalId\":\"c-" + c + "\",\"number\":\"" + (j % 3 + 1) + "\",\"title\":\""
                    + (j % 3 == 0 ? "Ansøgning" : j % 3 == 1 ? "Afgørelse" : "Notat") + " " + j + "\",\"letterDate\":\""
                    + f.opened().plusDays(j % 3 * 5) + "\",\"documentVersion\":\"1.0\",\"documentType\":\""
                    + (j % 3 == 0 ? "Indgående" : "Udgående") + "\",\"parties\":[{\"type\":\"CPR\",\"id\":\"" + f.cpr()
                    + "\",\"role\":\"PRIMARY\"}],\"kle\":\"" + f.kle() + "\",\"deepLink\":\"https://fagsystem.example/dok/"
                    + j + "\"}";
        }

        String grantJson(int m, long g) {
            long c = g * 2;
            Facts f = facts(m, c);
            String sensitivity = f.sensitivity().equals("VIP_SAGER") ? "FOELSOMME_PERSONOPLYSNINGER" : f.sensitivity();
            return "{\"version\":1,\"userKey\":\"B-" + g + "\",\"municipality\":\"" + cvr(m) + "\",\"from\":\""
                    + f.opened().plusDays(20) + "\"," + (f.closed() == null ? "" : "\"to\":\"" + f.closed().plusDays(20)
                    + "\",") + "\"status\":\"GRANTED\",\"sensitivity\":\"" + sensitivity + "\",\"party\":{\"type\":\"CPR\","
                    + "\"id\":\"" + f.cpr() + "\",\"role\":\"BENEFIT_RECIPIENT\"},\"caseNumber\":\""
                    + f.opened().getYear() + "-" + c + "\",\"kle\":\"" + f.kle() + "\",\"orgUnit\":\"" + f.unit()
                    + "\",\"benefits\":[{\"benefitClass\":\"Kontanthjælp\",\"from\":\"" + f.opened().plusDays(20)
                    + "\",\"repayable\":false,\"paymentPlan\":{\"frequency\":\"MONTHLY\",\"amount\":12000.00}}],"
                    + "\"effectuations\":[{\"from\":\"" + f.opened().plusDays(20) + "\",\"to\":\"" + f.opened().plusDays(50)
                    + "\",\"grossAmount\":12000.00,\"paidAmount\":8400.00}]}";
        }

        String json(String kind, int m, long i) {
            return switch (kind) {
                case "case" -> caseJson(m, i);
                case "document" -> documentJson(m, i);
                default -> grantJson(m, i);
            };
        }

        long count(String kind) {
            return switch (kind) {
                case "case" -> cases;
                case "document" -> documents;
                default -> grants;
            };
        }

        static String prefix(String kind) {
            return kind.substring(0, 1) + "-";
        }
    }

    /** The municipality's org units: a root with children and grandchildren. */
    static List<UUID> units(Bench.Server server, String cvr) {
        UUID org = server.context.getBean(Organisations.class).ensureMunicipality(cvr, "Kommune " + cvr, "bench");
        String token = server.token(cvr, Services.ORGANISATION, Services.READ, Services.WRITE);
        List<UUID> out = new ArrayList<>();
        for (int i = 0; i < UNITS; i++) {
            UUID parent = i == 0 ? null : out.get((i - 1) / 5);
            String body = "{\"organisation\":\"" + org + "\",\"userKey\":\"u" + i + "\",\"name\":\"Enhed " + i + "\","
                    + "\"validity\":{\"from\":\"2000-01-01T00:00:00Z\"}" + (parent == null ? "" : ",\"parent\":\"" + parent + "\"")
                    + "}";
            out.add(UUID.fromString(server.ok(server.call("POST", "/api/organisation/v1/units", token,
                    "application/json", body.getBytes(StandardCharsets.UTF_8))).get("id").asString()));
        }
        return out;
    }

    /** Tokens that are renewed before they expire (five minutes by default). */
    static final class Tokens {
        private final Bench.Server server;
        private final HttpClient client;
        private final String cvr;
        private final String service;
        private String token;
        private long at;

        Tokens(Bench.Server server, HttpClient client, String cvr, String service) {
            this.server = server;
            this.client = client;
            this.cvr = cvr;
            this.service = service;
        }

        synchronized String get() {
            if (token == null || System.nanoTime() - at > 120_000_000_000L) {
                token = server.token(client, cvr, service);
                at = System.nanoTime();
            }
            return token;
        }
    }

    /** A fagsystem of one municipality that publishes cases, documents and grants. */
    static final class Publisher {
        final Tokens cases;
        final Tokens grants;

        Publisher(Bench.Server server, String cvr) {
            HttpClient caseClient = server.mutualTls(server.enrolGrants(cvr, Services.CASE_INDEX,
                    List.of(new Grant(Services.PUBLISH, Map.of()))));
            HttpClient grantClient = server.mutualTls(server.enrolGrants(cvr, Services.BENEFIT_INDEX,
                    List.of(new Grant(Services.PUBLISH, Map.of()))));
            cases = new Tokens(server, caseClient, cvr, Services.CASE_INDEX);
            grants = new Tokens(server, grantClient, cvr, Services.BENEFIT_INDEX);
        }
    }

    /** A caseworker system's search privilege: 40 KLE main groups, the whole unit tree, up to sensitive data. */
    static final class Searcher {
        final Tokens tokens;

        Searcher(Bench.Server server, Data data, int m) {
            List<String> groups = new ArrayList<>();
            for (int g = 0; g < 40; g++) {
                groups.add(String.format("%02d.*", g));
            }
            HttpClient client = server.mutualTls(server.enrolGrants(data.cvr(m), Services.CASE_INDEX, List.of(
                    new Grant(Services.SEARCH, Map.of(Constraints.KLE, String.join(",", groups),
                            Constraints.ORG_UNIT, data.units.get(m).get(0) + ".*",
                            Constraints.SENSITIVITY, "FOELSOMME_PERSONOPLYSNINGER")))));
            tokens = new Tokens(server, client, data.cvr(m), Services.CASE_INDEX);
        }

        String token() {
            return tokens.get();
        }
    }

    /** One batch per task: builds the JSON lines, sends them with their digest and count, checks every item. */
    static List<Supplier<Long>> batches(Data data, List<Publisher> publishers, String kind) {
        List<Supplier<Long>> out = new ArrayList<>();
        for (int m = 0; m < MUNICIPALITIES; m++) {
            int municipality = m;
            for (long from = 0; from < data.count(kind); from += BATCH) {
                long start = from;
                out.add(() -> {
                    long end = Math.min(data.count(kind), start + BATCH);
                    StringBuilder lines = new StringBuilder();
                    for (long i = start; i < end; i++) {
                        lines.append("{\"op\":\"import\",\"type\":\"").append(kind).append("\",\"localId\":\"")
                                .append(Data.prefix(kind)).append(i).append("\",\"data\":")
                                .append(data.json(kind, municipality, i)).append("}\n");
                    }
                    byte[] body = lines.toString().getBytes(StandardCharsets.UTF_8);
                    Publisher p = publishers.get(municipality);
                    boolean grant = kind.equals("grant");
                    Bench.Server server = SERVER.get();
                    JsonNode answer = server.ok(server.call("POST", grant ? "/api/benefit-index/v1/grants/batch"
                                    : "/api/case-index/v1/batch", grant ? p.grants.get() : p.cases.get(),
                            JsonLinesBatch.MEDIA_TYPE, body, JsonLinesBatch.CONTENT_DIGEST,
                            JsonLinesBatch.contentDigest(body), JsonLinesBatch.ITEM_COUNT, String.valueOf(end - start)));
                    JsonNode failed = answer.path("outcomes").path("FAILED");
                    if (!failed.isMissingNode()) {
                        throw new IllegalStateException(kind + " batch failed items: " + answer.path("results")
                                .findParents("problem").get(0));
                    }
                    return end - start;
                });
            }
        }
        return out;
    }

    /** The server the batch tasks send to (set while a run is on). */
    static final java.util.concurrent.atomic.AtomicReference<Bench.Server> SERVER =
            new java.util.concurrent.atomic.AtomicReference<>();

    static void run(int senders, List<Supplier<Long>> tasks, AtomicLong sent) throws Exception {
        ConcurrentLinkedQueue<Supplier<Long>> queue = new ConcurrentLinkedQueue<>(tasks);
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        List<Future<?>> futures = new ArrayList<>();
        long total = tasks.size();
        AtomicLong done = new AtomicLong();
        for (int s = 0; s < senders; s++) {
            futures.add(pool.submit(() -> {
                Supplier<Long> task;
                while ((task = queue.poll()) != null) {
                    sent.addAndGet(task.get());
                    long d = done.incrementAndGet();
                    if (d % 200 == 0) {
                        Bench.progress(d + "/" + total + " batches, " + sent.get() + " records");
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
    }

    static double copyBaseline(Bench.Server server, Data data) throws Exception {
        try (Connection c = server.dataSource().getConnection(); var s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS bench_copy");
            for (String kind : List.of("case", "document", "grant")) {
                s.execute("CREATE TABLE bench_copy." + kind + " (local_id text, body jsonb)");
            }
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            long t0 = Bench.nanos();
            for (String kind : List.of("case", "document", "grant")) {
                for (int m = 0; m < MUNICIPALITIES; m++) {
                    for (long from = 0; from < data.count(kind); from += BATCH) {
                        ByteArrayOutputStream rows = new ByteArrayOutputStream();
                        long end = Math.min(data.count(kind), from + BATCH);
                        for (long i = from; i < end; i++) {
                            // text format: tab-separated, backslashes escaped
                            rows.writeBytes((Data.prefix(kind) + i + "\t" + data.json(kind, m, i).replace("\\", "\\\\")
                                    + "\n").getBytes(StandardCharsets.UTF_8));
                        }
                        copy.copyIn("COPY bench_copy." + kind + " FROM STDIN", new java.io.ByteArrayInputStream(
                                rows.toByteArray()));
                    }
                }
            }
            double seconds = Bench.millis(t0) / 1000;
            s.execute("DROP SCHEMA bench_copy CASCADE");
            return seconds;
        }
    }

    static long size(Bench.Server server, String table) {
        return new org.springframework.jdbc.core.JdbcTemplate(server.dataSource())
                .queryForObject("SELECT pg_total_relation_size('" + table + "')", Long.class);
    }
}
