/**
 * Access for systems: IT systems (anvendersystemer) and their certificates, the service catalogue,
 * service agreements, and OpenSTS's token service ({@code POST /oauth2/token}, client credentials
 * over mutual TLS) whose signed JWTs every {@code /api/**} call must carry; the administration API.
 * Other modules use {@link dk.opensts.access.api} and, for development set-ups, {@link dk.opensts.access.pki}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Access")
package dk.opensts.access;
