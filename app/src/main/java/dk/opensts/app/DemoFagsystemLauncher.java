package dk.opensts.app;

import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.access.pki.TlsConnector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * The demo run starts the demo fagsystem beside the platform, after the demo data made its certificate
 * and registered it: its own Spring context and web server on {@code opensts.demo.fagsystem.port}
 * (8081), talking to the platform only over HTTP like any vendor's system. It stops with the platform.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "opensts.demo.enabled", havingValue = "true")
class DemoFagsystemLauncher {

    static final String SAML_KEY = "demo-fagsystem-saml";
    private static final Logger log = LoggerFactory.getLogger(DemoFagsystemLauncher.class);

    /** Where the demo fagsystem is reached. */
    record Settings(String baseUrl, int port, boolean enabled) {
        String entityId() {
            return baseUrl + "/saml";
        }

        String acsUrl() {
            return baseUrl + "/saml/acs";
        }
    }

    @Bean
    Settings demoFagsystemSettings(@Value("${opensts.demo.fagsystem.port:8081}") int port,
                                   @Value("${server.address:127.0.0.1}") String address,
                                   @Value("${opensts.demo.fagsystem.enabled:${opensts.saml.test-idp.enabled:false}}") boolean enabled) {
        return new Settings("http://" + address + ":" + port, port, enabled);
    }

    @Bean
    Runner demoFagsystem(Settings settings, DevelopmentCa.Holder ca, TlsConnector tls, ConfigurableApplicationContext platform,
                         @Value("${opensts.data-dir}") Path dataDir, @Value("${server.address:127.0.0.1}") String address) {
        return new Runner(settings, ca, tls, platform, dataDir, address);
    }

    /** Starts the demo fagsystem when the platform is ready, and stops it with the platform. */
    @Order(200)
    static final class Runner implements ApplicationRunner, org.springframework.beans.factory.DisposableBean {
        private final Settings settings;
        private final DevelopmentCa.Holder ca;
        private final TlsConnector tls;
        private final ConfigurableApplicationContext platform;
        private final Path dataDir;
        private final String address;
        private volatile ConfigurableApplicationContext fagsystem;

        Runner(Settings settings, DevelopmentCa.Holder ca, TlsConnector tls, ConfigurableApplicationContext platform,
               Path dataDir, String address) {
            this.settings = settings;
            this.ca = ca;
            this.tls = tls;
            this.platform = platform;
            this.dataDir = dataDir;
            this.address = address;
        }

        @Override
        public void run(ApplicationArguments args) {
            if (!settings.enabled() || ca.ca() == null) {
                return;
            }
            int port = ((WebServerApplicationContext) platform).getWebServer().getPort();
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("server.port", settings.port());
            props.put("server.address", address);
            props.put("demo.opensts-url", "http://" + address + ":" + port);
            props.put("demo.opensts-tls-url", "https://" + address + ":" + tls.port());
            props.put("demo.base-url", settings.baseUrl());
            props.put("demo.pki-dir", ca.ca().directory().toAbsolutePath().toString());
            props.put("demo.data-dir", dataDir.resolve("demo-fagsystem").toAbsolutePath().toString());
            props.put("demo.municipality", DemoData.DEMO_CVR);
            fagsystem = dk.demofagsystem.DemoFagsystem.start(props);
            log.info("Demo fagsystem: {} (log in as aktoer1/aktoer1)", settings.baseUrl());
        }

        @Override
        public void destroy() {
            ConfigurableApplicationContext f = fagsystem;
            if (f != null) {
                f.close();
            }
        }
    }
}
