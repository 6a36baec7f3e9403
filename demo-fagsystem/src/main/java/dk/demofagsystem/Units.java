package dk.demofagsystem;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * The municipality's org units, read from OpenSTS's Organisation API with this system's token, and
 * those a caseworker's roles here cover (her org-unit constraint values: a unit, or {@code <unit>.*}
 * for it and its subunits; no value: every unit).
 */
@Component
public class Units {

    public record Unit(UUID id, String name) {
    }

    private final OpenStsClient opensts;
    private final DemoSettings settings;

    Units(OpenStsClient opensts, DemoSettings settings) {
        this.opensts = opensts;
        this.settings = settings;
    }

    /** The units the caseworker may create cases in, by name. */
    public List<Unit> mine(Caseworkers.User user) {
        OpenStsClient.Answer orgs = opensts.get(OpenStsClient.ORGANISATION,
                "/api/organisation/v1/organisations?cvr=" + settings.municipality);
        JsonNode org = orgs.ok() ? orgs.body().path("items").path(0) : null;
        if (org == null || org.isMissingNode()) {
            return List.of();
        }
        String organisation = org.path("id").asString();
        List<Unit> out = new ArrayList<>();
        for (String root : user.units().isEmpty() ? List.<String>of() : List.copyOf(user.units())) {
            boolean below = root.endsWith(".*");
            String id = below ? root.substring(0, root.length() - 2) : root;
            if (below) {
                OpenStsClient.Answer tree = opensts.get(OpenStsClient.ORGANISATION, "/api/organisation/v1/units/" + id
                        + "/subtree");
                if (tree.ok()) {
                    collect(tree.body(), out);
                }
            } else {
                OpenStsClient.Answer one = opensts.get(OpenStsClient.ORGANISATION, "/api/organisation/v1/units/" + id);
                if (one.ok()) {
                    out.add(new Unit(UUID.fromString(one.body().path("id").asString()), one.body().path("name").asString()));
                }
            }
        }
        if (user.units().isEmpty()) {
            OpenStsClient.Answer all = opensts.get(OpenStsClient.ORGANISATION,
                    "/api/organisation/v1/units?organisation=" + organisation + "&limit=1000");
            if (all.ok()) {
                all.body().path("items").forEach(u -> out.add(new Unit(UUID.fromString(u.path("id").asString()),
                        u.path("name").asString())));
            }
        }
        return out.stream().distinct().sorted(Comparator.comparing(Unit::name)).toList();
    }

    public Optional<Unit> find(String id, Caseworkers.User user) {
        return id == null ? Optional.empty() : mine(user).stream().filter(u -> u.id().toString().equals(id)).findFirst();
    }

    private static void collect(JsonNode node, List<Unit> out) {
        if (node.isArray()) {
            node.forEach(n -> collect(n, out));
            return;
        }
        if (node.has("items")) {
            collect(node.get("items"), out);
            return;
        }
        if (node.hasNonNull("id") && node.hasNonNull("name") && !"user".equals(node.path("type").asString(""))) {
            out.add(new Unit(UUID.fromString(node.get("id").asString()), node.get("name").asString()));
        }
        if (node.has("children")) {
            collect(node.get("children"), out);
        }
    }
}
