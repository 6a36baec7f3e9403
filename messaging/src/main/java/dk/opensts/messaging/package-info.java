/**
 * Beskedfordeler, the message distributor: IT systems publish business events in an envelope
 * (JSON or the XML {@code Haendelsesbesked}); each receiving system gets the events its
 * subscriptions match, for the municipalities that approved its agreement, in its own dueslag,
 * read by REST pull with leases or by HTTP push. PostgreSQL is the store of record: a publish is
 * confirmed only once the message and its deliveries are committed. The registries' and indexes'
 * changes are published here as OpenSTS's own message types.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Messaging")
package dk.opensts.messaging;
