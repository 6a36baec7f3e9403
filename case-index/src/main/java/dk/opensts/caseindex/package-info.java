/**
 * Sags- og Dokumentindeks: the metadata of cases and their documents that the fagsystemer publish,
 * searched by party or case number within the caller's privileges, with the cases' grants from the
 * benefit index in the same answer when asked.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Case index")
package dk.opensts.caseindex;
