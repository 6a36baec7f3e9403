package dk.opensts.organisation.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** What other modules may ask of the Organisation registry. */
public interface Organisations {

    /** The organisation (municipality) with this CVR, valid and known now. */
    Optional<UUID> findByCvr(String cvr);

    /** Creates the municipality's organisation if it is not there; returns its id. */
    UUID ensureMunicipality(String cvr, String name, String actor);

    /**
     * A reference to an org unit that must have existed at some time in {@code from}..{@code to}
     * ({@code null} ends are open).
     */
    record UnitDuring(UUID unit, Instant from, Instant to) {
    }

    /** For each reference: whether the unit belongs to the municipality's organisation and was valid in its period. */
    boolean[] unitsExist(String cvr, List<UnitDuring> refs);

    /** The units and all their subunits, valid and known now. */
    Set<UUID> withSubunits(Set<UUID> roots);
}
