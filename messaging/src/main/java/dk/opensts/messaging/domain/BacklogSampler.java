package dk.opensts.messaging.domain;

import dk.opensts.platform.work.OwnThread;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what waits in every dueslag ({@link Dueslag#backlog}) for the distributor's gauges
 * ({@link DistributorMeters}) on a thread of its own: at start, then {@code every} after each
 * reading. A reading that fails (the database away, or slower than its time limit) is logged once
 * until one succeeds again, and the gauges show NaN rather than the last figures.
 */
public class BacklogSampler extends OwnThread {

    private static final Logger log = LoggerFactory.getLogger(BacklogSampler.class);

    private final Dueslag dueslag;
    private final DistributorMeters meters;
    private boolean failing;

    public BacklogSampler(Dueslag dueslag, DistributorMeters meters, Duration every) {
        super("opensts-backlog", Duration.ZERO, every);
        this.dueslag = dueslag;
        this.meters = meters;
    }

    @Override
    protected void turn() {
        try {
            meters.sampled(dueslag.backlog());
            if (failing) {
                log.info("backlog metrics: read again");
                failing = false;
            }
        } catch (RuntimeException e) {
            meters.sampled(null);
            if (!failing) {
                log.warn("backlog metrics: what waits in the dueslag could not be read; the gauges show NaN until it is: {}",
                        e.toString());
                failing = true;
            }
        }
    }
}
