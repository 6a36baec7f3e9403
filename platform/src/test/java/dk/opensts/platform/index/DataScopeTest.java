package dk.opensts.platform.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.DataScope;
import dk.opensts.platform.security.Sensitivity;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The privilege model and the batch integrity check, without a database. */
class DataScopeTest {

    static final DataScope.Columns COLUMNS = new DataScope.Columns("m", "k", "u", "s", "i");

    @Test
    void constraintValuesBecomeAPrivilege() {
        UUID unit = UUID.randomUUID();
        UUID tree = UUID.randomUUID();
        var p = DataScope.Privilege.of(Map.of(Constraints.KLE, "27.*, 32.01.02", Constraints.ORG_UNIT,
                unit + "," + tree + ".*", Constraints.SENSITIVITY, "FORTROLIGE_PERSONOPLYSNINGER"));
        assertThat(p.kle()).containsExactlyInAnyOrder("27.", "32.01.02");
        assertThat(p.units()).containsExactly(unit);
        assertThat(p.unitTrees()).containsExactly(tree);
        assertThat(p.sensitivities()).containsExactlyInAnyOrder(Sensitivity.IKKE_FORTROLIGE_DATA,
                Sensitivity.FORTROLIGE_PERSONOPLYSNINGER);
        assertThat(p.itSystems()).isNull();
        // no sensitivity constraint: the least sensitive level only; KLE "*": every subject
        var open = DataScope.Privilege.of(Map.of(Constraints.KLE, "*"));
        assertThat(open.sensitivities()).containsExactly(Sensitivity.IKKE_FORTROLIGE_DATA);
        assertThat(open.kle()).isNull();
    }

    @Property
    void vipIsGrantedOnlyWhenNamed(@ForAll @Size(max = 4) Set<Sensitivity> named) {
        String csv = String.join(",", named.stream().map(Enum::name).toList());
        Set<Sensitivity> granted = Sensitivity.granted(csv);
        assertThat(granted.contains(Sensitivity.VIP_SAGER)).isEqualTo(named.contains(Sensitivity.VIP_SAGER));
        // every named level is granted, and the ordered levels are closed downwards
        assertThat(granted).containsAll(named);
        for (Sensitivity s : granted) {
            if (s != Sensitivity.VIP_SAGER) {
                for (Sensitivity below : Sensitivity.values()) {
                    if (below != Sensitivity.VIP_SAGER && below.code() < s.code()) {
                        assertThat(granted).contains(below);
                    }
                }
            }
        }
    }

    @Test
    void theFilterIsTheMunicipalityAndAnyPrivilege() {
        Actor actor = Actor.of("sys", null, "11111111", "svc", Map.of(
                "search", Map.of(Constraints.KLE, "27.*", Constraints.SENSITIVITY, "VIP_SAGER"),
                "read", Map.of()));
        DataScope scope = DataScope.of(actor, List.of("search", "other"), "protected-data");
        assertThat(scope.protectedData()).isFalse();
        DataScope.Filter f = scope.filter(COLUMNS, "x");
        assertThat(f.sql()).startsWith("(m = :xcvr AND ((s = ANY(").contains("k LIKE ANY").doesNotContain(" u ");
        assertThat(f.params().get("xcvr")).isEqualTo("11111111");
        // arrays in PostgreSQL's text form, written once per filter (the SQL casts them)
        assertThat(f.params().get("x0_s")).isEqualTo("{4}");
        assertThat(f.params().get("x0_kp")).isEqualTo("{\"27.%\"}");
        assertThat(f.params().get("x0_ke")).isEqualTo("{}");
        // no privilege for the roles: refused; no municipality: refused
        assertThatThrownBy(() -> DataScope.of(actor, List.of("write"), null)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> DataScope.of(Actor.of("s", null, null, "svc", Map.of("search", Map.of())),
                List.of("search"), null)).isInstanceOf(ApiException.class);
        assertThat(new DataScope("1", List.of(), false).filter(COLUMNS, "y").sql()).contains("FALSE");
        // a user may hold a role twice with other constraints (two job roles): each is a privilege of its own
        Actor user = new Actor("u", null, "11111111", "svc", List.of(
                new Actor.Grant("search", Map.of(Constraints.KLE, "27.*", Constraints.SENSITIVITY, "FOELSOMME_PERSONOPLYSNINGER")),
                new Actor.Grant("search", Map.of(Constraints.KLE, "32.*"))));
        DataScope both = DataScope.of(user, List.of("search"), null);
        assertThat(both.privileges()).hasSize(2);
        assertThat(both.privileges().get(1).sensitivities()).containsExactly(Sensitivity.IKKE_FORTROLIGE_DATA);
    }

    @Test
    void unitTreesMustBeResolvedBeforeFiltering() {
        UUID root = UUID.randomUUID();
        UUID child = UUID.randomUUID();
        DataScope scope = new DataScope("1", List.of(DataScope.Privilege.of(Map.of(Constraints.ORG_UNIT, root + ".*"))),
                false);
        assertThatThrownBy(() -> scope.filter(COLUMNS, "z")).isInstanceOf(IllegalStateException.class);
        DataScope resolved = scope.resolveUnits(roots -> Set.of(root, child));
        assertThat(resolved.filter(COLUMNS, "z").params().get("z0_u")).isIn("{" + root + "," + child + "}",
                "{" + child + "," + root + "}");
        assertThat(EnumSet.copyOf(resolved.privileges().get(0).sensitivities()))
                .containsExactly(Sensitivity.IKKE_FORTROLIGE_DATA);
    }

    @Test
    void arrayLiteralsQuoteTextAndEscapeQuotesAndBackslashes() {
        assertThat(DataScope.arrayLiteral(List.of(), true)).isEqualTo("{}");
        assertThat(DataScope.arrayLiteral(List.of(1, 4), false)).isEqualTo("{1,4}");
        assertThat(DataScope.arrayLiteral(List.of("a b", "x\"y", "back\\slash", "", "NULL", "{,}"), true))
                .isEqualTo("{\"a b\",\"x\\\"y\",\"back\\\\slash\",\"\",\"NULL\",\"{,}\"}");
    }

    @Test
    void batchIntegrity() {
        byte[] body = "{\"a\":1}\n{\"b\":2}\n".getBytes(StandardCharsets.UTF_8);
        String digest = JsonLinesBatch.contentDigest(body);
        assertThat(JsonLinesBatch.read(new java.io.ByteArrayInputStream(body), body.length, digest, "2")).hasSize(2);
        assertThat(JsonLinesBatch.read(new java.io.ByteArrayInputStream(body), -1, "md5=:x:, " + digest, "2")).hasSize(2);
        for (var bad : List.<Runnable>of(
                () -> JsonLinesBatch.read(new java.io.ByteArrayInputStream(body), body.length, digest, "3"),
                () -> JsonLinesBatch.read(new java.io.ByteArrayInputStream(body), body.length + 5, digest, "2"),
                () -> JsonLinesBatch.read(new java.io.ByteArrayInputStream(body), body.length, "sha-256=:AAAA:", "2"),
                () -> JsonLinesBatch.read(new java.io.ByteArrayInputStream(body), body.length, digest, "0"))) {
            assertThatThrownBy(bad::run).isInstanceOf(ApiException.class)
                    .extracting(e -> ((ApiException) e).code().name()).isEqualTo("BATCH_INTEGRITY");
        }
    }
}
