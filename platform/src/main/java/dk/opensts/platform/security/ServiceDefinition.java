package dk.opensts.platform.security;

import java.util.List;
import java.util.Optional;

/**
 * An OpenSTS API as a service of the token service: the entity id tokens name in {@code aud}, the
 * path its endpoints live under, and the roles a service agreement can grant for it. Each module
 * declares its services as beans; the access module keeps them in its catalogue.
 *
 * @param entityId   the service's URI, for example {@code https://opensts.dk/service/organisation/1}
 * @param pathPrefix every endpoint of the service starts with it, for example {@code /api/organisation/}
 */
public record ServiceDefinition(String entityId, String name, String description, String pathPrefix,
                                List<RoleDefinition> roles) {

    public ServiceDefinition {
        roles = List.copyOf(roles);
    }

    public Optional<RoleDefinition> role(String roleName) {
        return roles.stream().filter(r -> r.name().equals(roleName)).findFirst();
    }

    /**
     * A service-system role, for example {@code read}, with the data-constraint types it takes.
     *
     * @param name short name, unique in the service; the {@code role} of a {@code priv} entry
     */
    public record RoleDefinition(String name, String description, List<ConstraintDefinition> constraints) {
        public RoleDefinition {
            constraints = List.copyOf(constraints);
        }
    }

    /**
     * A data-constraint type a role takes.
     *
     * @param type     the constraint's URI, for example {@link Constraints#KLE}
     * @param pattern  a regular expression every comma-separated value must match
     * @param required whether an agreement granting the role must give a value
     */
    public record ConstraintDefinition(String type, String pattern, boolean required) {
    }
}
