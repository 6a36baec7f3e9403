package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.platform.security.Services;
import org.junit.jupiter.api.Test;

/** Meta-test: every test class gets a database of its own, empty of registry objects. */
class DatabaseIsolationTest extends ApiTest {

    @Test
    void databaseIsNewAndEmpty() {
        assertThat(jdbc.sql("SELECT current_database()").query(String.class).single()).startsWith("opensts_test_");
        assertThat(count("SELECT count(*) FROM organisation.registry_object")).isZero();
        assertThat(count("SELECT count(*) FROM platform.audit_log")).isZero();
        // and writing here is not seen by others: another class starting later sees zero again
        call("POST", "/api/organisation/v1/organisations", tokenFor("33333333", Services.ORGANISATION, Services.WRITE),
                "{\"cvr\":\"33333333\",\"name\":\"Isoleret\"}");
        assertThat(count("SELECT count(*) FROM organisation.registry_object")).isEqualTo(1);
    }
}
