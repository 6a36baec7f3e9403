package dk.opensts.overview.domain;

import dk.opensts.access.api.ItSystems;
import dk.opensts.access.api.UserAccess;
import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.caseindex.api.CaseIndex;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.security.KeyStores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * The overview's service provider key ({@code opensts.overview.keystore}, PKCS#12; in development one
 * the development CA issues and keeps in {@code <data-dir>/pki/overview.p12}) and its settings.
 */
@org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "opensts.overview.enabled", havingValue = "true", matchIfMissing = true)
@Configuration(proxyBeanMethods = false)
public class OverviewConfiguration {

    @Bean
    OverviewLogin overviewLogin(UserAccess access, DevelopmentCa.Holder dev, Clock clock,
                                @Value("${opensts.overview.keystore:}") String keystore,
                                @Value("${opensts.overview.keystore-password:}") String password,
                                @Value("${opensts.saml.clock-skew:PT60S}") Duration skew) {
        if (!keystore.isBlank()) {
            KeyStores.Entry e = KeyStores.firstKey(Path.of(keystore), password.toCharArray());
            return new OverviewLogin(access, e.key(), e.certificate(), clock, skew);
        }
        if (dev.ca() == null) {
            throw new IllegalStateException("set opensts.overview.keystore (the development CA is off)");
        }
        DevelopmentCa.Issued issued = dev.ca().samlKey("overview", "OpenSTS oversigt");
        return new OverviewLogin(access, issued.key(), issued.certificate(), clock, skew);
    }

    @Bean
    OverviewSettings overviewSettings(@Value("${opensts.overview.purpose-required:*}") String purposeRequired,
                                      @Value("${opensts.overview.page-size:50}") int pageSize) {
        Set<String> cvrs = Arrays.stream(purposeRequired.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        if (pageSize < 1 || pageSize > 1000) {
            throw new IllegalStateException("opensts.overview.page-size is 1 to 1000");
        }
        return new OverviewSettings(cvrs, pageSize);
    }

    @Bean
    CitizenOverview citizenOverview(CaseIndex index, dk.opensts.benefitindex.api.BenefitIndex benefits, UserAccess access,
                                    Organisations organisations, ItSystems systems,
                                    dk.opensts.classification.api.Classifications classifications, JsonMapper json,
                                    OverviewSettings settings) {
        return new CitizenOverview(index, benefits, access, organisations, systems, classifications, json, settings);
    }
}
