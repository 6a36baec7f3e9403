package dk.opensts.organisation.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;

/** The attributes of each Organisation object type, as they are sent and stored. */
public final class Attributes {

    private Attributes() {
    }

    /** A municipality or another organisation, keyed by its CVR number. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OrganisationAttrs(
            @NotNull @Pattern(regexp = "[0-9]{8}", message = "must be 8 digits") String cvr,
            @NotBlank @Size(max = 300) String name) {
    }

    /** OrganisationEnhed: a unit in the municipality's hierarchy. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UnitAttrs(
            @NotNull UUID organisation,
            @NotBlank @Size(max = 200) String userKey,
            @NotBlank @Size(max = 300) String name,
            @Size(max = 200) String unitType,
            UUID parent) {
    }

    /** Bruger: an IT account, optionally linked to a person. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UserAttrs(
            @NotNull UUID organisation,
            @NotBlank @Size(max = 200) String userKey,
            @NotBlank @Size(max = 300) String name,
            UUID person) {
    }

    /** Person: a CPR-numbered person (personal data; every use is audited). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PersonAttrs(
            @NotNull UUID organisation,
            @NotNull @Pattern(regexp = "[0-9]{10}", message = "must be 10 digits") String cpr,
            @NotBlank @Size(max = 300) String name) {
    }

    /** OrganisationFunktion: an engagement, a manager role or KLE responsibilities ("opgaver"). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FunctionAttrs(
            @NotNull UUID organisation,
            @NotBlank @Size(max = 200) String userKey,
            @NotBlank @Size(max = 300) String name,
            @NotNull FunctionType functionType,
            @Size(max = 1000) List<@NotNull UUID> users,
            @Size(max = 1000) List<@NotNull UUID> units,
            @Size(max = 1000) List<@NotNull @Pattern(regexp = "[0-9]{2}(\\.[0-9]{2}){0,2}",
                    message = "must be a KLE number like 27.24.00") String> tasks) {
    }

    public enum FunctionType { ENGAGEMENT, MANAGER, KLE_RESPONSIBILITY, OTHER }

    /** Adresse: a contact point of a unit or a user. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AddressAttrs(
            @NotNull UUID organisation,
            @NotNull UUID belongsTo,
            @NotNull AddressType addressType,
            @NotBlank @Size(max = 500) String value) {
    }

    public enum AddressType {
        EMAIL("[^@\\s]+@[^@\\s]+\\.[^@\\s]+"),
        PHONE("\\+?[0-9 ]{8,20}"),
        P_NUMBER("[0-9]{10}"),
        EAN("[0-9]{13}"),
        SOR("[0-9]{1,18}"),
        POSTAL(".+");

        private final java.util.regex.Pattern pattern;

        AddressType(String regex) {
            this.pattern = java.util.regex.Pattern.compile(regex);
        }

        public boolean accepts(String value) {
            return pattern.matcher(value).matches();
        }
    }
}
