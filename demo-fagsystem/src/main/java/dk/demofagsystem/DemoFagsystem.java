package dk.demofagsystem;

import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.servlet.autoconfigure.HttpEncodingAutoConfiguration;
import org.springframework.boot.thymeleaf.autoconfigure.ThymeleafAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.ComponentScan;

/**
 * A demo fagsystem (a social-services case system as a vendor would build one), its own web
 * application with its own web server. It knows OpenSTS only by its public interfaces: the context
 * handler's SAML metadata and login, and the token service and index APIs over mutual TLS with the
 * certificate the municipality's agreement names. It names the parts of Spring Boot it uses instead
 * of configuring whatever is on the class path, so it can run inside another application's JVM (the
 * demo run starts it beside the platform) without taking up that application's set-up.
 */
@SpringBootConfiguration
@ImportAutoConfiguration({PropertyPlaceholderAutoConfiguration.class, TomcatServletWebServerAutoConfiguration.class,
        DispatcherServletAutoConfiguration.class, WebMvcAutoConfiguration.class, HttpEncodingAutoConfiguration.class,
        HttpMessageConvertersAutoConfiguration.class, JacksonAutoConfiguration.class, ThymeleafAutoConfiguration.class,
        ErrorMvcAutoConfiguration.class})
@ComponentScan
public class DemoFagsystem {

    /** Starts it with these settings ({@code demo.*}, {@code server.port}); closing the context stops it. */
    public static ConfigurableApplicationContext start(Map<String, Object> settings) {
        return builder().properties(settings).run();
    }

    /** Runs it alone, against an OpenSTS elsewhere: settings as {@code --demo.opensts-url=...} arguments. */
    public static void main(String[] args) {
        builder().run(args);
    }

    private static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(DemoFagsystem.class)
                .web(WebApplicationType.SERVLET)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                // its own configuration file, never the platform's application.yml beside it
                .properties(Map.of("spring.config.name", "demo-fagsystem",
                        // cookies do not tell ports apart: its own name beside OpenSTS's session on the same host
                        "server.servlet.session.cookie.name", "DEMOFAGSYSTEM_SESSION",
                        "server.servlet.session.cookie.same-site", "lax"));
    }
}
