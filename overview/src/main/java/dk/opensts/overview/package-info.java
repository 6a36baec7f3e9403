/**
 * The caseworker overview (like KOMBIT's SAPA): a user-facing system behind the context handler that
 * shows a citizen's cases, documents and grants from every fagsystem, as far as the caseworker's
 * privileges reach (decided in the index's query), with deep links into the owning systems and an
 * audit record of every search and view. Server-rendered (Thymeleaf), Danish with English a switch away.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Overview")
package dk.opensts.overview;
