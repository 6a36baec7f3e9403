package dk.opensts.messaging.domain;

import dk.opensts.platform.work.OwnThread;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps the dueslag's replays ({@link Dueslag#replayStep}) on a thread of its own: at once when a
 * request on this node records one ({@link #wake}), and every {@code every} for the replays other
 * nodes recorded or left when they stopped. A step that fails is logged and the replay goes on at the
 * next turn from where its last step ended; a server that stops ends after the current step.
 */
public class ReplayRunner extends OwnThread {

    private static final Logger log = LoggerFactory.getLogger(ReplayRunner.class);

    private final Dueslag dueslag;

    public ReplayRunner(Dueslag dueslag, Duration every) {
        super("opensts-replay", Duration.ZERO, every);
        this.dueslag = dueslag;
    }

    @Override
    protected void turn() {
        try {
            long t0 = System.nanoTime();
            int steps = dueslag.replaySteps(this::running);
            if (steps > 0) {
                log.info("replay: {} steps in {} ms", steps, (System.nanoTime() - t0) / 1_000_000);
            }
        } catch (RuntimeException e) {
            log.warn("replay step failed; the replay goes on at the next turn: {}", e.toString());
        }
    }
}
