package dk.opensts.access.saml;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Admission to the context handler's hops: at most {@code permits} at work at once, the others waiting
 * in the order they came. A hop is mostly CPU (two RSA signatures and a signature check make up about
 * half of the IdP-answer hop), so with more hops at work than the cores can run, each one only takes
 * longer and all of them finish late together; admitted in turn, each runs at full speed and the wait
 * is the only thing that grows with the load (ADR 7). A hop that waits longer than {@code maxWait} is
 * refused, so an overloaded node answers "busy" instead of piling up threads.
 */
final class HopGate {

    /** The default number of hops at work at once: two a core, so one waiting on the database leaves the core to another. */
    static int defaultPermits() {
        return 2 * Runtime.getRuntime().availableProcessors();
    }

    private final int limit;
    private final Semaphore permits;
    private final long maxWaitNanos;

    /** {@code limit} of 0 or less: no limit. */
    HopGate(int limit, Duration maxWait) {
        this.limit = Math.max(0, limit);
        this.permits = limit > 0 ? new Semaphore(limit, true) : null;
        this.maxWaitNanos = maxWait.toNanos();
    }

    /** The number of hops that may be at work at once, or 0 for no limit. */
    int limit() {
        return limit;
    }

    /**
     * {@code hop}'s answer once admitted, or {@code busy}'s if no permit came within the wait (or the
     * thread was interrupted while waiting).
     */
    <T> T through(Supplier<T> hop, Supplier<T> busy) {
        if (permits == null) {
            return hop.get();
        }
        try {
            if (!permits.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS)) {
                return busy.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return busy.get();
        }
        try {
            return hop.get();
        } finally {
            permits.release();
        }
    }
}
