package dk.opensts.access.roles;

import dk.opensts.saml.PrivilegeGroup;
import dk.opensts.access.roles.JobRoles.ConstraintValue;
import dk.opensts.access.roles.JobRoles.JobRole;
import dk.opensts.access.roles.JobRoles.SystemRoleGrant;
import dk.opensts.access.roles.UserSystems.UserSystem;
import dk.opensts.organisation.api.Organisations;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * What a user may do in one user-facing system: from the job roles she holds (sent by her
 * municipality's IdP and assigned in the catalogue, to her or to her org units), the system roles
 * of that system only, with their constraint values, dynamic ones resolved from Organisation now.
 */
public class UserPrivileges {

    /**
     * One privilege group of the OIO basic privilege profile.
     *
     * @param cvr         the municipality it holds in (its scope)
     * @param privilege   the system role URI
     * @param constraints constraint type to comma-separated values
     */
    /** The groups issued, and the job roles they came from (for the security log). */
    public record Result(List<PrivilegeGroup> groups, Set<String> jobRoles) {
    }

    private final JobRoles jobRoles;
    private final Organisations organisations;

    public UserPrivileges(JobRoles jobRoles, Organisations organisations) {
        this.jobRoles = jobRoles;
        this.organisations = organisations;
    }

    /**
     * @param fromIdp the job role URIs the municipal IdP asserted for {@code cvr} (may be empty)
     */
    public Result compute(String cvr, Organisations.User user, Collection<String> fromIdp, UserSystem system) {
        Organisations.UnitsAround around = organisations.around(user.units());
        List<PrivilegeGroup> groups = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        for (JobRole role : jobRoles.heldRoles(cvr, user.id(), user.units(), around.ancestors(), fromIdp)) {
            for (SystemRoleGrant grant : role.systemRoles()) {
                if (system.role(grant.entityId()).isEmpty()) {
                    continue;
                }
                Map<String, String> constraints = new LinkedHashMap<>();
                boolean grantsNothing = false;
                for (ConstraintValue c : grant.constraints()) {
                    String value;
                    if (c.dynamic() == null) {
                        value = c.value();
                    } else if (c.dynamic() == JobRoles.Dynamic.OWN_UNITS) {
                        value = join(user.units());
                    } else {
                        value = join(around.withSubunits());
                    }
                    if (value.isEmpty()) {
                        // a unit constraint with no units would otherwise read as "not constrained"
                        grantsNothing = true;
                        break;
                    }
                    constraints.put(c.type(), value);
                }
                if (grantsNothing) {
                    continue;
                }
                PrivilegeGroup group = new PrivilegeGroup(cvr, grant.entityId(), constraints);
                if (!groups.contains(group)) {
                    groups.add(group);
                }
                used.add(role.entityId());
            }
        }
        return new Result(List.copyOf(groups), Set.copyOf(used));
    }

    private static String join(Set<UUID> units) {
        return units.stream().map(UUID::toString).collect(Collectors.toCollection(TreeSet::new)).stream()
                .collect(Collectors.joining(","));
    }
}
