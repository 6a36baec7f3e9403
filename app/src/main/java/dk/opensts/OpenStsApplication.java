package dk.opensts;

import dk.opensts.app.SecurityLogCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * OpenSTS: the runnable assembly of all modules. With the argument {@code verify-security-log} it
 * verifies the security log instead of serving, and exits 0 (intact) or 1.
 */
@SpringBootApplication
public class OpenStsApplication {

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals(SecurityLogCommand.NAME)) {
            System.exit(SecurityLogCommand.run(OpenStsApplication.class, args));
        }
        SpringApplication.run(OpenStsApplication.class, args);
    }
}
