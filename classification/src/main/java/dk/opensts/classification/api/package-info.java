@org.springframework.modulith.NamedInterface("api")
package dk.opensts.classification.api;
