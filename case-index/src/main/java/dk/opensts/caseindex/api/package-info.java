/** The case index's API for other modules. */
@org.springframework.modulith.NamedInterface("api")
package dk.opensts.caseindex.api;
