/**
 * The context handler (SAML 2.0 on Apache Santuario), the municipal IdP registry, and the test IdP
 * of the demo run and the tests. Other modules use it to set up demo logins.
 */
@org.springframework.modulith.NamedInterface("saml")
package dk.opensts.access.saml;
