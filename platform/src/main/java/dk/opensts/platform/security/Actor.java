package dk.opensts.platform.security;

import java.util.Set;

/**
 * Who is calling: an IT system (from a system token) or, later, a user (from the context handler).
 *
 * @param id           the token subject: the IT system's UUID
 * @param name         a display name, when the token carries one
 * @param municipality the CVR the caller acts for ({@code cvr} claim), when the token carries one
 * @param scopes       granted scopes
 */
public record Actor(String id, String name, String municipality, Set<String> scopes) {

    public static final Actor SYSTEM = new Actor("opensts", "OpenSTS", null, Set.of());
}
