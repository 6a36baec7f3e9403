package dk.opensts.platform.work;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.context.SmartLifecycle;

/**
 * Work that runs in turns on a thread of its own: first {@code firstAfter} after the start, then
 * {@code every} after each turn ended, and at once when {@link #wake} asks for it (what a wake-up
 * runs, {@link #awoken}, is a turn unless the work says otherwise). A turn asks
 * {@link #running} between its steps, so a server that stops ends it after the current step; what
 * it left, the next turn (on this node or another) goes on with.
 */
public abstract class OwnThread implements SmartLifecycle {

    private final String name;
    private final Duration firstAfter;
    private final Duration every;
    private final AtomicBoolean woken = new AtomicBoolean();
    private ScheduledExecutorService thread;
    private volatile boolean running;

    protected OwnThread(String name, Duration firstAfter, Duration every) {
        if (firstAfter.isNegative() || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException(name + ": first-after must be zero or more and every more than zero");
        }
        this.name = name;
        this.firstAfter = firstAfter;
        this.every = every;
    }

    /** One turn; it ends early once {@link #running} is false. */
    protected abstract void turn();

    /** What a wake-up runs: a turn, unless the work says otherwise. */
    protected void awoken() {
        turn();
    }

    /** On start, once the thread is there and before the first turn: what else the work needs. */
    protected void starting() {
    }

    /** On stop, once the thread has ended: what else the work must end. */
    protected void stopped() {
    }

    /** Whether the server still runs: a turn checks between its steps. */
    protected boolean running() {
        return running;
    }

    @Override
    public void start() {
        running = true;
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        starting();
        thread.scheduleWithFixedDelay(this::turn, firstAfter.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A turn now rather than at the next: once, however often it is asked before the turn begins. */
    public void wake() {
        if (running && woken.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    woken.set(false);
                    awoken();
                });
            } catch (RejectedExecutionException stopping) {
                // the server stops: the work is recorded, and a node that runs takes it
                woken.set(false);
            }
        }
    }

    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            thread.shutdown();
            awaitEnd(thread);
            stopped();
        }
    }

    /** Waits up to 10 seconds for an executor that was shut down to end. */
    protected static void awaitEnd(java.util.concurrent.ExecutorService executor) {
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
