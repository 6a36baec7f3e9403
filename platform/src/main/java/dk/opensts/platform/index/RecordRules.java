package dk.opensts.platform.index;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.FieldProblem;
import dk.opensts.platform.security.Actor;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** Rules every published index record follows, each refusal naming its field. */
public final class RecordRules {

    private RecordRules() {
    }

    /** A system publishes for the municipality of its token only. */
    public static void municipality(String cvr, Actor actor) {
        if (!cvr.equals(actor.municipality())) {
            throw ApiException.field(ErrorCode.FORBIDDEN, "/municipality", "the token acts for municipality "
                    + actor.municipality() + ", not " + cvr);
        }
    }

    /** A period whose start is not after its end. */
    public static void period(String field, LocalDate from, LocalDate to) {
        if (from != null && to != null && from.isAfter(to)) {
            throw ApiException.field(ErrorCode.INVALID_PERIOD, field, "from " + from + " is after to " + to);
        }
    }

    /** Parties whose ids fit their types (CPR 10 digits, CVR 8). */
    public static void parties(String field, List<Party> parties) {
        List<FieldProblem> problems = new ArrayList<>(Party.check(field, parties));
        if (!problems.isEmpty()) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, problems.get(0).field() + ": " + problems.get(0).reason(),
                    problems);
        }
    }

    /** One party whose id fits its type. */
    public static void party(String field, Party party) {
        FieldProblem p = party.check(field);
        if (p != null) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, p.field() + ": " + p.reason(), List.of(p));
        }
    }
}
