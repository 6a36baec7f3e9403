package dk.opensts.overview.web;

import java.time.Duration;
import java.util.Locale;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.web.servlet.LocaleResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.i18n.CookieLocaleResolver;
import org.springframework.web.servlet.i18n.LocaleChangeInterceptor;

/**
 * The overview's web set-up: a session per caseworker (its id changes at login), CSRF tokens on its
 * own forms (the context handler's answer is checked by its signature and request id instead), a
 * strict content security policy, no caching of pages with personal data, and the language:
 * Danish, or English after {@code ?lang=en} (kept in a cookie).
 */
@org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "opensts.overview.enabled", havingValue = "true", matchIfMissing = true)
@Configuration(proxyBeanMethods = false)
class OverviewWebConfiguration implements WebMvcConfigurer {

    static final Locale DANISH = Locale.forLanguageTag("da");

    @Bean
    @Order(30)
    SecurityFilterChain overviewSecurity(HttpSecurity http) throws Exception {
        http.securityMatcher("/overview/**")
                // the overview's own login (SAML) guards each page; Spring Security adds the rest
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED))
                .requestCache(c -> c.disable())
                .csrf(c -> c.ignoringRequestMatchers("/overview/saml/acs"))
                .headers(h -> h.frameOptions(f -> f.deny())
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN))
                        .contentSecurityPolicy(c -> c.policyDirectives("default-src 'none'; style-src 'self';"
                                + " img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")));
        return http.build();
    }

    @Bean
    LocaleResolver localeResolver() {
        CookieLocaleResolver r = new CookieLocaleResolver("opensts-lang");
        r.setDefaultLocale(DANISH);
        r.setCookieMaxAge(Duration.ofDays(365));
        return r;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        LocaleChangeInterceptor lang = new LocaleChangeInterceptor();
        lang.setParamName("lang");
        registry.addInterceptor(lang).addPathPatterns("/overview/**");
    }
}
