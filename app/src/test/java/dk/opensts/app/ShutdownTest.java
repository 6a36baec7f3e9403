package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.OpenStsApplication;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default run stopped as an operator stops it (SIGTERM): the application closes first, then
 * its embedded PostgreSQL; killed outright (SIGKILL), it starts again on its data. The embedded library's own shutdown hook stopped the database beside
 * the application's, and the application's last statements failed ("terminating connection due
 * to administrator command", logged as an error at every stop).
 */
class ShutdownTest {

    @Test
    void aStoppedServerClosesItselfBeforeItsDatabase(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        Process p = start(dir, log);
        try {
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(tail(log)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(lines).as(tail(log)).noneMatch(l -> l.contains(" ERROR ") || l.contains("administrator command"));
        // the database was stopped, not left running or killed with its lock file
        assertThat(dir.resolve("data").resolve("postgres").resolve("postmaster.pid")).doesNotExist();
    }

    /**
     * A run killed outright leaves its PostgreSQL running on the data folder; the next start stops it
     * and comes up with what was stored. A second server on a folder in use is refused.
     */
    @Test
    void aServerKilledOutrightStartsAgainOnItsData(@TempDir Path dir) throws Exception {
        Process first = start(dir, dir.resolve("first.log"));
        Process second = null;
        try {
            Process again = new ProcessBuilder(command(dir, LocalPorts.free())).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("again.log").toFile()).start();
            assertThat(again.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(dir.resolve("again.log"))).contains("is in use by another OpenSTS");
            first.destroyForcibly().waitFor(); // SIGKILL: its PostgreSQL is left running
            assertThat(dir.resolve("data").resolve("postgres").resolve("postmaster.pid")).exists();
            second = start(dir, dir.resolve("second.log"));
            assertThat(Files.readString(dir.resolve("second.log"))).contains("that a run killed before it could stop left");
            second.destroy();
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(dir.resolve("data").resolve("postgres").resolve("postmaster.pid")).doesNotExist();
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroyForcibly();
            }
            // whatever failed, no PostgreSQL of this test outlives it
            Path pid = dir.resolve("data").resolve("postgres").resolve("postmaster.pid");
            if (Files.exists(pid)) {
                ProcessHandle.of(Long.parseLong(Files.readAllLines(pid).get(0).strip())).ifPresent(ProcessHandle::destroy);
            }
        }
    }

    /** Starts the default run (without its demo data) on {@code dir} and waits until it is healthy. */
    private static Process start(Path dir, Path log) throws Exception {
        int port = LocalPorts.free();
        Process p = new ProcessBuilder(command(dir, port)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        long until = System.currentTimeMillis() + 120_000;
        int status = 0;
        while (status != 200 && System.currentTimeMillis() < until && p.isAlive()) {
            try {
                status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (java.io.IOException e) {
                Thread.sleep(200);
            }
        }
        if (status != 200) {
            p.destroyForcibly();
        }
        assertThat(status).as(tail(log)).isEqualTo(200);
        return p;
    }

    private static List<String> command(Path dir, int port) throws Exception {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), OpenStsApplication.class.getName(),
                "--server.port=" + port, "--opensts.tls.port=" + LocalPorts.free(), "--opensts.demo.enabled=false",
                "--opensts.data-dir=" + dir.resolve("data"));
    }


    private static String tail(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join(File.separator.equals("/") ? "\n" : "\r\n",
                lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
