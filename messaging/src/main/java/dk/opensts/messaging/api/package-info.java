/** What other modules (and the assembly's demo data) may ask of the message distributor. */
@org.springframework.modulith.NamedInterface("api")
package dk.opensts.messaging.api;
