package dk.opensts.saml;

/**
 * A SAML message that must be refused, with the reason for the security log and the SAML status
 * code to answer with.
 */
public class SamlException extends RuntimeException {

    public static final String REQUESTER = "urn:oasis:names:tc:SAML:2.0:status:Requester";
    public static final String RESPONDER = "urn:oasis:names:tc:SAML:2.0:status:Responder";
    public static final String AUTHN_FAILED = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed";
    public static final String REQUEST_DENIED = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied";
    public static final String NO_AUTHN_CONTEXT = "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext";
    public static final String UNKNOWN_PRINCIPAL = "urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal";

    private final String topStatus;
    private final String subStatus;

    public SamlException(String reason) {
        this(REQUESTER, null, reason);
    }

    public SamlException(String topStatus, String subStatus, String reason) {
        super(reason);
        this.topStatus = topStatus;
        this.subStatus = subStatus;
    }

    public String topStatus() {
        return topStatus;
    }

    public String subStatus() {
        return subStatus;
    }
}
