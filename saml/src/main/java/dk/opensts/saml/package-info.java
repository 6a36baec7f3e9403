/**
 * SAML 2.0 on Apache Santuario: the hardened reading, signing, verifying and encrypting of messages
 * ({@link dk.opensts.saml.SamlXml}), the HTTP-Redirect binding, the OIOSAML 3 messages and attributes,
 * the OIO basic privilege profile, and a service provider's side of a login
 * ({@link dk.opensts.saml.ServiceProvider}). Used by the context handler and by every user-facing
 * system: the overview in OpenSTS and the demo fagsystem beside it.
 * <p>
 * An open module: a library without state or beans of its own.
 */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package dk.opensts.saml;
