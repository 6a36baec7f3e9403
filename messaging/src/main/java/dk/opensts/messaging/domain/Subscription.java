package dk.opensts.messaging.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.Sensitivity;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A subscription (abonnement): the message types a receiving system wants from one municipality,
 * narrowed by filters on the envelope's filter data. Every filter left empty lets everything through.
 *
 * @param kle            KLE numbers ({@code 27.24.00}) or prefixes ({@code 27.*}, {@code 27.24.*})
 * @param maxSensitivity the most sensitive messages wanted; none: every level the agreement allows
 * @param cprList        a value list of CPR numbers: only messages about one of them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Subscription(UUID id, UUID receiver, String municipality, String name, List<String> messageTypes,
                           List<String> kle, List<String> objectTypes, List<String> actions,
                           Sensitivity maxSensitivity, UUID cprList, int version, Instant createdAt, String createdBy,
                           Instant updatedAt, String updatedBy, Instant endedAt) {

    /** What a receiver sends to create or replace a subscription. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SubscriptionInput", description = "What a receiver sends to create or replace a subscription")
    public record Input(
            @NotBlank @Size(max = 200) String name,
            @NotEmpty @Size(max = 100) List<@NotBlank @Size(max = 200) String> messageTypes,
            @Size(max = 200) List<@NotBlank @Pattern(regexp = Constraints.KLE_PATTERN,
                    message = "must be a KLE number or prefix like 27.24.00 or 27.*") String> kle,
            @Size(max = 100) List<@NotBlank @Size(max = 100) String> objectTypes,
            @Size(max = 100) List<@NotBlank @Size(max = 100) String> actions,
            Sensitivity maxSensitivity,
            UUID cprList) {

        public Input {
            kle = kle == null ? List.of() : List.copyOf(kle);
            objectTypes = objectTypes == null ? List.of() : List.copyOf(objectTypes);
            actions = actions == null ? List.of() : List.copyOf(actions);
        }
    }

    /**
     * Whether the envelope passes the subscription's filters (the value list is checked by the
     * caller, which asks the database once for all subscriptions).
     */
    public boolean matches(Envelope e) {
        if (!messageTypes.contains(e.messageType())) {
            return false;
        }
        if (!e.filter().allowedReceivers().isEmpty() && !e.filter().allowedReceivers().contains(receiver)) {
            return false;
        }
        if (!kle.isEmpty() && !Constraints.kleMatches(kle, e.kle())) {
            return false;
        }
        Envelope.ObjectRegistration o = e.filter().object();
        if (!objectTypes.isEmpty() && (o == null || !objectTypes.contains(o.type()))) {
            return false;
        }
        if (!actions.isEmpty() && (o == null || !actions.contains(o.action()))) {
            return false;
        }
        return maxSensitivity == null || Sensitivity.granted(maxSensitivity.name()).contains(e.sensitivity());
    }
}
