package dk.opensts.platform.security;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.security.core.Authentication;
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
            return of(token.getToken());
        }
        return Actor.SYSTEM;
    }

    /**
     * The actor, if its token grants {@code role} (the token's audience was checked against the
     * called service before the request reached a controller); otherwise 403.
     */
    public static Actor require(String role) {
        Actor actor = get();
        if (!actor.hasRole(role)) {
            throw new dk.opensts.platform.error.ApiException(dk.opensts.platform.error.ErrorCode.FORBIDDEN,
                    "This operation needs the role '" + role + "' of service " + actor.audience());
        }
        return actor;
    }

    /** The actor, if its token grants any of {@code roles}; otherwise 403. */
    public static Actor requireAny(String... roles) {
        Actor actor = get();
        for (String role : roles) {
            if (actor.hasRole(role)) {
                return actor;
            }
        }
        throw new dk.opensts.platform.error.ApiException(dk.opensts.platform.error.ErrorCode.FORBIDDEN,
                "This operation needs one of the roles " + String.join(", ", roles) + " of service " + actor.audience());
    }

    /** The actor a verified token describes. */
    public static Actor of(Jwt jwt) {
        List<String> aud = jwt.getAudience();
        return new Actor(jwt.getSubject(), jwt.getClaimAsString("name"), jwt.getClaimAsString("cvr"),
                aud == null || aud.isEmpty() ? null : aud.get(0), grants(jwt.getClaim("priv")));
    }

    /** {@code priv}: a list of {@code {"role": name, "constraints": {type: values}}}; a role may repeat. */
    static List<Actor.Grant> grants(Object claim) {
        List<Actor.Grant> out = new java.util.ArrayList<>();
        if (claim instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> m && m.get("role") instanceof String role) {
                    Map<String, String> constraints = new HashMap<>();
                    if (m.get("constraints") instanceof Map<?, ?> c) {
                        c.forEach((k, v) -> constraints.put(String.valueOf(k), String.valueOf(v)));
                    }
                    out.add(new Actor.Grant(role, constraints));
                }
            }
        }
        return out;
    }
}
