package dk.opensts.platform.security;

import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Puts the {@link CryptoProviders} in place as the first thing a Spring application of OpenSTS does
 * once its configuration is read, before any key, certificate or TLS context is made (the server
 * and every test context alike).
 */
public class CryptoProviderSetup implements EnvironmentPostProcessor, Ordered {

    private final Log log;

    public CryptoProviderSetup(DeferredLogFactory logs) {
        this.log = logs.getLog(CryptoProviderSetup.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        log.info("Cryptography: " + CryptoProviders.install(environment.getProperty(CryptoProviders.PROPERTY)));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
