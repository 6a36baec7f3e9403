package dk.opensts.caseindex.domain;

import dk.opensts.platform.index.Party;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.LocalDate;
import java.util.List;

/**
 * A document (dokument) of a case, as a fagsystem publishes it.
 *
 * @param version         the publisher's version of the document record; grows with every change
 * @param caseLocalId     the local id of its case in the same IT system
 * @param documentVersion the document's own version label (for example {@code 2.0})
 * @param kle             the document's class: a KLE subject
 */
public record DocumentRecord(
        @NotNull @PositiveOrZero Integer version,
        @NotBlank @Size(max = 200) String caseLocalId,
        @NotBlank @Size(max = 100) String number,
        @NotBlank @Size(max = 500) String title,
        LocalDate letterDate,
        @Size(max = 50) String documentVersion,
        @Size(max = 100) String documentType,
        @NotNull @Size(max = 200) List<@NotNull @Valid Party> parties,
        @Pattern(regexp = "[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}", message = "must be a KLE subject like 27.24.00") String kle,
        @Pattern(regexp = "https?://\\S+", message = "must be an http(s) URL") @Size(max = 2000) String deepLink) {
}
