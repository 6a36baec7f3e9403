package dk.opensts.platform.index;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The reference checks every index record passes, for a whole batch at once: its KLE subject must
 * be a class of KLE, and its responsible org unit a unit of the municipality's organisation that
 * was valid during the record's period. The lookups are the registries' public APIs, handed in.
 */
public final class References {

    /** Dates of the indexes are Danish calendar dates. */
    public static final ZoneId ZONE = ZoneId.of("Europe/Copenhagen");

    /** A unit that must have been valid at some time from {@code from} to {@code to} (inclusive; nulls open). */
    public record UnitRef(UUID unit, LocalDate from, LocalDate to) {

        public Instant fromInstant() {
            return from == null ? null : from.atStartOfDay(ZONE).toInstant();
        }

        public Instant toInstant() {
            return to == null ? null : to.plusDays(1).atStartOfDay(ZONE).toInstant();
        }
    }

    /** The lookups: units of a municipality valid in periods, and which KLE numbers are known. */
    public record Lookups(BiFunction<String, List<UnitRef>, boolean[]> unitsExist,
                          BiFunction<Collection<String>, String, Set<String>> knownKle) {
    }

    private References() {
    }

    public static <T> void check(List<IndexWriter.Pending<T>> items, String cvr, Function<T, String> kle,
                                 String kleField, Function<T, UnitRef> unit, String unitField, Lookups lookups) {
        Set<String> subjects = new LinkedHashSet<>();
        List<UnitRef> refs = new ArrayList<>();
        for (IndexWriter.Pending<T> p : items) {
            subjects.add(kle.apply(p.record));
            refs.add(unit.apply(p.record));
        }
        Set<String> known = lookups.knownKle().apply(subjects, cvr);
        boolean[] exists = lookups.unitsExist().apply(cvr, refs);
        for (int i = 0; i < items.size(); i++) {
            IndexWriter.Pending<T> p = items.get(i);
            String subject = kle.apply(p.record);
            if (!known.contains(subject)) {
                p.fail(ApiException.field(ErrorCode.BROKEN_REFERENCE, kleField, "no KLE subject " + subject));
            } else if (!exists[i]) {
                UnitRef r = refs.get(i);
                p.fail(ApiException.field(ErrorCode.BROKEN_REFERENCE, unitField, "no org unit " + r.unit()
                        + " of municipality " + cvr + " valid from " + (r.from() == null ? "the start" : r.from())
                        + " to " + (r.to() == null ? "now" : r.to())));
            }
        }
    }
}
