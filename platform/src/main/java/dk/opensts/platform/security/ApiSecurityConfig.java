package dk.opensts.platform.security;

import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.ProblemHandler;
import dk.opensts.platform.securitylog.SecurityLog;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every call under {@code /api/**} needs a bearer JWT from OpenSTS's own token service (the
 * {@code JwtDecoder} bean of the access module) for the service the path belongs to, acting for
 * a municipality, bound to the client certificate when called over mutual TLS
 * ({@link TokenContextFilter}); the roles in {@code priv} decide per operation. Operational
 * endpoints (health, metrics, the OpenAPI document) are open; everything else is denied.
 */
@Configuration(proxyBeanMethods = false)
@EnableMethodSecurity
public class ApiSecurityConfig {

    /**
     * No observation per security filter and authentication: wrapping each of the chain's filters
     * costs about a tenth of a search's CPU and tells nothing that the HTTP server metrics and the
     * security log do not. HTTP requests stay observed.
     */
    @Bean
    org.springframework.security.config.observation.SecurityObservationSettings securityObservationSettings() {
        return org.springframework.security.config.observation.SecurityObservationSettings.noObservations();
    }

    /** Spring Security's strict firewall for every request, its character rules checked without regular expressions. */
    @Bean
    org.springframework.security.web.firewall.HttpFirewall httpFirewall() {
        return HeaderChecks.firewall();
    }

    /** The firewall's refusals as problem+json, like every other refusal (Spring's default is a bare 400). */
    @Bean
    org.springframework.security.web.firewall.RequestRejectedHandler requestRejectedHandler(JsonMapper json) {
        return (request, response, e) -> ProblemSecurityHandlers.write(json, response, ErrorCode.INVALID_PARAMETER,
                ProblemHandler.REJECTED, null);
    }

    @Bean
    @Order(10)
    SecurityFilterChain apiSecurity(HttpSecurity http, JsonMapper json, SecurityLog securityLog,
                                    List<ServiceDefinition> services,
                                    @Value("${opensts.security.require-mtls:false}") boolean requireMutualTls) throws Exception {
        http.securityMatcher("/api/**")
                .addFilterAfter(new TokenContextFilter(services, securityLog, json, requireMutualTls),
                        BearerTokenAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a.anyRequest().authenticated())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(c -> c.disable())
                .oauth2ResourceServer(o -> o.bearerTokenResolver(HeaderChecks.BEARER).jwt(j -> { })
                        .authenticationEntryPoint(ProblemSecurityHandlers.entryPoint(json, securityLog))
                        .accessDeniedHandler(ProblemSecurityHandlers.deniedHandler(json)))
                .exceptionHandling(e -> e.authenticationEntryPoint(ProblemSecurityHandlers.entryPoint(json, securityLog))
                        .accessDeniedHandler(ProblemSecurityHandlers.deniedHandler(json)));
        return http.build();
    }

    @Bean
    @Order(100)
    SecurityFilterChain publicSecurity(HttpSecurity http, JsonMapper json) throws Exception {
        http.authorizeHttpRequests(a -> a
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus",
                                "/actuator/info", "/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml",
                                "/error").permitAll()
                        .anyRequest().denyAll())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(c -> c.disable())
                .exceptionHandling(e -> e.authenticationEntryPoint(ProblemSecurityHandlers.entryPoint(json, null))
                        .accessDeniedHandler(ProblemSecurityHandlers.deniedHandler(json)));
        return http.build();
    }
}
