package dk.opensts.overview.domain;

import dk.opensts.platform.db.ModuleSchema;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The overview's schema (its caseworkers' sessions, read by Spring Session on every node), made also
 * where a node leaves the overview out: the session store's clean-up runs on every node.
 */
@Configuration(proxyBeanMethods = false)
public class OverviewSchema {

    @Bean
    ModuleSchema overviewModuleSchema() {
        return new ModuleSchema("overview", false);
    }
}
