package dk.opensts.benefitindex.domain;

import dk.opensts.platform.index.Party;
import dk.opensts.platform.security.Sensitivity;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

/**
 * A grant (bevilling) as a fagsystem publishes it.
 *
 * @param version      the publisher's version of the grant; grows with every change
 * @param userKey      the grant's key in the owning system (brugervendt nøgle)
 * @param municipality the CVR of the granting municipality (must be the token's)
 * @param kle          the KLE subject the grant is made under (what KLE privileges are checked against)
 * @param orgUnit      the responsible org unit (what org unit privileges are checked against)
 * @param caseNumber   the case the grant was made in, if any
 */
public record GrantRecord(
        @NotNull @PositiveOrZero Integer version,
        @NotBlank @Size(max = 200) String userKey,
        @NotBlank @Pattern(regexp = "[0-9]{8}", message = "must be a CVR of 8 digits") String municipality,
        @NotNull LocalDate from,
        LocalDate to,
        @NotNull Status status,
        @NotNull Sensitivity sensitivity,
        @NotNull @Valid Party party,
        @Size(max = 100) String caseNumber,
        @NotBlank @Pattern(regexp = "[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}", message = "must be a KLE subject like 27.24.00") String kle,
        @NotNull UUID orgUnit,
        @NotNull @Size(max = 100) List<@NotNull @Valid Benefit> benefits,
        @NotNull @Size(max = 1000) List<@NotNull @Valid Effectuation> effectuations,
        @Pattern(regexp = "https?://\\S+", message = "must be an http(s) URL") @Size(max = 2000) String deepLink) {

    /** A grant's state. */
    public enum Status { APPLIED, GRANTED, REJECTED, SUSPENDED, ENDED }

    /**
     * A granted benefit (bevilget ydelse).
     *
     * @param benefitClass the benefit's class (ydelsesklassifikation), for example {@code KY-Kontanthjælp}
     */
    public record Benefit(@NotBlank @Size(max = 200) String benefitClass, @NotNull LocalDate from, LocalDate to,
                          Boolean repayable, @Valid PaymentPlan paymentPlan) {

        public Benefit {
            repayable = Boolean.TRUE.equals(repayable);
        }
    }

    /** How a benefit is paid: how often, how much each time, from when. */
    public record PaymentPlan(@NotNull Frequency frequency, @NotNull @PositiveOrZero BigDecimal amount,
                              LocalDate firstPayment) {
    }

    public enum Frequency { ONCE, WEEKLY, FORTNIGHTLY, MONTHLY, QUARTERLY, YEARLY }

    /** An economic effectuation (økonomisk effektuering): what was due and paid for a period. */
    public record Effectuation(@NotNull LocalDate from, @NotNull LocalDate to,
                               @NotNull BigDecimal grossAmount, @NotNull BigDecimal paidAmount) {
    }
}
