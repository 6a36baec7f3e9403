package dk.opensts.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The benchmark programs run end to end at a tiny scale and print their result line, so they do
 * not rot between measurements. Nothing here is timed: figures come from running them (docs/benchmarks.md).
 */
class BenchSmokeTest {

    private static String run(ThrowingRunnable program) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            program.run();
        } finally {
            System.setOut(out);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void organisationBenchmarkRuns() throws Exception {
        String out = run(() -> OrganisationBench.main(new String[] {"--scale", "0.01", "--runs", "1", "--reads", "5"}));
        assertThat(out).contains("RESULT organisation rows=1000 ").contains("reimport_changes=10 ")
                .contains("subtree_units=50 ");
    }

    @Test
    void classificationBenchmarkRuns() throws Exception {
        String out = run(() -> ClassificationBench.main(new String[] {"--scale", "0.05", "--runs", "1", "--reads", "20"}));
        assertThat(out).contains("RESULT classification objects=").contains("lookups=20 ");
    }

    @Test
    void tokenBenchmarkRuns() throws Exception {
        // without Keycloak (not fetched in CI): the OpenSTS side over mutual TLS only
        String out = run(() -> TokenBench.main(new String[] {"--clients", "2", "--seconds", "1", "--warmup", "0.5",
                "--runs", "1", "--keycloak", "skip"}));
        assertThat(out).contains("RESULT tokens clients=2 ").contains("opensts_errors=0")
                .doesNotContain("opensts_tokens_per_s=0.00 ");
    }

    @Test
    void indexBenchmarkRuns() throws Exception {
        String out = run(() -> IndexBench.main(new String[] {"--scale", "0.001", "--searches", "80", "--clients", "2", "--warmup", "0"}));
        assertThat(out).contains("RESULT indexes cases=1000 documents=3000 grants=500 cprs=600 ")
                .contains("searches=80 ");
    }

    @Test
    void loginBenchmarkRuns() throws Exception {
        String out = run(() -> LoginBench.main(new String[] {"--browsers", "2", "--seconds", "1", "--warmup", "0.5",
                "--max-warmup", "0.5", "--runs", "1", "--users", "20"}));
        assertThat(out).contains("RESULT logins browsers=2 runs=1 users=20 concurrent_hops=").contains("errors=0")
                .doesNotContain("logins=0 ");
    }

    @Test
    void messagingBenchmarkRuns() throws Exception {
        // against the local RabbitMQ where one runs; it says so and stops where none does
        String out = run(() -> MessagingBench.main(new String[] {"--seconds", "1", "--warmup", "0.5",
                "--max-warmup", "0.5", "--runs", "1"}));
        assertThat(out).containsAnyOf("RESULT messaging skipped=no-amqp-broker", "RESULT messaging subscribers=10 ");
        if (out.contains("subscribers=10")) {
            assertThat(out).contains(" errors=0");
        }
    }

    /**
     * Not a smoke test only: the guarantee that no confirmed message is lost when the server is
     * killed with SIGKILL mid-stream, nor any delivered out of order per object.
     */
    @Test
    void noConfirmedMessageIsLostWhenTheServerIsKilled() throws Exception {
        String out = run(() -> MessagingCrash.main(new String[] {"--publishers", "3", "--receivers", "2",
                "--before-kill", "2", "--after-restart", "1"}));
        assertThat(out).contains("RESULT messaging-crash transport=rest publishers=3 receivers=2 kills=1 ")
                .contains(" lost=0 ").contains(" order_violations=0").doesNotContain("confirmed=0 ");
    }

    /**
     * The same over AMQP, against the local RabbitMQ where one runs: published to the exchange and
     * answered, relayed to the receivers' dueslag queues (what the killed process had handed to its
     * relay comes back when the relay's lease runs out).
     */
    @Test
    void noConfirmedMessageIsLostOverAmqpWhenTheServerIsKilled() throws Exception {
        String out = run(() -> MessagingCrash.main(new String[] {"--publishers", "3", "--receivers", "2",
                "--before-kill", "3", "--after-restart", "1", "--lease", "5",
                "--amqp", "amqp://guest:guest@127.0.0.1:5672"}));
        assertThat(out).containsAnyOf("RESULT messaging-crash transport=amqp skipped=no-amqp-broker",
                "RESULT messaging-crash transport=amqp publishers=3 ");
        if (!out.contains("skipped=")) {
            assertThat(out).contains(" lost=0 ").contains(" order_violations=0").doesNotContain("confirmed=0 ");
        }
    }

    @Test
    void outboxBenchmarkRunsAndEveryFailedChangeReachesTheFeed() throws Exception {
        // the program itself fails when a publication is left or a change is missing from the feed
        String out = run(() -> OutboxBench.main(new String[] {"--publications", "150", "--bulk-publications", "2",
                "--bulk-objects", "100", "--runs", "1"}));
        assertThat(out).contains("RESULT outbox-drain runs=1 single_events=150 single_publications=300 ");
    }

    @Test
    void retentionBenchmarkRunsAndThePurgeLeavesNothingOlderThanRetention() throws Exception {
        // the program itself fails when a finished delivery or a message older than retention is left
        String out = run(() -> RetentionBench.main(new String[] {"--messages", "20000", "--runs", "1"}));
        assertThat(out).contains("RESULT retention messages=20000 deliveries=40000 ").doesNotContain("deleted=0 ");
    }
}
