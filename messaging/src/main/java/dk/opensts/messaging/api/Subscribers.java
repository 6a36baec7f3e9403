package dk.opensts.messaging.api;

import java.util.List;
import java.util.UUID;

/** Subscriptions made for a receiving system by OpenSTS itself (set-up, demo data). */
public interface Subscribers {

    /**
     * Subscribes the receiver to the message types in the municipality, unless it has an active
     * subscription of that name there; returns whether one was made.
     */
    boolean ensureSubscription(UUID receiver, String municipality, String name, List<String> messageTypes, String actor);
}
