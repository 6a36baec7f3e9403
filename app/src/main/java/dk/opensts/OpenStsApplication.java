package dk.opensts;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** OpenSTS: the runnable assembly of all modules. */
@SpringBootApplication
public class OpenStsApplication {

    public static void main(String[] args) {
        SpringApplication.run(OpenStsApplication.class, args);
    }
}
