/**
 * Ydelsesindeks: the grants (bevillinger) of benefits that the fagsystemer publish, with their
 * granted benefits, payment plans and effectuations, searched by party or case within the caller's
 * privileges.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Benefit index")
package dk.opensts.benefitindex;
