package dk.opensts.platform.security;

import java.util.Map;
import java.util.Set;

/**
 * Who is calling: an IT system (from a system token) or, later, a user (from the context handler).
 *
 * @param id           the token subject: the IT system's UUID
 * @param name         a display name, when the token carries one
 * @param municipality the CVR the caller acts for ({@code cvr} claim)
 * @param audience     the service the token was issued for ({@code aud})
 * @param privileges   granted role name to its constraint values (constraint type to comma-separated values)
 */
public record Actor(String id, String name, String municipality, String audience,
                    Map<String, Map<String, String>> privileges) {

    public static final Actor SYSTEM = new Actor("opensts", "OpenSTS", null, null, Map.of());

    public Actor {
        privileges = Map.copyOf(privileges);
    }

    /** An internal actor (imports, demo data) acting for a municipality. */
    public static Actor internal(String id, String municipality) {
        return new Actor(id, id, municipality, null, Map.of());
    }

    public boolean hasRole(String role) {
        return privileges.containsKey(role);
    }

    public Set<String> roles() {
        return privileges.keySet();
    }
}
