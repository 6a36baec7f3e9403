package dk.opensts.platform.bitemporal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.UnaryOperator;

/**
 * The valid-time algebra of a bitemporal write, free of any storage: given the current versions
 * of one object (pieces that do not overlap) and a change over a period, it tells which pieces are
 * superseded and which new pieces replace them. Pieces outside the period, and pieces the change
 * leaves equal, are untouched, so an update writes only the valid periods it changes.
 */
public final class PeriodAlgebra {

    private PeriodAlgebra() {
    }

    /** A value over a valid period. */
    public record Piece<T>(Period period, T value) {
    }

    /** Pieces to close in system time and pieces to add; both empty when nothing changed. */
    public record Outcome<T>(List<Piece<T>> superseded, List<Piece<T>> added) {
        public boolean changed() {
            return !added.isEmpty() || !superseded.isEmpty();
        }
    }

    /**
     * @param current  the current pieces, not overlapping
     * @param period   where the change applies
     * @param change   the new value for an old one; given {@code null} for a gap when {@code fillGaps};
     *                 a {@code null} result leaves a gap empty, and ends an old value inside the period
     *                 (the object has no version there any more)
     * @param fillGaps whether the change also covers parts of the period that have no piece
     * @param same     whether two values are equal (then nothing is written)
     */
    public static <T> Outcome<T> apply(List<Piece<T>> current, Period period, UnaryOperator<T> change,
                                       boolean fillGaps, BiPredicate<T, T> same) {
        List<Piece<T>> sorted = new ArrayList<>(current);
        sorted.sort(Comparator.comparing(p -> p.period().from(), Comparator.nullsFirst(Comparator.naturalOrder())));
        List<Piece<T>> superseded = new ArrayList<>();
        List<Piece<T>> added = new ArrayList<>();
        Instant cursor = period.from(); // start of the part of the period not yet handled; null = -inf
        boolean cursorAtMinusInfinity = period.from() == null;

        for (Piece<T> piece : sorted) {
            Period p = piece.period();
            if (!p.overlaps(period)) {
                continue;
            }
            // a gap inside the period before this piece
            if (fillGaps && startsBefore(cursor, cursorAtMinusInfinity, p.from())) {
                addGap(added, cursor, p.from(), change);
            }
            Instant innerFrom = max(p.from(), period.from());
            Instant innerTo = min(p.to(), period.to());
            T changed = change.apply(piece.value());
            if (changed == null || !same.test(piece.value(), changed)) {
                superseded.add(piece);
                if (p.from() == null ? period.from() != null : period.from() != null && p.from().isBefore(period.from())) {
                    added.add(new Piece<>(new Period(p.from(), period.from()), piece.value()));
                }
                if (changed != null) {
                    added.add(new Piece<>(new Period(innerFrom, innerTo), changed));
                }
                if (p.to() == null ? period.to() != null : period.to() != null && period.to().isBefore(p.to())) {
                    added.add(new Piece<>(new Period(period.to(), p.to()), piece.value()));
                }
            }
            cursor = innerTo;
            cursorAtMinusInfinity = false;
            if (cursor == null) {
                break; // reached +infinity
            }
        }
        boolean reachedEnd = !cursorAtMinusInfinity && cursor == null;
        if (fillGaps && !reachedEnd && (period.to() == null || startsBefore(cursor, cursorAtMinusInfinity, period.to()))) {
            addGap(added, cursor, period.to(), change);
        }
        return new Outcome<>(List.copyOf(superseded), List.copyOf(added));
    }

    private static <T> void addGap(List<Piece<T>> added, Instant from, Instant to, UnaryOperator<T> change) {
        T value = change.apply(null);
        if (value != null) {
            added.add(new Piece<>(new Period(from, to), value));
        }
    }

    private static boolean startsBefore(Instant cursor, boolean cursorAtMinusInfinity, Instant t) {
        if (t == null) {
            return false; // nothing starts before minus infinity
        }
        return cursorAtMinusInfinity || cursor.isBefore(t);
    }

    private static Instant max(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isBefore(b) ? a : b;
    }
}
