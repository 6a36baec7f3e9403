/**
 * Certificates: PEM and thumbprints, trusted CAs, the development CA and the mutual-TLS
 * connector. Other modules use it to set up development and demo systems.
 */
@org.springframework.modulith.NamedInterface("pki")
package dk.opensts.access.pki;
