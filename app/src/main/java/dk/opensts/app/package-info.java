/**
 * The runnable assembly: the database (embedded PostgreSQL by default, any PostgreSQL 15+ by
 * {@code OPENSTS_DB_URL}) and the demo data of the default run.
 */
@org.springframework.modulith.ApplicationModule(displayName = "App")
package dk.opensts.app;
