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

    /**
     * A user (Bruger) as a login needs it: the IT account, its e-mail address and the org units it is
     * engaged in (functions of type engagement), all valid and known now.
     */
    record User(UUID id, String userKey, String name, String email, Set<UUID> units) {
    }

    /** The user with this UUID in the municipality's organisation, valid and known now. */
    Optional<User> findUser(String cvr, UUID id);

    /**
     * Imports a feed of the municipality's units, persons, users, functions and addresses (JSON lines,
     * as the feed import endpoint takes them), valid from now; objects not in the feed are kept.
     *
     * @return the number of objects written (created or changed)
     */
    int importFeed(String cvr, java.io.Reader jsonLines, String actor);

    /**
     * Org units seen from a set of them, valid and known now.
     *
     * @param ancestors    the units above them (not the units themselves)
     * @param withSubunits the units and all their subunits
     */
    record UnitsAround(Set<UUID> ancestors, Set<UUID> withSubunits) {
    }

    /** The ancestors and the subunits of units of one organisation, valid and known now, from one read of its tree. */
    UnitsAround around(Set<UUID> units);

    /** The units and all their subunits, valid and known now. */
    Set<UUID> withSubunits(Set<UUID> roots);

    /** The names of these objects (units, users) as valid and known now; unknown ids are left out. */
    java.util.Map<UUID, String> names(Set<UUID> ids);
}
