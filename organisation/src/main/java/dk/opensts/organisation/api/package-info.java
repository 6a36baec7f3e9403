@org.springframework.modulith.NamedInterface("api")
package dk.opensts.organisation.api;
