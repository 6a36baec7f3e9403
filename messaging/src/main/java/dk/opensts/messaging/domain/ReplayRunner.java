package dk.opensts.messaging.domain;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Steps the dueslag's replays ({@link Dueslag#replayStep}) on a thread of its own: at once when a
 * request on this node records one ({@link #wake}), and every {@code every} for the replays other
 * nodes recorded or left when they stopped. A step that fails is logged and the replay goes on at the
 * next turn from where its last step ended; a server that stops ends after the current step.
 */
public class ReplayRunner implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ReplayRunner.class);

    private final Dueslag dueslag;
    private final Duration every;
    private final AtomicBoolean woken = new AtomicBoolean();
    private ScheduledExecutorService thread;
    private volatile boolean running;

    public ReplayRunner(Dueslag dueslag, Duration every) {
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("the replay runner's every must be more than zero");
        }
        this.dueslag = dueslag;
        this.every = every;
    }

    @Override
    public void start() {
        running = true;
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "opensts-replay");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::run, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A replay was recorded here: step it now rather than at the next turn. */
    public void wake() {
        if (running && woken.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    woken.set(false);
                    run();
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // the server stops: the replay is recorded, and a node that runs steps it
                woken.set(false);
            }
        }
    }

    void run() {
        try {
            long t0 = System.nanoTime();
            int steps = dueslag.replaySteps(() -> running);
            if (steps > 0) {
                log.info("replay: {} steps in {} ms", steps, (System.nanoTime() - t0) / 1_000_000);
            }
        } catch (RuntimeException e) {
            log.warn("replay step failed; the replay goes on at the next turn: {}", e.toString());
        }
    }

    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            thread.shutdown();
            try {
                thread.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
