package dk.opensts.platform.securitylog;

/** What a security log entry records. */
public enum SecurityEventType {
    /** A token request was refused (no agreement, bad request, unknown scope). */
    TOKEN_REFUSED,
    /** A presented token was rejected (signature, expiry, audience, municipality, binding). */
    TOKEN_REJECTED,
    /** A client certificate was rejected (unknown, expired, revoked, untrusted issuer). */
    CERTIFICATE_REJECTED,
    /** An authenticated caller was refused an operation or data. */
    ACCESS_DENIED,
    /** An IT system or one of its certificates was registered, changed or revoked. */
    SYSTEM_CHANGED,
    /** A service or its roles were defined or changed. */
    SERVICE_CHANGED,
    /** A service agreement was requested, approved, rejected or revoked. */
    AGREEMENT_CHANGED,
    /** The signing keys were rotated or retired. */
    KEY_CHANGED,
    /** The security log was verified. */
    LOG_VERIFIED,
    /** A user-facing system, job role or assignment of the role catalogue was changed. */
    ROLE_CATALOGUE_CHANGED,
    /** A municipality's identity provider was configured. */
    IDP_CHANGED,
    /** A user logged in through the context handler (the system roles issued are in the details). */
    LOGIN,
    /** A login or a SAML message was refused (unknown system, signature, replay, assurance, privileges). */
    LOGIN_REFUSED
}
