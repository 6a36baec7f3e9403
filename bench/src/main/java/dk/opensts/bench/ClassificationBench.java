package dk.opensts.bench;

import dk.opensts.classification.kle.SyntheticKle;
import dk.opensts.platform.security.Services;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import tools.jackson.databind.JsonNode;

/**
 * Classification benchmark: the import of the synthetic KLE-shaped file (real size at scale 1:
 * 100 main groups, 1,000 groups, 5,000 subjects, 110 handling facets) through
 * {@code POST /imports/kle} into an empty database, {@code --runs} times, each on a new server;
 * then look-ups of random classes by user key through {@code GET /classes/by-user-key/{key}}.
 * Each run measures {@code --reads} reads of one class by id (the floor of any authenticated read) and
 * as many look-ups, after {@code --warmup-reads} of each (default as many as measured); the figures
 * are medians over the runs of each run's percentile.
 * Options: {@code --scale} (main groups = 100 × scale), {@code --runs}, {@code --reads}, {@code --warmup-reads},
 * {@code --db-url} (an empty external database instead of the embedded one; with {@code --runs 1}).
 */
public final class ClassificationBench {

    public static void main(String[] args) throws Exception {
        Bench.Options options = new Bench.Options(args);
        double scale = options.number("scale", 1.0);
        int runs = options.integer("runs", 3);
        int reads = options.integer("reads", 5000);
        int mainGroups = Math.max(1, (int) Math.round(100 * scale));
        StringWriter xml = new StringWriter();
        SyntheticKle.write(xml, mainGroups, 10, 5, 42);
        byte[] body = xml.toString().getBytes(StandardCharsets.UTF_8);
        int warmupReads = options.integer("warmup-reads", reads);
        List<Double> imports = new ArrayList<>();
        List<Double> lookupP50 = new ArrayList<>();
        List<Double> lookupP99 = new ArrayList<>();
        List<Double> byIdP50 = new ArrayList<>();
        List<Double> byIdP99 = new ArrayList<>();
        int objects = 0;
        for (int run = 0; run < runs; run++) {
            try (Bench.Server server = new Bench.Server(options.text("db-url", null))) {
                String token = server.token("11111111", Services.CLASSIFICATION, Services.READ, Services.WRITE, Services.NATIONAL_WRITE);
                long t0 = Bench.nanos();
                JsonNode result = server.ok(server.call("POST", "/api/classification/v1/imports/kle", token,
                        "application/xml", body));
                imports.add(Bench.millis(t0));
                objects = result.get("objects").asInt();
                System.gc(); // a settled heap: the import's garbage is not the reads' business
                String anyClass = server.ok(server.call("GET", "/api/classification/v1/classes/by-user-key/00.00.00",
                        token, null, null)).get("id").asString();
                Random random = new Random(7);
                // a fresh server compiles its request path in its first thousands of requests: warm both
                // kinds of read up first, as a server that has been running does not pay that again
                for (int i = 0; i < warmupReads; i++) {
                    byId(server, token, anyClass);
                    lookup(server, token, random, mainGroups);
                }
                List<Double> byId = new ArrayList<>();
                List<Double> lookups = new ArrayList<>();
                for (int i = 0; i < reads; i++) {
                    byId.add(byId(server, token, anyClass));
                }
                for (int i = 0; i < reads; i++) {
                    lookups.add(lookup(server, token, random, mainGroups));
                }
                lookupP50.add(Bench.percentile(lookups, 50));
                lookupP99.add(Bench.percentile(lookups, 99));
                byIdP50.add(Bench.percentile(byId, 50));
                byIdP99.add(Bench.percentile(byId, 99));
                Bench.progress(String.format("run %d/%d: import %d ms %s; look-up p50 %.2f p99 %.2f ms, by id p50 %.2f"
                        + " p99 %.2f ms", run + 1, runs, Math.round(imports.get(run)), result, lookupP50.get(run),
                        lookupP99.get(run), byIdP50.get(run), byIdP99.get(run)));
            }
        }
        double importMs = Bench.median(imports);
        double p99 = Bench.median(lookupP99);
        LinkedHashMap<String, Object> figures = new LinkedHashMap<>();
        figures.put("objects", objects);
        figures.put("runs", runs);
        figures.put("import_median_ms", importMs);
        figures.put("import_min_ms", imports.stream().mapToDouble(Double::doubleValue).min().orElse(0));
        figures.put("warmup_reads", warmupReads);
        figures.put("lookups", reads);
        figures.put("lookup_p50_ms", Bench.median(lookupP50));
        figures.put("lookup_p99_ms", p99);
        figures.put("read_by_id_p50_ms", Bench.median(byIdP50));
        figures.put("read_by_id_p99_ms", Bench.median(byIdP99));
        figures.put("targets", "import<5000ms,lookup_p99<5ms");
        figures.put("met", importMs < 5000 && p99 < 5);
        Bench.result("classification", figures);
    }

    /** One authenticated read of a class by id; returns its time in ms. */
    static double byId(Bench.Server server, String token, String id) throws Exception {
        long r0 = Bench.nanos();
        int status = server.status("/api/classification/v1/classes/" + id, token);
        double ms = Bench.millis(r0);
        if (status != 200) {
            throw new IllegalStateException("read by id answered " + status);
        }
        return ms;
    }

    /** One look-up of a random subject by user key; returns its time in ms. */
    static double lookup(Bench.Server server, String token, Random random, int mainGroups) throws Exception {
        String key = String.format("%02d.%02d.%02d", random.nextInt(mainGroups), random.nextInt(10), random.nextInt(5));
        long r0 = Bench.nanos();
        JsonNode found = server.ok(server.call("GET", "/api/classification/v1/classes/by-user-key/" + key, token,
                null, null));
        double ms = Bench.millis(r0);
        if (!key.equals(found.path("userKey").asString())) {
            throw new IllegalStateException("look-up of " + key + " found " + found);
        }
        return ms;
    }
}
