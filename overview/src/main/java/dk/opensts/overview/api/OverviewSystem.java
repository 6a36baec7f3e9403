package dk.opensts.overview.api;

import java.security.cert.X509Certificate;

/**
 * The overview as a SAML service provider: what the platform operator registers in the role catalogue
 * (also served as SP metadata at {@code /overview/saml/metadata}).
 */
public interface OverviewSystem {

    String entityId();

    String acsUrl();

    /** Its signing and encryption certificate. */
    X509Certificate certificate();

    /** The system role a job role must carry (with KLE, org unit and sensitivity values) to search in it. */
    default String searchRole() {
        return entityId() + "/roller/se-borgeroverblik";
    }

    /** The system role that shows protected persons' names and addresses (it carries the indexes' protected-data). */
    default String protectedDataRole() {
        return entityId() + "/roller/se-beskyttede-oplysninger";
    }
}
