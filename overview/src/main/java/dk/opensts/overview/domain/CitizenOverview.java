package dk.opensts.overview.domain;

import dk.opensts.access.api.ItSystems;
import dk.opensts.access.api.UserAccess;
import dk.opensts.caseindex.api.CaseIndex;
import dk.opensts.organisation.api.Organisations;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.index.IndexQuery;
import dk.opensts.platform.index.Party;
import dk.opensts.platform.index.SearchFilters;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.Services;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the overview shows: the case index's answer for the logged-in caseworker (her privileges,
 * from her assertion, decide in the query what she sees; the index audits the search with the
 * purpose and the cases shown), made readable: unit and system names, the current state, the
 * primary party with a protected person's notice, documents, and grants with their payments.
 */
public class CitizenOverview {

    /** What the caseworker asked. {@code sort}: {@code changed} (default), {@code number}, {@code title}, {@code state}. */
    public record Query(String cpr, String caseNumber, String purpose, String kle, String state, String handlingClass,
                        String sort, String after) {
    }

    public record PartyView(String id, String role, String name, String address, boolean protectedAddress,
                            boolean hidden) {
    }

    public record DocumentView(String number, String title, String letterDate, String type, String version,
                               String deepLink) {
    }

    /** A granted benefit; {@code amount} and {@code frequency} its payment plan (null without one). */
    public record BenefitView(String benefitClass, String from, String to, boolean repayable,
                              java.math.BigDecimal amount, String frequency) {
    }

    public record PaymentView(String from, String to, java.math.BigDecimal gross, java.math.BigDecimal paid) {
    }

    /** A grant; {@code caseNumber} the case it belongs to (null: none named). */
    public record GrantView(String userKey, String status, String from, String to, String caseNumber,
                            List<BenefitView> benefits, List<PaymentView> payments) {
    }

    public record CaseView(String number, String title, String kle, String kleTitle, String handlingClass, String state,
                           String unit,
                           String system, Instant lastChanged, String sensitivity, String opened, String closed,
                           String deepLink, List<PartyView> parties, List<DocumentView> documents,
                           List<GrantView> grants) {

        private static final java.time.format.DateTimeFormatter SHOWN = java.time.format.DateTimeFormatter
                .ofPattern("dd-MM-yyyy HH:mm").withZone(java.time.ZoneId.of("Europe/Copenhagen"));

        /** The last change as caseworkers read a time (Danish time). */
        public String changed() {
            return lastChanged == null ? null : SHOWN.format(lastChanged);
        }

        /** The parties a caseworker should see first: the primary ones, then the rest. */
        public List<PartyView> partiesInOrder() {
            List<PartyView> out = new ArrayList<>(parties);
            out.sort(Comparator.comparing(p -> !"PRIMARY".equals(p.role())));
            return out;
        }
    }

    /**
     * A page of cases ({@code next}: the token of the following page, or null); {@code refused}: why none
     * may be shown; {@code otherGrants}: the citizen's grants (on the first page of a CPR search) that
     * are not under a case shown, because they name no case or one the caseworker may not see.
     */
    public record Result(List<CaseView> cases, String next, String refused, List<GrantView> otherGrants) {
    }

    private static final int MAX_NAMES = 10_000;

    private final CaseIndex index;
    private final dk.opensts.benefitindex.api.BenefitIndex benefits;
    private final UserAccess access;
    private final Organisations organisations;
    private final ItSystems systems;
    private final JsonMapper json;
    private final OverviewSettings settings;
    private final dk.opensts.classification.api.Classifications classifications;
    private final Map<String, String> systemNames = new ConcurrentHashMap<>();
    private final Map<String, String> kleTitles = new ConcurrentHashMap<>();

    CitizenOverview(CaseIndex index, dk.opensts.benefitindex.api.BenefitIndex benefits, UserAccess access,
                    Organisations organisations, ItSystems systems,
                    dk.opensts.classification.api.Classifications classifications, JsonMapper json,
                    OverviewSettings settings) {
        this.index = index;
        this.benefits = benefits;
        this.access = access;
        this.organisations = organisations;
        this.systems = systems;
        this.classifications = classifications;
        this.json = json;
        this.settings = settings;
    }

    public OverviewSettings settings() {
        return settings;
    }

    /**
     * Searches the case index as the user of {@code assertion} (issued to {@code overview}); every search,
     * also one that finds nothing, is in the audit log.
     */
    public Result search(byte[] assertion, String overview, Query q) {
        Actor actor = access.actor(assertion, overview, Services.CASE_INDEX);
        if (!actor.hasRole(Services.SEARCH)) {
            return new Result(List.of(), null, "NO_SEARCH_ROLE", List.of());
        }
        CaseIndex.Page page;
        try {
            page = index.search(actor, new SearchFilters(q.cpr(), q.caseNumber(), q.kle(), q.handlingClass(), null,
                            false, q.state(), null, null, null, null, q.purpose()), IndexQuery.Cursor.decode(q.after()),
                    settings.pageSize(), true, true);
        } catch (ApiException e) {
            return new Result(List.of(), null, e.code().name(), List.of());
        }
        List<JsonNode> items = page.items().stream().map(r -> json.readTree(String.valueOf(r.rawValue()))).toList();
        Set<UUID> units = new LinkedHashSet<>();
        for (JsonNode c : items) {
            if (c.hasNonNull("orgUnit")) {
                units.add(UUID.fromString(c.get("orgUnit").asString()));
            }
        }
        Map<UUID, String> unitNames = units.isEmpty() ? Map.of() : organisations.names(units);
        List<CaseView> cases = new ArrayList<>();
        for (JsonNode c : items) {
            cases.add(caseView(c, unitNames));
        }
        cases.sort(order(q.sort()));
        List<GrantView> others = q.cpr() == null || q.after() != null ? List.of() : otherGrants(assertion, overview, q, cases);
        return new Result(cases, page.next(), null, others);
    }

    /** The citizen's grants the caseworker may see in the benefit index that no shown case holds (audited there). */
    private List<GrantView> otherGrants(byte[] assertion, String overview, Query q, List<CaseView> shown) {
        Actor actor = access.actor(assertion, overview, Services.BENEFIT_INDEX);
        if (!actor.hasRole(Services.SEARCH)) {
            return List.of();
        }
        Set<String> numbers = new java.util.HashSet<>();
        shown.forEach(c -> numbers.add(c.number()));
        dk.opensts.benefitindex.api.BenefitIndex.Page page;
        try {
            page = benefits.search(actor, new SearchFilters(q.cpr(), null, q.kle(), null, null, false, null, null, null,
                    null, null, q.purpose()), null, settings.pageSize());
        } catch (ApiException e) {
            return List.of();
        }
        List<GrantView> out = new ArrayList<>();
        for (var raw : page.items()) {
            JsonNode g = json.readTree(String.valueOf(raw.rawValue()));
            if (!numbers.contains(text(g, "caseNumber"))) {
                out.add(grant(g));
            }
        }
        return out;
    }

    private static Comparator<CaseView> order(String sort) {
        Comparator<CaseView> byChange = Comparator.comparing(CaseView::lastChanged,
                Comparator.nullsLast(Comparator.reverseOrder()));
        if (sort == null) {
            return byChange;
        }
        return switch (sort) {
            case "number" -> Comparator.comparing(CaseView::number, Comparator.nullsLast(Comparator.naturalOrder()));
            case "title" -> Comparator.comparing(CaseView::title, Comparator.nullsLast(String.CASE_INSENSITIVE_ORDER));
            case "state" -> Comparator.comparing(CaseView::state, Comparator.nullsLast(Comparator.naturalOrder()))
                    .thenComparing(byChange);
            default -> byChange;
        };
    }

    private CaseView caseView(JsonNode c, Map<UUID, String> unitNames) {
        String unit = c.hasNonNull("orgUnit") ? unitNames.getOrDefault(UUID.fromString(c.get("orgUnit").asString()),
                c.get("orgUnit").asString()) : null;
        List<PartyView> parties = new ArrayList<>();
        c.path("parties").forEach(p -> parties.add(party(p)));
        List<DocumentView> documents = new ArrayList<>();
        c.path("documents").forEach(d -> documents.add(new DocumentView(text(d, "number"), text(d, "title"),
                text(d, "letterDate"), text(d, "documentType"), text(d, "documentVersion"), link(d))));
        List<GrantView> grants = new ArrayList<>();
        c.path("grants").forEach(g -> grants.add(grant(g)));
        return new CaseView(text(c, "caseNumber"), text(c, "title"), text(c, "kle"), kleTitle(text(c, "kle")),
                text(c, "handlingClass"),
                text(c, "state"), unit, systemName(text(c, "owningSystem")),
                c.hasNonNull("lastChanged") ? Instant.parse(c.get("lastChanged").asString()) : null,
                text(c, "sensitivity"), text(c, "opened"), text(c, "closed"), link(c), parties, documents, grants);
    }

    private static PartyView party(JsonNode p) {
        boolean protectedAddress = p.path("protectedAddress").asBoolean(false);
        boolean hidden = protectedAddress && Party.PROTECTED_NOTICE.equals(text(p, "name"));
        return new PartyView(text(p, "id"), text(p, "role"), hidden ? null : text(p, "name"),
                hidden ? null : text(p, "address"), protectedAddress, hidden);
    }

    private static GrantView grant(JsonNode g) {
        List<BenefitView> benefits = new ArrayList<>();
        g.path("benefits").forEach(b -> {
            JsonNode plan = b.path("paymentPlan");
            benefits.add(new BenefitView(text(b, "benefitClass"), text(b, "from"), text(b, "to"),
                    b.path("repayable").asBoolean(false), amount(plan, "amount"), text(plan, "frequency")));
        });
        List<PaymentView> payments = new ArrayList<>();
        g.path("effectuations").forEach(e -> payments.add(new PaymentView(text(e, "from"), text(e, "to"),
                amount(e, "grossAmount"), amount(e, "paidAmount"))));
        return new GrantView(text(g, "userKey"), text(g, "status"), text(g, "from"), text(g, "to"), text(g, "caseNumber"),
                benefits, payments);
    }

    /** A deep link only when it is http(s): a published link is shown to users, never a script. */
    private static String link(JsonNode n) {
        String l = text(n, "deepLink");
        return l != null && (l.startsWith("https://") || l.startsWith("http://")) ? l : null;
    }

    /** A KLE subject's title (cached: KLE changes a few times a year, and a stale title only reads old). */
    private String kleTitle(String kle) {
        if (kle == null) {
            return null;
        }
        String known = kleTitles.get(kle);
        if (known != null) {
            return known.isEmpty() ? null : known;
        }
        String title = classifications.classTitle("KLE", kle).orElse("");
        if (kleTitles.size() < MAX_NAMES) {
            kleTitles.put(kle, title);
        }
        return title.isEmpty() ? null : title;
    }

    private String systemName(String id) {
        if (id == null) {
            return null;
        }
        String known = systemNames.get(id);
        if (known != null) {
            return known;
        }
        String name;
        try {
            name = systems.find(UUID.fromString(id)).map(ItSystems.ItSystem::name).orElse(id);
        } catch (IllegalArgumentException e) {
            name = id;
        }
        if (systemNames.size() < MAX_NAMES) {
            systemNames.put(id, name);
        }
        return name;
    }

    private static java.math.BigDecimal amount(JsonNode n, String field) {
        String t = text(n, field);
        try {
            return t == null ? null : new java.math.BigDecimal(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }
}
