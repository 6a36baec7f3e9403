package dk.opensts.platform.index;

import dk.opensts.platform.error.FieldProblem;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A party (part) of a case, document or grant: a person by CPR or a company by CVR, with its role.
 * {@code protectedAddress} marks name and address protection (navne- og adressebeskyttelse): the
 * name and address are then shown only to callers privileged for protected data.
 */
public record Party(@NotNull Identifiers.Kind type, @NotBlank String id, @NotNull Role role,
                    @Size(max = 300) String name, @Size(max = 500) String address, Boolean protectedAddress) {

    public Party {
        protectedAddress = Boolean.TRUE.equals(protectedAddress);
    }

    /** The notice shown instead of a protected person's name and address. */
    public static final String PROTECTED_NOTICE = "Navne- og adressebeskyttet";

    public enum Role { PRIMARY, SECONDARY, BENEFIT_RECIPIENT }

    /** A problem for the id if it does not fit its type, else {@code null}. */
    public FieldProblem check(String field) {
        if (type == Identifiers.Kind.CPR && !Identifiers.isCpr(id)) {
            return new FieldProblem(field + "/id", "a CPR number is 10 digits");
        }
        if (type == Identifiers.Kind.CVR && !Identifiers.isCvr(id)) {
            return new FieldProblem(field + "/id", "a CVR number is 8 digits");
        }
        return null;
    }

    /** Problems of a list of parties named {@code field} (for example {@code /parties}). */
    public static List<FieldProblem> check(String field, List<Party> parties) {
        List<FieldProblem> out = new java.util.ArrayList<>();
        for (int i = 0; i < parties.size(); i++) {
            FieldProblem p = parties.get(i) == null ? new FieldProblem(field + "/" + i, "must not be null")
                    : parties.get(i).check(field + "/" + i);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /** The party as a caller sees it: a protected person's name and address replaced by the notice. */
    public Map<String, Object> shown(boolean protectedData) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", type);
        out.put("id", id);
        out.put("role", role);
        boolean hide = protectedAddress && !protectedData;
        out.put("name", hide ? PROTECTED_NOTICE : name);
        out.put("address", hide ? PROTECTED_NOTICE : address);
        out.put("protectedAddress", protectedAddress);
        return out;
    }

    /** Masks a stored party (JSON) in place as {@link #shown} would: for output of stored records. */
    public static void mask(tools.jackson.databind.JsonNode party, boolean protectedData) {
        if (!protectedData && party instanceof tools.jackson.databind.node.ObjectNode o
                && o.path("protectedAddress").asBoolean(false)) {
            o.put("name", PROTECTED_NOTICE);
            o.put("address", PROTECTED_NOTICE);
        }
    }
}
