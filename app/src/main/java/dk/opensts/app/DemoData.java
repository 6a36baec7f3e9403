package dk.opensts.app;

import dk.opensts.access.api.ItSystems;
import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.access.pki.DevelopmentCa;
import dk.opensts.access.pki.Enrolment;
import dk.opensts.access.pki.TlsConnector;
import dk.opensts.classification.api.Classifications;
import dk.opensts.classification.kle.SyntheticKle;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.security.Services;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * The default run's demo data: a demo municipality, a synthetic KLE, and two IT systems with
 * certificates from the development CA (in {@code <data-dir>/pki}): the platform operator (role
 * operator of the administration API) and a demo fagsystem allowed to read and write both
 * registries of the demo municipality. Made once; later starts only print how to use them.
 */
@Component
@ConditionalOnProperty(name = "opensts.demo.enabled", havingValue = "true")
class DemoData implements ApplicationRunner {

    static final String DEMO_CVR = "11111111";
    static final UUID DEMO_SYSTEM = UUID.fromString("5e1f0000-0000-4000-8000-000000000001");
    static final UUID OPERATOR_SYSTEM = UUID.fromString("5e1f0000-0000-4000-8000-000000000000");
    private static final Logger log = LoggerFactory.getLogger(DemoData.class);

    private final Organisations organisations;
    private final Classifications classifications;
    private final ItSystems systems;
    private final ServiceAgreements agreements;
    private final DevelopmentCa.Holder ca;
    private final TlsConnector tls;

    DemoData(Organisations organisations, Classifications classifications, ItSystems systems,
             ServiceAgreements agreements, DevelopmentCa.Holder ca, TlsConnector tls) {
        this.organisations = organisations;
        this.classifications = classifications;
        this.systems = systems;
        this.agreements = agreements;
        this.ca = ca;
        this.tls = tls;
    }

    @Override
    public void run(ApplicationArguments args) throws java.io.IOException {
        UUID municipality = organisations.ensureMunicipality(DEMO_CVR, "Demo Kommune", "demo-data");
        if (classifications.findClass("KLE", "00.01.00").isEmpty()) {
            // a synthetic KLE of the real size: the real KLE file may not be shipped
            java.io.StringWriter xml = new java.io.StringWriter();
            SyntheticKle.write(xml, 100, 10, 5, 42);
            int n = classifications.importKle(new java.io.StringReader(xml.toString()), "demo-data");
            log.info("Imported a synthetic KLE with {} objects", n);
        }
        if (ca.ca() == null) {
            log.info("The development CA is off: no demo IT systems");
            return;
        }
        DevelopmentCa dev = ca.ca();
        if (systems.find(OPERATOR_SYSTEM).isEmpty()) {
            dev.save(Enrolment.enrol(dev, systems, agreements, OPERATOR_SYSTEM, "OpenSTS operator", DEMO_CVR,
                    Map.of(Services.ADMINISTRATION, List.of(Services.OPERATOR)), "demo-data"), "operator");
        }
        if (systems.find(DEMO_SYSTEM).isEmpty()) {
            dev.save(Enrolment.enrol(dev, systems, agreements, DEMO_SYSTEM, "Demo fagsystem", DEMO_CVR,
                    Map.of(Services.ORGANISATION, List.of(Services.READ, Services.WRITE),
                            Services.CLASSIFICATION, List.of(Services.READ, Services.WRITE)), "demo-data"),
                    "demo-fagsystem");
        }
        // the demo fagsystem publishes to and searches the indexes (sensitive data, not VIP, every KLE subject)
        for (String service : List.of(Services.CASE_INDEX, Services.BENEFIT_INDEX)) {
            if (agreements.approvedGrants(DEMO_SYSTEM, service, DEMO_CVR, java.time.Instant.now()).isEmpty()) {
                Enrolment.approveGrants(agreements, DEMO_SYSTEM, DEMO_CVR, Map.of(service, List.of(
                        new ServiceAgreements.Grant(Services.PUBLISH, Map.of()),
                        new ServiceAgreements.Grant(Services.SEARCH, Map.of(
                                dk.opensts.platform.security.Constraints.SENSITIVITY, "FOELSOMME_PERSONOPLYSNINGER")))),
                        "demo-data");
            }
        }
        Path pki = dev.directory().toAbsolutePath();
        String base = "https://127.0.0.1:" + tls.port();
        String curl = "curl --cacert " + pki.resolve("ca.crt.pem") + " --cert " + pki.resolve("demo-fagsystem.crt.pem")
                + " --key " + pki.resolve("demo-fagsystem.key.pem");
        log.info("""

                ==== OpenSTS demo ====
                Demo municipality: Demo Kommune, CVR {} (organisation {})
                Demo IT system:    {} (certificate and key in {})
                Get a token over mutual TLS:
                  TOKEN=$({} -s {}/oauth2/token -d grant_type=client_credentials \\
                    -d scope=entityid:{},anvenderkontekst:{} | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')
                Use it:
                  {} -H "Authorization: Bearer $TOKEN" {}/api/organisation/v1/organisations?cvr={}
                The same system may publish to and search the indexes: ask for a token with
                  scope=entityid:{},anvenderkontekst:{} (or {}) and call
                  /api/case-index/v1/cases?party=<CPR>&include=documents,grants (see docs/indexes.md)
                Operator certificate (administration API): {}
                API description: {}/v3/api-docs
                ======================""", DEMO_CVR, municipality, DEMO_SYSTEM, pki, curl, base, Services.ORGANISATION,
                DEMO_CVR, curl, base, DEMO_CVR, Services.CASE_INDEX, DEMO_CVR, Services.BENEFIT_INDEX,
                pki.resolve("operator.p12"), base);
    }
}
