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

    public static final String READ = "read";
    public static final String WRITE = "write";
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
}
