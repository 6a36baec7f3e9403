package dk.opensts.access.api;

import dk.opensts.platform.bitemporal.Period;
import dk.opensts.platform.security.Actor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Service agreements (serviceaftaler): an IT system may use a service for a municipality with the
 * granted roles and constraint values, while an approved agreement is valid. Bitemporal: each
 * decision is a new registration, earlier ones stay readable.
 */
public interface ServiceAgreements {

    enum State { REQUESTED, APPROVED, REJECTED, REVOKED }

    /** A role with its constraint values (constraint type URI to comma-separated values). */
    record Grant(String role, Map<String, String> constraints) {
        public Grant {
            constraints = constraints == null ? Map.of() : Map.copyOf(constraints);
        }
    }

    /** A stretch of the agreement's valid time in one state. */
    record Stretch(Period valid, State state, String decidedBy, String reason) {
    }

    /**
     * An agreement as known at a point in system time.
     *
     * @param state   the state at the asked valid time, or of the nearest later stretch when none covers it
     * @param history its stretches of valid time, in order
     */
    record Agreement(UUID id, int version, UUID system, String service, String municipality, List<Grant> roles,
                     String note, State state, Period valid, List<Stretch> history) {
    }

    Agreement request(UUID system, String service, String municipality, List<Grant> roles, Period valid, String note,
                      Actor actor);

    Agreement approve(UUID id, int expectedVersion, String reason, Actor actor);

    Agreement reject(UUID id, int expectedVersion, String reason, Actor actor);

    /** Ends an approved agreement from {@code from} (now when {@code null}); earlier use stays approved in history. */
    Agreement revoke(UUID id, int expectedVersion, Instant from, String reason, Actor actor);

    Optional<Agreement> find(UUID id, Instant validAt, Instant knownAt);

    /** Agreements known now, filtered by any of municipality, system, service and state at {@code validAt}. */
    List<Agreement> list(String municipality, UUID system, String service, State state, Instant validAt);

    /** The roles approved for the system, service and municipality at {@code at}, merged over agreements; empty when none. */
    List<Grant> approvedGrants(UUID system, String service, String municipality, Instant at);
}
