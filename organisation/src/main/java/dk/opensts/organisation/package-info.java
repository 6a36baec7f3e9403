/**
 * FK Organisation: municipalities (organisations keyed by CVR), organisation units in a hierarchy,
 * users, persons, functions and addresses, all bitemporal, with a bulk import of a municipality's
 * authoritative feed.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Organisation")
package dk.opensts.organisation;
