package dk.opensts.messaging.domain;

import dk.opensts.platform.work.OwnThread;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the dueslag's retention purge ({@link Dueslag#purge}) on a thread of its own: first
 * {@code firstAfter} after the start, then {@code every} after each purge ended. A purge that fails
 * is logged and tried again at the next turn; a server that stops ends the purge after its current
 * step, and the next purge goes on where it left.
 */
public class RetentionPurge extends OwnThread {

    private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);

    private final Dueslag dueslag;

    public RetentionPurge(Dueslag dueslag, Duration firstAfter, Duration every) {
        super("opensts-retention", firstAfter, every);
        this.dueslag = dueslag;
    }

    @Override
    protected void turn() {
        try {
            long t0 = System.nanoTime();
            int purged = dueslag.purge(this::running);
            if (purged > 0) {
                log.info("retention: {} finished deliveries older than {} deleted in {} ms", purged,
                        dueslag.retention(), (System.nanoTime() - t0) / 1_000_000);
            }
        } catch (RuntimeException e) {
            log.warn("retention purge failed; the next turn tries again: {}", e.toString());
        }
    }
}
