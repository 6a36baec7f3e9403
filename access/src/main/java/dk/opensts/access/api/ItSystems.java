package dk.opensts.access.api;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The registry of IT systems that may call OpenSTS. */
public interface ItSystems {

    /** A registered system; its id is the OAuth2 client id and the {@code sub} of its tokens. */
    record ItSystem(UUID id, String name, String vendorCvr, String municipalityCvr, Set<String> scopes) {
    }

    /**
     * Registers a system with a client secret (kept only as a hash). {@code municipalityCvr} is the
     * municipality the system acts for (the {@code cvr} claim of its tokens).
     */
    ItSystem register(UUID id, String name, String vendorCvr, String municipalityCvr, Set<String> scopes, String secret);

    Optional<ItSystem> find(UUID id);
}
