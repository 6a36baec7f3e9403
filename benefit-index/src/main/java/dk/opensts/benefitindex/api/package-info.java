@org.springframework.modulith.NamedInterface("api")
package dk.opensts.benefitindex.api;
