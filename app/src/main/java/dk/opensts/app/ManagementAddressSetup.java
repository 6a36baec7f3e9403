package dk.opensts.app;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * With {@code OPENSTS_MANAGEMENT_PORT} set, binds that port to {@code OPENSTS_MANAGEMENT_ADDRESS}, or
 * else to the API's own address ({@code OPENSTS_ADDRESS}, 127.0.0.1 by default) rather than to every
 * interface, which is what a management port with no address of its own does. Without a port of its
 * own the address is left unset: Spring Boot refuses a management address on the API's port.
 */
public class ManagementAddressSetup implements EnvironmentPostProcessor, Ordered {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String port = environment.getProperty("management.server.port", "");
        if (port.isBlank() || port.equals(environment.getProperty("server.port"))) {
            return;
        }
        String address = environment.getProperty("OPENSTS_MANAGEMENT_ADDRESS", "");
        if (address.isBlank()) {
            address = environment.getProperty("server.address", "");
        }
        if (!address.isBlank()) {
            environment.getPropertySources().addFirst(
                    new MapPropertySource("opensts-management-address", Map.of("management.server.address", address)));
        }
    }

    @Override
    public int getOrder() {
        // after the configuration files are read (ConfigDataEnvironmentPostProcessor)
        return Ordered.LOWEST_PRECEDENCE;
    }
}
