package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** The management port's address: set only with a port of its own, to its own address or the API's. */
class ManagementAddressSetupTest {

    private static String address(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("given", new HashMap<>(properties)));
        new ManagementAddressSetup().postProcessEnvironment(environment, null);
        return environment.getProperty("management.server.address");
    }

    @Test
    void theAddressFollowsAPortOfItsOwnOnly() {
        Map<String, Object> api = Map.of("server.port", "8080", "server.address", "127.0.0.1");
        assertThat(address(api)).isNull();
        assertThat(address(merge(api, Map.of("management.server.port", "")))).isNull();
        assertThat(address(merge(api, Map.of("management.server.port", "8080", "OPENSTS_MANAGEMENT_ADDRESS", "10.0.0.5"))))
                .isNull();
        assertThat(address(merge(api, Map.of("management.server.port", "9090")))).isEqualTo("127.0.0.1");
        assertThat(address(merge(api, Map.of("management.server.port", "9090", "OPENSTS_MANAGEMENT_ADDRESS", "10.0.0.5"))))
                .isEqualTo("10.0.0.5");
    }

    private static Map<String, Object> merge(Map<String, Object> a, Map<String, Object> b) {
        Map<String, Object> all = new HashMap<>(a);
        all.putAll(b);
        return all;
    }
}
