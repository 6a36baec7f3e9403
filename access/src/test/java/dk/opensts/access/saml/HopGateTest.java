package dk.opensts.access.saml;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HopGateTest {

    @Test
    void aHopBeyondTheLimitWaitsAndIsRefusedWhenNoneIsAdmittedInTime() throws Exception {
        HopGate gate = new HopGate(1, Duration.ofMillis(200));
        Held first = holdAPermit(gate);

        long start = System.nanoTime();
        AtomicInteger ran = new AtomicInteger();
        assertThat(gate.through(() -> {
            ran.incrementAndGet();
            return "second";
        }, () -> "busy")).isEqualTo("busy");
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(ran).hasValue(0);

        first.leave().countDown();
        assertThat(first.answer().get(5, TimeUnit.SECONDS)).isEqualTo("holder");
        // the permit came back, also after a hop that threw
        try {
            gate.through(() -> {
                throw new IllegalStateException("hop failed");
            }, () -> "busy");
        } catch (IllegalStateException expected) {
            assertThat(expected).hasMessage("hop failed");
        }
        assertThat(gate.through(() -> "third", () -> "busy")).isEqualTo("third");
    }

    @Test
    void waitingHopsAreAdmittedInTheOrderTheyCame() throws Exception {
        HopGate gate = new HopGate(1, Duration.ofSeconds(10));
        Held holder = holdAPermit(gate);
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<Thread> waiting = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            Thread t = new Thread(() -> gate.through(() -> order.add(n), () -> false));
            t.start();
            waiting.add(t);
            // the next one comes only once this one waits at the gate
            waitsAtTheGate(t);
        }
        holder.leave().countDown();
        for (Thread t : waiting) {
            t.join(5_000);
        }
        assertThat(holder.answer().get(5, TimeUnit.SECONDS)).isEqualTo("holder");
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void aLimitOfZeroAdmitsEveryHopAtOnce() throws Exception {
        HopGate gate = new HopGate(0, Duration.ZERO);
        assertThat(gate.limit()).isZero();
        CountDownLatch allInside = new CountDownLatch(4);
        List<CompletableFuture<String>> hops = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            hops.add(CompletableFuture.supplyAsync(() -> gate.through(() -> {
                allInside.countDown();
                await(allInside);
                return "done";
            }, () -> "busy"), command -> new Thread(command).start()));
        }
        for (CompletableFuture<String> hop : hops) {
            assertThat(hop.get(5, TimeUnit.SECONDS)).isEqualTo("done");
        }
        assertThat(HopGate.defaultPermits()).isEqualTo(2 * Runtime.getRuntime().availableProcessors());
    }

    @Test
    void aHopInterruptedWhileWaitingIsRefusedAndKeepsItsInterrupt() throws Exception {
        HopGate gate = new HopGate(1, Duration.ofSeconds(30));
        Held holder = holdAPermit(gate);
        CompletableFuture<String> answer = new CompletableFuture<>();
        AtomicInteger interrupted = new AtomicInteger();
        Thread waiter = new Thread(() -> {
            answer.complete(gate.through(() -> "admitted", () -> "busy"));
            if (Thread.currentThread().isInterrupted()) {
                interrupted.incrementAndGet();
            }
        });
        waiter.start();
        waitsAtTheGate(waiter);
        waiter.interrupt();
        assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo("busy");
        waiter.join(5_000);
        assertThat(interrupted).hasValue(1);
        holder.leave().countDown();
    }

    /** A hop that holds a permit until {@code leave} is counted down. */
    private record Held(CompletableFuture<String> answer, CountDownLatch leave) {
    }

    private static Held holdAPermit(HopGate gate) throws InterruptedException {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> gate.through(() -> {
            inside.countDown();
            await(leave);
            return "holder";
        }, () -> "busy"));
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
        return new Held(answer, leave);
    }

    /** Returns once {@code t} waits (at the gate: it does nothing else); fails if it ends or runs on instead. */
    private static void waitsAtTheGate(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            assertThat(t.getState()).as("the hop went through instead of waiting").isNotEqualTo(Thread.State.TERMINATED);
            assertThat(System.nanoTime()).as("the hop did not come to wait").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
