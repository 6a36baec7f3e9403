package dk.opensts.messaging.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.Sensitivity;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * A business event (Haendelsesbesked) in its JSON form: the message id, the envelope (filter data,
 * delivery information, validity) and the payload. {@link EnvelopeXml} reads and writes the same
 * content as the XML {@code Haendelsesbesked}.
 *
 * @param messageId   the publisher's id of the message; the same id twice is stored once
 * @param version     the envelope version, {@code 1.0}
 * @param messageType a class of the message-type classification ({@link Messages#MESSAGE_TYPES})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Envelope(
        @NotNull UUID messageId,
        @Pattern(regexp = "1\\.0", message = "must be 1.0") String version,
        @NotBlank @Size(max = 200) String messageType,
        @NotNull @Valid FilterData filter,
        @Valid DeliveryInfo delivery,
        @Valid Validity validity,
        @NotNull @Valid Payload payload) {

    public static final String VERSION = "1.0";

    /**
     * What subscriptions filter on (Filtreringsdata).
     *
     * @param authority        the sending authority's CVR (BeskedAnsvarligAktoer); the token's municipality
     * @param allowedReceivers when given, only these IT systems may receive the message (TilladtModtager)
     * @param relatedObjects   persons, companies and objects the message is about (RelateretObjekt)
     * @param object           the registration the message reports (ObjektRegistrering)
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record FilterData(
            @NotNull @Pattern(regexp = "[0-9]{8}", message = "must be a CVR of 8 digits") String authority,
            @Size(max = 100) List<@NotNull UUID> allowedReceivers,
            @Size(max = 1000) List<@NotNull @Valid RelatedObject> relatedObjects,
            @Valid ObjectRegistration object) {
        public FilterData {
            allowedReceivers = allowedReceivers == null ? List.of() : List.copyOf(allowedReceivers);
            relatedObjects = relatedObjects == null ? List.of() : List.copyOf(relatedObjects);
        }
    }

    /** A party or object the message concerns: a person (CPR), a company (CVR) or an object by UUID. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RelatedObject(
            @NotNull ObjectKind type,
            @NotBlank @Size(max = 100) String id,
            @Size(max = 100) String role) {

        @com.fasterxml.jackson.annotation.JsonIgnore
        @jakarta.validation.constraints.AssertTrue(message = "the id must fit its type: CPR 10 digits, CVR 8 digits, or a UUID")
        public boolean isIdOfItsType() {
            return type == null || id == null || type.valid(id);
        }
    }

    public enum ObjectKind {
        CPR("[0-9]{10}"),
        CVR("[0-9]{8}"),
        UUID(Constraints.UUID_PATTERN);

        private final java.util.regex.Pattern pattern;

        ObjectKind(String regex) {
            this.pattern = java.util.regex.Pattern.compile(regex);
        }

        boolean valid(String id) {
            return pattern.matcher(id).matches();
        }
    }

    /**
     * The registration the message reports (ObjektRegistrering).
     *
     * @param id          the object's id in the sending system; messages about the same object keep
     *                    their order per receiver
     * @param type        the object type, for example {@code Sag}
     * @param action      what happened, for example {@code Opdateret}
     * @param kle         the KLE subject (ObjektKLEEmne)
     * @param sensitivity how sensitive the object is (ObjektFoelsomhedsniveau); none: not confidential
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ObjectRegistration(
            @Size(max = 200) String id,
            @Size(max = 100) String type,
            @Size(max = 100) String action,
            @Pattern(regexp = "[0-9]{2}(\\.[0-9]{2}){0,2}", message = "must be a KLE number like 27.24.00") String kle,
            Sensitivity sensitivity) {
    }

    /**
     * Delivery information (Leveranceinformation). The publisher gives the creation time and a
     * transaction id; OpenSTS sets the source system, the time received and each receiver's route.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeliveryInfo(
            Instant createdAt,
            @Size(max = 200) String transactionId,
            UUID sourceSystem,
            Instant receivedAt,
            List<Route> routes) {
    }

    /** One receiver's route: when OpenSTS received the message, delivered it, and how many attempts it took. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Route(UUID receiver, Instant receivedAt, Instant deliveredAt, int attempts) {
    }

    /** The period the message is valid in (GyldighedFra/Til); a message past its end is not delivered. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Validity(Instant from, Instant to) {
    }

    /**
     * The business content (Beskeddata): JSON ({@code data} is any JSON value) or XML ({@code data}
     * is the XML document as a string).
     */
    public record Payload(
            @NotNull @Pattern(regexp = "application/json|application/xml",
                    message = "must be application/json or application/xml") String contentType,
            @NotNull JsonNode data) {
    }

    /** The end of the message's validity, if it has one. */
    public java.time.Instant validTo() {
        return validity == null ? null : validity.to();
    }

    /** The key messages about the same object share: the object's id, else the first related object, else the message. */
    public String orderKey() {
        if (filter.object() != null && filter.object().id() != null) {
            return "object:" + filter.object().id();
        }
        if (!filter.relatedObjects().isEmpty()) {
            RelatedObject r = filter.relatedObjects().get(0);
            return r.type() + ":" + r.id();
        }
        return "message:" + messageId;
    }

    public Sensitivity sensitivity() {
        return filter.object() == null || filter.object().sensitivity() == null
                ? Sensitivity.IKKE_FORTROLIGE_DATA : filter.object().sensitivity();
    }

    public String kle() {
        return filter.object() == null ? null : filter.object().kle();
    }

    /** The CPR numbers among the related objects. */
    public List<String> cprNumbers() {
        return filter.relatedObjects().stream().filter(r -> r.type() == ObjectKind.CPR).map(RelatedObject::id).toList();
    }

    /** The envelope as the publisher sent it, without what OpenSTS sets: the same message hashes the same. */
    public Envelope normalized() {
        DeliveryInfo d = delivery == null ? null
                : new DeliveryInfo(delivery.createdAt(), delivery.transactionId(), null, null, null);
        return new Envelope(messageId, VERSION, messageType, filter, d, validity, payload);
    }

    /** The envelope as stored: version set, the delivery information OpenSTS owns replaced. */
    public Envelope accepted(UUID sender, Instant receivedAt) {
        DeliveryInfo d = delivery == null ? new DeliveryInfo(null, null, null, null, null) : delivery;
        return new Envelope(messageId, VERSION, messageType, filter,
                new DeliveryInfo(d.createdAt() == null ? receivedAt : d.createdAt(), d.transactionId(), sender,
                        receivedAt, null), validity, payload);
    }

    /** The envelope as one receiver gets it, with its own route. */
    public Envelope routed(Route route) {
        return new Envelope(messageId, version, messageType, filter, new DeliveryInfo(delivery.createdAt(),
                delivery.transactionId(), delivery.sourceSystem(), delivery.receivedAt(), List.of(route)),
                validity, payload);
    }
}
