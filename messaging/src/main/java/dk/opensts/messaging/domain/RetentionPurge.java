package dk.opensts.messaging.domain;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the dueslag's retention purge ({@link Dueslag#purge}) on a thread of its own: first
 * {@code firstAfter} after the start, then {@code every} after each purge ended. A purge that fails
 * is logged and tried again at the next turn; a server that stops ends the purge after its current
 * step, and the next purge goes on where it left.
 */
public class RetentionPurge implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);

    private final Dueslag dueslag;
    private final Duration firstAfter;
    private final Duration every;
    private ScheduledExecutorService thread;
    private volatile boolean running;

    public RetentionPurge(Dueslag dueslag, Duration firstAfter, Duration every) {
        if (firstAfter.isNegative() || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("the purge's first-after must be zero or more and its every more than zero");
        }
        this.dueslag = dueslag;
        this.firstAfter = firstAfter;
        this.every = every;
    }

    @Override
    public void start() {
        running = true;
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "opensts-retention");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::purge, firstAfter.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    void purge() {
        try {
            long t0 = System.nanoTime();
            int purged = dueslag.purge(() -> running);
            if (purged > 0) {
                log.info("retention: {} finished deliveries older than {} deleted in {} ms", purged,
                        dueslag.retention(), (System.nanoTime() - t0) / 1_000_000);
            }
        } catch (RuntimeException e) {
            log.warn("retention purge failed; the next turn tries again: {}", e.toString());
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
