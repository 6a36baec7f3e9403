package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.OpenStsApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code OPENSTS_MANAGEMENT_PORT} moves health, info and the Prometheus metrics off the API's port to
 * one of their own (for the monitoring network), where they answer and the API does not; on the
 * API's port they are gone and the API answers as before.
 */
class ManagementPortTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void healthAndMetricsMoveToTheManagementPortAndLeaveTheApisPort() throws Exception {
        int management = LocalPorts.free();
        try (ConfigurableApplicationContext server = new SpringApplicationBuilder(OpenStsApplication.class).run(
                "--server.port=0", "--opensts.tls.port=0", "--opensts.demo.enabled=false",
                "--opensts.db.url=" + TestDatabase.newDatabase(), "--opensts.db.user=postgres", "--opensts.db.password=",
                "--opensts.data-dir=" + Files.createTempDirectory("opensts-management-"), "--opensts.db.pool-size=4",
                "--OPENSTS_MANAGEMENT_PORT=" + management, "--spring.main.banner-mode=off")) {
            int api = Integer.parseInt(server.getEnvironment().getProperty("local.server.port"));
            assertThat(api).isNotEqualTo(management);

            HttpResponse<String> health = get(management, "/actuator/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");
            HttpResponse<String> metrics = get(management, "/actuator/prometheus");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("opensts_outbox_publications{status=\"failed\"}",
                    "opensts_messaging_backlog{state=\"ready\"}");
            // the management port serves nothing else (the API's security asks for a token first)
            assertThat(get(management, "/api/organisation/v1/organisations").statusCode()).isIn(401, 404);
            assertThat(get(management, "/v3/api-docs").statusCode()).isEqualTo(404);

            for (String path : new String[] {"/actuator/health", "/actuator/prometheus", "/actuator/info"}) {
                HttpResponse<String> gone = get(api, path);
                assertThat(gone.statusCode()).as(path).isEqualTo(404);
                assertThat(gone.headers().firstValue("Content-Type")).as(path).hasValue("application/problem+json");
            }
            // bound to the API's address (127.0.0.1), not to every interface
            java.net.InetAddress outside = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())
                    .stream().flatMap(n -> java.util.Collections.list(n.getInetAddresses()).stream())
                    .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress()).findFirst().orElse(null);
            if (outside != null) {
                try (java.net.Socket socket = new java.net.Socket()) {
                    org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> socket.connect(new java.net.InetSocketAddress(outside, management), 2000))
                            .as("management port reached on " + outside).isInstanceOf(java.io.IOException.class);
                }
            }
            assertThat(get(api, "/api/organisation/v1/organisations").statusCode()).isEqualTo(401);
            assertThat(get(api, "/v3/api-docs").statusCode()).isEqualTo(200);
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
