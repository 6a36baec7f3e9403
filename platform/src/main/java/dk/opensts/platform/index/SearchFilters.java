package dk.opensts.platform.index;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.security.Sensitivity;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a caller searches an index for. A search names a party (CPR or CVR) or a case number: an
 * index is searched about someone or something, never browsed.
 *
 * @param purpose  the purpose the caller states for the search (recorded in the audit log)
 * @param subunits whether {@code orgUnit} includes its subunits
 */
public record SearchFilters(String party, String caseNumber, String kle, String handlingClass, UUID orgUnit,
                            boolean subunits, String state, LocalDate from, LocalDate to,
                            List<Sensitivity> sensitivity, String owningSystem, String purpose) {

    public SearchFilters {
        party = blankToNull(party);
        caseNumber = blankToNull(caseNumber);
        kle = blankToNull(kle);
        handlingClass = blankToNull(handlingClass);
        state = blankToNull(state);
        owningSystem = blankToNull(owningSystem);
        sensitivity = sensitivity == null ? List.of() : List.copyOf(sensitivity);
        if (party == null && caseNumber == null) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "party", "name a party (CPR or CVR) or a caseNumber");
        }
        if (party != null && Identifiers.kindOf(party) == null) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "party", "a CPR (10 digits) or CVR (8 digits) number");
        }
        if (purpose != null && purpose.length() > 500) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "purpose", "at most 500 characters");
        }
    }

    /** {@code state} as a constant of {@code type} (the parameter named {@code parameter}), or {@code null}. */
    public <E extends Enum<E>> String state(Class<E> type, String parameter) {
        if (state == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, state).name();
        } catch (IllegalArgumentException e) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, parameter,
                    "one of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** What the audit log records of the search. */
    public Map<String, Object> audited() {
        Map<String, Object> out = new LinkedHashMap<>();
        put(out, "party", party);
        put(out, "caseNumber", caseNumber);
        put(out, "purpose", purpose);
        put(out, "kle", kle);
        put(out, "handlingClass", handlingClass);
        put(out, "orgUnit", orgUnit);
        put(out, "state", state);
        put(out, "from", from);
        put(out, "to", to);
        put(out, "owningSystem", owningSystem);
        if (!sensitivity.isEmpty()) {
            out.put("sensitivity", sensitivity);
        }
        return out;
    }

    private static void put(Map<String, Object> out, String key, Object value) {
        if (value != null) {
            out.put(key, value.toString());
        }
    }
}
