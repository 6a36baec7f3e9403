/** What the overview tells the rest of OpenSTS (the demo data registers it as a user-facing system). */
@org.springframework.modulith.NamedInterface("api")
package dk.opensts.overview.api;
