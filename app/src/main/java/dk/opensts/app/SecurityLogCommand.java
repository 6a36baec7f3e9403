package dk.opensts.app;

import dk.opensts.platform.securitylog.SecurityLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code verify-security-log}: verifies the security log's hash chain against the configured
 * database and key, prints the outcome as JSON and exits 0 when intact, 1 when not. It starts
 * OpenSTS without demo data on free ports; against the embedded database the server must be
 * stopped first (a running server answers {@code GET /api/admin/v1/security-log/verify}).
 */
public final class SecurityLogCommand {

    public static final String NAME = "verify-security-log";

    private SecurityLogCommand() {
    }

    public static int run(Class<?> application, String[] args) {
        List<String> options = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        options.addAll(List.of("--server.port=0", "--opensts.tls.enabled=false", "--opensts.demo.enabled=false",
                "--spring.main.banner-mode=off", "--logging.level.root=warn"));
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
                .run(options.toArray(String[]::new))) {
            SecurityLog.Verification v = context.getBean(SecurityLog.class).verify();
            System.out.println(context.getBean(JsonMapper.class).writerWithDefaultPrettyPrinter().writeValueAsString(v));
            return v.intact() ? 0 : 1;
        }
    }
}
