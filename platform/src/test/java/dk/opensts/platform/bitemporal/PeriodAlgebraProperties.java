package dk.opensts.platform.bitemporal;

import static org.assertj.core.api.Assertions.assertThat;

import dk.opensts.platform.bitemporal.PeriodAlgebra.Outcome;
import dk.opensts.platform.bitemporal.PeriodAlgebra.Piece;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the valid-time algebra, checked against a plain model: the timeline is whole days
 * 0..20 (plus both infinities), an object's versions are values on those days, and a change over a
 * period must leave exactly "the change applied inside the period, the old values outside".
 */
class PeriodAlgebraProperties {

    private static final Instant DAY0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final int LOW = -1;   // stands for "before every bound" (minus infinity)
    private static final int HIGH = 21;  // stands for "after every bound" (plus infinity)

    /** A change: set a value, add to values, change nothing, or end the values in the period. */
    record Change(String kind, int amount) {
        UnaryOperator<Integer> operator() {
            switch (kind) {
                case "set":
                    return old -> amount;
                case "add":
                    return old -> old == null ? amount : old + amount;
                case "end":
                    return old -> null;
                default: // "same": a change that alters nothing
                    return old -> old;
            }
        }
    }

    record Case(List<Piece<Integer>> current, Period period, Change change, boolean fillGaps) {
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<List<Piece<Integer>>> pieces = Arbitraries.integers().between(0, 20).list().ofMaxSize(8)
                .flatMap(cuts -> Arbitraries.integers().between(0, 3).list().ofSize(cuts.size() + 1)
                        .map(values -> pieces(cuts, values)));
        Arbitrary<Period> periods = bound().flatMap(a ->
                bound().filter(b -> a == null || b == null || a < b).map(b -> new Period(at(a), at(b))));
        Arbitrary<Change> changes = Combinators.combine(Arbitraries.of("set", "add", "same", "end"),
                Arbitraries.integers().between(0, 3)).as(Change::new);
        return Combinators.combine(pieces, periods, changes, Arbitraries.of(true, false)).as(Case::new);
    }

    private static Arbitrary<Integer> bound() {
        return Arbitraries.integers().between(0, 20).injectNull(0.2);
    }

    /** Non-overlapping pieces from sorted distinct cuts; a value 0 makes a gap there. */
    private static List<Piece<Integer>> pieces(List<Integer> cuts, List<Integer> values) {
        List<Integer> sorted = cuts.stream().distinct().sorted().toList();
        List<Piece<Integer>> out = new ArrayList<>();
        for (int i = 0; i <= sorted.size(); i++) {
            Integer from = i == 0 ? null : sorted.get(i - 1);
            Integer to = i == sorted.size() ? null : sorted.get(i);
            int value = values.get(i);
            if (value != 0) {
                out.add(new Piece<>(new Period(at(from), at(to)), value));
            }
        }
        return out;
    }

    private static Instant at(Integer day) {
        return day == null ? null : DAY0.plus(day, ChronoUnit.DAYS);
    }

    /** The value on {@code day} (LOW and HIGH stand for the infinities), or null. */
    private static Integer valueOn(List<Piece<Integer>> pieces, int day) {
        Instant t = DAY0.plus(day, ChronoUnit.DAYS);
        Integer found = null;
        for (Piece<Integer> p : pieces) {
            if (p.period().contains(t)) {
                assertThat(found).as("two pieces on day %d", day).isNull();
                found = p.value();
            }
        }
        return found;
    }

    private static List<Piece<Integer>> after(Case c, Outcome<Integer> o) {
        List<Piece<Integer>> result = new ArrayList<>(c.current());
        result.removeAll(o.superseded());
        result.addAll(o.added());
        return result;
    }

    private static Outcome<Integer> run(Case c, List<Piece<Integer>> current) {
        return PeriodAlgebra.apply(current, c.period(), c.change().operator(), c.fillGaps(), Objects::equals);
    }

    @Property(tries = 2000)
    void theResultIsTheChangeInsideThePeriodAndTheOldValuesOutside(@ForAll("cases") Case c) {
        List<Piece<Integer>> result = after(c, run(c, c.current()));
        for (int day = LOW; day <= HIGH; day++) {
            Integer old = valueOn(c.current(), day);
            Integer expected = old;
            if (c.period().contains(DAY0.plus(day, ChronoUnit.DAYS))) {
                if (old != null) {
                    expected = c.change().operator().apply(old);
                } else if (c.fillGaps()) {
                    expected = c.change().operator().apply(null);
                }
            }
            assertThat(valueOn(result, day)).as("day %d of %s", day, c).isEqualTo(expected);
        }
    }

    @Property(tries = 2000)
    void onlyPiecesTheChangeAltersAreSuperseded(@ForAll("cases") Case c) {
        Outcome<Integer> o = run(c, c.current());
        assertThat(c.current()).containsAll(o.superseded());
        for (Piece<Integer> p : o.superseded()) {
            assertThat(p.period().overlaps(c.period())).isTrue();
            assertThat(c.change().operator().apply(p.value())).isNotEqualTo(p.value());
        }
        for (Piece<Integer> p : o.added()) {
            // a piece outside the period is the unchanged remnant of a split piece
            if (!p.period().overlaps(c.period())) {
                assertThat(o.superseded()).anySatisfy(s -> assertThat(s.value()).isEqualTo(p.value()));
            }
        }
    }

    @Property(tries = 2000)
    void writingTheResultAgainChangesNothing(@ForAll("cases") Case c) {
        Change set = new Change("set", c.change().amount());
        Case first = new Case(c.current(), c.period(), set, c.fillGaps());
        List<Piece<Integer>> once = after(first, run(first, c.current()));
        Outcome<Integer> again = run(first, once);
        assertThat(again.changed()).as("second write of %s over %s", set, once).isFalse();
    }

    @Property(tries = 1000)
    void aChangeThatAltersNothingWritesNothing(@ForAll("cases") Case c) {
        Case same = new Case(c.current(), c.period(), new Change("same", 0), false);
        Outcome<Integer> o = run(same, c.current());
        assertThat(o.superseded()).isEmpty();
        assertThat(o.added()).isEmpty();
    }
}
