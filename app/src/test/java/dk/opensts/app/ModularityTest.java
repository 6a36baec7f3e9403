package dk.opensts.app;

import dk.opensts.OpenStsApplication;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/** The modules keep their boundaries: only api packages (and the open platform) are used across modules. */
class ModularityTest {

    @Test
    void moduleBoundariesHold() {
        ApplicationModules.of(OpenStsApplication.class).verify();
    }
}
