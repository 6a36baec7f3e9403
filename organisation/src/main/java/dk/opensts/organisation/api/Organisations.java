package dk.opensts.organisation.api;

import java.util.Optional;
import java.util.UUID;

/** What other modules may ask of the Organisation registry. */
public interface Organisations {

    /** The organisation (municipality) with this CVR, valid and known now. */
    Optional<UUID> findByCvr(String cvr);

    /** Creates the municipality's organisation if it is not there; returns its id. */
    UUID ensureMunicipality(String cvr, String name, String actor);
}
