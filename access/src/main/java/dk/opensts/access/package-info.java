/**
 * Access for systems: the registry of IT systems (anvendersystemer) with their credentials, and
 * OpenSTS's token service ({@code POST /oauth2/token}, OAuth2 client credentials) whose signed
 * JWTs every {@code /api/**} call must carry. Issue "Access for systems" adds certificates (mutual
 * TLS), services and service agreements behind the same seam: {@link dk.opensts.access.api.ItSystems}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Access")
package dk.opensts.access;
