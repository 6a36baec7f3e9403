package dk.opensts.caseindex.domain;

import dk.opensts.platform.index.Party;
import dk.opensts.platform.security.Sensitivity;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * A case (sag) as a fagsystem publishes it.
 *
 * @param version       the publisher's version of the case; grows with every change
 * @param caseNumber    unique in the municipality across all systems
 * @param states        the state history: each state with the date it began
 * @param municipality  the owning municipality's CVR (must be the token's)
 * @param orgUnit       the responsible org unit; must be a unit of the municipality valid while the case ran
 * @param caseworker    the responsible caseworker (a user's key or name)
 * @param kle           the primary class: a KLE subject
 * @param handlingClass the KLE handling facet, for example {@code G01}
 * @param relatedCases  case numbers of related cases
 * @param exempt        exempt from publication: kept, never shown in a search
 * @param deepLink      where the case opens in the owning system (dialog integration)
 */
public record CaseRecord(
        @NotNull @PositiveOrZero Integer version,
        @NotBlank @Size(max = 100) String caseNumber,
        @NotBlank @Size(max = 500) String title,
        @Size(max = 4000) String description,
        @NotNull @Size(min = 1, max = 50) List<@NotNull @Valid StateEntry> states,
        @NotNull Sensitivity sensitivity,
        @NotNull @Size(min = 1, max = 200) List<@NotNull @Valid Party> parties,
        @NotBlank @Pattern(regexp = "[0-9]{8}", message = "must be a CVR of 8 digits") String municipality,
        @NotNull UUID orgUnit,
        @Size(max = 200) String caseworker,
        @NotBlank @Pattern(regexp = "[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}", message = "must be a KLE subject like 27.24.00") String kle,
        @Pattern(regexp = "[A-Z][0-9]{2}", message = "must be a KLE handling facet like G01") String handlingClass,
        @Size(max = 100) List<@NotBlank @Size(max = 100) String> relatedCases,
        Boolean exempt,
        @Pattern(regexp = "https?://\\S+", message = "must be an http(s) URL") @Size(max = 2000) String deepLink) {

    public CaseRecord {
        exempt = Boolean.TRUE.equals(exempt);
    }

    /** The case states of the OIO model. */
    public enum State { OPSTAAET, OPLYST, AFGJORT, AFSLUTTET }

    public record StateEntry(@NotNull State state, @NotNull LocalDate from) {
    }

    private StateEntry latest() {
        return states.stream().max(Comparator.comparing(StateEntry::from)).orElseThrow();
    }

    /** The state now: the one that began last. */
    public State state() {
        return latest().state();
    }

    /** When the case began: its earliest state. */
    public LocalDate opened() {
        return states.stream().map(StateEntry::from).min(Comparator.naturalOrder()).orElseThrow();
    }

    /** When it was closed, if its state now is {@link State#AFSLUTTET}. */
    public LocalDate closed() {
        StateEntry last = latest();
        return last.state() == State.AFSLUTTET ? last.from() : null;
    }
}
