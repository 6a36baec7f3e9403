package dk.opensts.platform.security;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who is calling: an IT system (from a system token) or a user (from a token the token service
 * issued for a context handler assertion).
 *
 * @param id           the token subject: the IT system's UUID, or the user's
 * @param name         a display name, when the token carries one
 * @param municipality the CVR the caller acts for ({@code cvr} claim)
 * @param audience     the service the token was issued for ({@code aud})
 * @param grants       the roles granted, each with its constraint values; a user may hold a role
 *                     several times with different constraints (from different job roles)
 */
public record Actor(String id, String name, String municipality, String audience, List<Grant> grants) {

    /** A role with its constraint values (constraint type to comma-separated values). */
    public record Grant(String role, Map<String, String> constraints) {
        public Grant {
            constraints = Map.copyOf(constraints);
        }
    }

    public static final Actor SYSTEM = new Actor("opensts", "OpenSTS", null, null, List.of());

    public Actor {
        grants = List.copyOf(grants);
    }

    /** An internal actor (imports, demo data) acting for a municipality. */
    public static Actor internal(String id, String municipality) {
        return new Actor(id, id, municipality, null, List.of());
    }

    /** An actor holding each role once, with the constraints given. */
    public static Actor of(String id, String name, String municipality, String audience,
                           Map<String, Map<String, String>> roles) {
        return new Actor(id, name, municipality, audience,
                roles.entrySet().stream().map(e -> new Grant(e.getKey(), e.getValue())).toList());
    }

    public boolean hasRole(String role) {
        return grants.stream().anyMatch(g -> g.role().equals(role));
    }

    public Set<String> roles() {
        Set<String> out = new LinkedHashSet<>();
        grants.forEach(g -> out.add(g.role()));
        return out;
    }

    /** The constraint values of each grant of {@code role}. */
    public List<Map<String, String>> constraintsOf(String role) {
        return grants.stream().filter(g -> g.role().equals(role)).map(Grant::constraints).toList();
    }
}
