@org.springframework.modulith.NamedInterface("api")
package dk.opensts.access.api;
