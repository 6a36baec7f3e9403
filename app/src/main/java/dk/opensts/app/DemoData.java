package dk.opensts.app;

import dk.opensts.access.api.ItSystems;
import dk.opensts.classification.api.Classifications;
import dk.opensts.classification.kle.SyntheticKle;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.security.Scopes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Properties;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.stereotype.Component;

/**
 * The default run's demo data: a demo municipality and a demo IT system allowed to read and write
 * both registries. The system's secret is made once and kept (readable by the owner only) in
 * {@code <data-dir>/demo-credentials.properties}, so the printed curl command works after restarts.
 */
@Component
@ConditionalOnProperty(name = "opensts.demo.enabled", havingValue = "true")
class DemoData implements ApplicationRunner {

    static final String DEMO_CVR = "11111111";
    static final UUID DEMO_SYSTEM = UUID.fromString("5e1f0000-0000-4000-8000-000000000001");
    private static final Logger log = LoggerFactory.getLogger(DemoData.class);

    private final Organisations organisations;
    private final Classifications classifications;
    private final ItSystems systems;
    private final ApplicationContext context;
    private final Path dataDir;

    DemoData(Organisations organisations, Classifications classifications, ItSystems systems, ApplicationContext context,
             @Value("${opensts.data-dir:./data}") String dataDir) {
        this.organisations = organisations;
        this.classifications = classifications;
        this.systems = systems;
        this.context = context;
        this.dataDir = Path.of(dataDir);
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        UUID municipality = organisations.ensureMunicipality(DEMO_CVR, "Demo Kommune", "demo-data");
        if (classifications.findClass("KLE", "00.01.00").isEmpty()) {
            // a synthetic KLE of the real size: the real KLE file may not be shipped
            java.io.StringWriter xml = new java.io.StringWriter();
            SyntheticKle.write(xml, 100, 10, 5, 42);
            int n = classifications.importKle(new java.io.StringReader(xml.toString()), "demo-data");
            log.info("Imported a synthetic KLE with {} objects", n);
        }
        Path file = dataDir.resolve("demo-credentials.properties");
        String secret;
        if (systems.find(DEMO_SYSTEM).isEmpty()) {
            byte[] bytes = new byte[24];
            new SecureRandom().nextBytes(bytes);
            secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            systems.register(DEMO_SYSTEM, "Demo fagsystem", "12345678", DEMO_CVR, new HashSet<>(Scopes.ALL), secret);
            Properties p = new Properties();
            p.setProperty("client_id", DEMO_SYSTEM.toString());
            p.setProperty("client_secret", secret);
            Files.createDirectories(dataDir);
            Files.writeString(file, "# OpenSTS demo IT system (development only)\nclient_id=" + DEMO_SYSTEM
                    + "\nclient_secret=" + secret + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        } else {
            Properties p = new Properties();
            try (var in = Files.newBufferedReader(file)) {
                p.load(in);
            } catch (IOException e) {
                log.warn("The demo system exists but {} is missing; its secret cannot be shown", file);
                return;
            }
            secret = p.getProperty("client_secret");
        }
        int port = context instanceof WebServerApplicationContext w ? w.getWebServer().getPort() : 8080;
        String base = "http://127.0.0.1:" + port;
        log.info("""

                ==== OpenSTS demo ====
                Demo municipality: Demo Kommune, CVR {} (organisation {})
                Demo IT system:    {} (credentials in {})
                Get a token:
                  TOKEN=$(curl -s -u {}:{} -d grant_type=client_credentials {}/oauth2/token | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')
                Use it:
                  curl -H "Authorization: Bearer $TOKEN" {}/api/organisation/v1/organisations?cvr={}
                API description: {}/v3/api-docs
                ======================""", DEMO_CVR, municipality, DEMO_SYSTEM, file.toAbsolutePath(),
                DEMO_SYSTEM, secret, base, base, DEMO_CVR, base);
    }
}
