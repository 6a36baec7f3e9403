package dk.opensts.platform.security;

import java.util.HashSet;
import java.util.Set;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/** The {@link Actor} of the request being served, taken from its verified token. */
public final class CurrentActor {

    private CurrentActor() {
    }

    public static Actor get() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth instanceof JwtAuthenticationToken token) {
            Jwt jwt = token.getToken();
            Set<String> scopes = new HashSet<>();
            for (GrantedAuthority a : token.getAuthorities()) {
                if (a.getAuthority().startsWith("SCOPE_")) {
                    scopes.add(a.getAuthority().substring(6));
                }
            }
            return new Actor(jwt.getSubject(), jwt.getClaimAsString("name"), jwt.getClaimAsString("cvr"), Set.copyOf(scopes));
        }
        return Actor.SYSTEM;
    }
}
