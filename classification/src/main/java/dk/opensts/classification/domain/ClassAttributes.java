package dk.opensts.classification.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

/** The attributes of the Classification object types. */
public final class ClassAttributes {

    private ClassAttributes() {
    }

    /** Klassifikation: a whole classification system such as KLE. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ClassificationAttrs(
            @NotBlank @Size(max = 200) String userKey,
            @NotBlank @Size(max = 500) String title,
            @Size(max = 5000) String description,
            @Pattern(regexp = "[0-9]{8}", message = "must be a CVR of 8 digits") String ownerCvr) {
    }

    /** Facet: a dimension of a classification, such as KLE's subjects (Emne) or handling facets. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FacetAttrs(
            @NotNull UUID classification,
            @NotBlank @Size(max = 200) String userKey,
            @NotBlank @Size(max = 500) String title,
            @Size(max = 5000) String description) {
    }

    /** Klasse: one class, for example KLE subject 27.24.00; {@code municipality} marks a municipality's local class. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ClassAttrs(
            @NotNull UUID classification,
            @NotNull UUID facet,
            @NotBlank @Size(max = 200) String userKey,
            @NotBlank @Size(max = 500) String title,
            @Size(max = 20000) String description,
            UUID parent,
            @Pattern(regexp = "[0-9]{8}", message = "must be a CVR of 8 digits") String municipality,
            @Valid Published published,
            Integer sortOrder,
            @Size(max = 200) List<@NotBlank @Size(max = 200) String> searchWords,
            @Size(max = 100) List<@NotNull @Valid Mapping> mappings) {
    }

    /** The period a class is published for use (dates, both optional). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Published(LocalDate from, LocalDate to) {
    }

    /** A mapping to a class of another classification, for example {@code equivalent} or {@code broader}. */
    public record Mapping(@NotNull UUID target, @NotBlank @Size(max = 50) String relation) {
    }
}
