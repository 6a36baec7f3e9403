package dk.opensts.platform.security;

import java.util.List;

/**
 * The entity ids and role names of OpenSTS's own services. A token names one service in
 * {@code aud}; its {@code priv} lists the roles an approved service agreement grants there.
 */
public final class Services {

    public static final String ORGANISATION = "https://opensts.dk/service/organisation/1";
    public static final String CLASSIFICATION = "https://opensts.dk/service/classification/1";
    public static final String ADMINISTRATION = "https://opensts.dk/service/administration/1";
    public static final String CASE_INDEX = "https://opensts.dk/service/case-index/1";
    public static final String BENEFIT_INDEX = "https://opensts.dk/service/benefit-index/1";
    public static final String MESSAGING = "https://opensts.dk/service/messaging/1";

    public static final String READ = "read";
    public static final String WRITE = "write";
    /** Publish records of the token's municipality to an index (as their owning IT system), or messages of it to the distributor. */
    public static final String PUBLISH = "publish";
    /** Receive messages: subscriptions, value lists and the system's own dueslag (message distributor). */
    public static final String SUBSCRIBE = "subscribe";
    /** Search an index, within the data constraints of the privilege. */
    public static final String SEARCH = "search";
    /** See protected persons' names and addresses (navne- og adressebeskyttelse) in what a search returns. */
    public static final String PROTECTED_DATA = "protected-data";
    /**
     * Changes national data shared by every municipality (national classifications, KLE imports).
     * Roles named {@code national-...} are approved by the platform operator only.
     */
    public static final String NATIONAL_WRITE = "national-write";
    public static final String NATIONAL_PREFIX = "national-";
    /** Platform operator: systems, certificates, services, any municipality's agreements, the security log. */
    public static final String OPERATOR = "operator";
    /** A municipality's administrator: decides the agreements of its own municipality. */
    public static final String MUNICIPAL_ADMIN = "municipal-admin";

    private Services() {
    }

    /** The administration API (access administration and the security log). */
    public static ServiceDefinition administration() {
        return new ServiceDefinition(ADMINISTRATION, "Administration",
                "Register IT systems and certificates, define services, decide service agreements, read the security log",
                "/api/admin/", List.of(
                new ServiceDefinition.RoleDefinition(OPERATOR, "Platform operator", List.of()),
                new ServiceDefinition.RoleDefinition(MUNICIPAL_ADMIN,
                        "Municipal administrator: the agreements of the token's municipality", List.of())));
    }

    /**
     * The constraint types of a role that reads personal data in an index: KLE subjects, org units,
     * sensitivity (required, so that an agreement always states how sensitive data it reaches) and
     * owning IT systems.
     */
    public static List<ServiceDefinition.ConstraintDefinition> indexConstraints() {
        return List.of(
                new ServiceDefinition.ConstraintDefinition(Constraints.KLE, Constraints.KLE_PATTERN, false),
                new ServiceDefinition.ConstraintDefinition(Constraints.ORG_UNIT, Constraints.ORG_UNIT_PATTERN, false),
                new ServiceDefinition.ConstraintDefinition(Constraints.SENSITIVITY, Constraints.SENSITIVITY_PATTERN, true),
                new ServiceDefinition.ConstraintDefinition(Constraints.IT_SYSTEM, Constraints.IT_SYSTEM_PATTERN, false));
    }

    /** An index service: publish, search (with {@link #indexConstraints}) and protected data. */
    public static ServiceDefinition index(String entityId, String name, String description, String pathPrefix) {
        return new ServiceDefinition(entityId, name, description, pathPrefix, List.of(
                new ServiceDefinition.RoleDefinition(PUBLISH,
                        "Publish the records the IT system owns, for the token's municipality", List.of()),
                new ServiceDefinition.RoleDefinition(SEARCH,
                        "Search the municipality's records within the data constraints", indexConstraints()),
                new ServiceDefinition.RoleDefinition(PROTECTED_DATA,
                        "See protected persons' names and addresses (navne- og adressebeskyttelse)", List.of())));
    }
}
