package dk.demofagsystem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Publishes the system's records to the indexes as their record formats say (docs/indexes.md): the
 * case with its citizen as primary party and a deep link to its page here, its documents, and its
 * grants. A record goes with its own version, so a retry is harmless and an older one is refused.
 */
@Component
public class Publisher {

    private final OpenStsClient opensts;
    private final DemoSettings settings;

    Publisher(OpenStsClient opensts, DemoSettings settings) {
        this.opensts = opensts;
        this.settings = settings;
    }

    public OpenStsClient.Answer publishCase(Journal.Case c, Journal.Citizen citizen) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", c.version());
        body.put("caseNumber", c.number());
        body.put("title", c.title());
        body.put("states", List.of(Map.of("state", "OPSTAAET", "from", c.opened().toString())));
        body.put("sensitivity", c.sensitivity());
        body.put("parties", List.of(party(citizen, "PRIMARY")));
        body.put("municipality", settings.municipality);
        body.put("orgUnit", c.unit().toString());
        body.put("caseworker", c.caseworker());
        body.put("kle", c.kle());
        if (c.handlingClass() != null) {
            body.put("handlingClass", c.handlingClass());
        }
        body.put("exempt", c.exempt());
        body.put("deepLink", caseLink(c));
        return opensts.put(OpenStsClient.CASE_INDEX, "/api/case-index/v1/cases/" + c.localId(), body);
    }

    public OpenStsClient.Answer publishDocument(Journal.Case c, Journal.Document d, Journal.Citizen citizen) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", d.version());
        body.put("caseLocalId", c.localId());
        body.put("number", d.number());
        body.put("title", d.title());
        if (d.letterDate() != null) {
            body.put("letterDate", d.letterDate().toString());
        }
        body.put("documentVersion", "1");
        body.put("documentType", d.type());
        body.put("parties", List.of(party(citizen, "PRIMARY")));
        body.put("kle", c.kle());
        body.put("deepLink", caseLink(c) + "#dokument-" + d.number());
        return opensts.put(OpenStsClient.CASE_INDEX, "/api/case-index/v1/documents/" + d.localId(), body);
    }

    public OpenStsClient.Answer publishGrant(Journal.Case c, Journal.Grant g, Journal.Citizen citizen) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", g.version());
        body.put("userKey", g.userKey());
        body.put("municipality", settings.municipality);
        body.put("from", g.from().toString());
        if (g.to() != null) {
            body.put("to", g.to().toString());
        }
        body.put("status", "GRANTED");
        body.put("sensitivity", c.sensitivity());
        body.put("party", party(citizen, "BENEFIT_RECIPIENT"));
        body.put("caseNumber", c.number());
        body.put("kle", c.kle());
        body.put("orgUnit", c.unit().toString());
        Map<String, Object> benefit = new LinkedHashMap<>();
        benefit.put("benefitClass", g.benefitClass());
        benefit.put("from", g.from().toString());
        if (g.to() != null) {
            benefit.put("to", g.to().toString());
        }
        benefit.put("repayable", g.repayable());
        benefit.put("paymentPlan", Map.of("frequency", g.frequency(), "amount", g.amount(), "firstPayment",
                g.from().toString()));
        body.put("benefits", List.of(benefit));
        List<Map<String, Object>> effectuations = new ArrayList<>();
        for (Journal.Payment p : g.payments()) {
            effectuations.add(Map.of("from", p.from().toString(), "to", p.to().toString(), "grossAmount", p.gross(),
                    "paidAmount", p.paid()));
        }
        body.put("effectuations", effectuations);
        body.put("deepLink", caseLink(c) + "#bevilling-" + g.userKey());
        return opensts.put(OpenStsClient.BENEFIT_INDEX, "/api/benefit-index/v1/grants/" + g.localId(), body);
    }

    public String caseLink(Journal.Case c) {
        return settings.baseUrl + "/sager/" + c.localId();
    }

    private static Map<String, Object> party(Journal.Citizen citizen, String role) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "CPR");
        p.put("id", citizen.cpr());
        p.put("role", role);
        if (citizen.name() != null) {
            p.put("name", citizen.name());
        }
        if (citizen.address() != null) {
            p.put("address", citizen.address());
        }
        p.put("protectedAddress", citizen.protectedAddress());
        return p;
    }
}
