package dk.opensts.messaging.web;

import dk.opensts.messaging.amqp.AmqpTransport;
import dk.opensts.messaging.domain.Distributor;
import dk.opensts.messaging.domain.DistributorMeters;
import dk.opensts.messaging.domain.Dueslag;
import dk.opensts.messaging.domain.Envelope;
import dk.opensts.messaging.domain.ReplayRunner;
import dk.opensts.messaging.domain.Subscription;
import dk.opensts.messaging.domain.Subscriptions;
import dk.opensts.messaging.domain.ValueList;
import dk.opensts.messaging.store.DeliveryStore;
import dk.opensts.messaging.store.ReplayStore;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.index.RecordBinder;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.CurrentActor;
import dk.opensts.platform.security.Services;
import dk.opensts.platform.web.ETags;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@RestController
@RequestMapping("/api/messaging/v1")
@Tag(name = "Message distributor (Beskedfordeler)", description = "Publish business events; subscriptions, value "
        + "lists and the calling system's dueslag for the token's municipality")
public class MessagingController {

    private final Distributor distributor;
    private final Subscriptions subscriptions;
    private final Dueslag dueslag;
    private final DeliveryStore deliveries;
    private final RecordBinder binder;
    private final AmqpTransport amqp;
    private final ReplayRunner replayRunner;
    private final DistributorMeters meters;

    public MessagingController(Distributor distributor, Subscriptions subscriptions, Dueslag dueslag,
                               DeliveryStore deliveries, JsonMapper json, jakarta.validation.Validator validator,
                               org.springframework.beans.factory.ObjectProvider<AmqpTransport> amqp,
                               org.springframework.beans.factory.ObjectProvider<ReplayRunner> replayRunner,
                               DistributorMeters meters) {
        this.meters = meters;
        this.amqp = amqp.getIfAvailable();
        this.replayRunner = replayRunner.getIfAvailable();
        this.distributor = distributor;
        this.subscriptions = subscriptions;
        this.dueslag = dueslag;
        this.deliveries = deliveries;
        this.binder = new RecordBinder(json, validator);
    }

    /** The outcome of a publish, as confirmed to the publisher. */
    public record Published(UUID messageId, String status, int receivers, Instant receivedAt) {
    }

    /** A sender's view of its message: every receiver's delivery. */
    public record Status(UUID messageId, String messageType, Instant receivedAt, int receivers,
                         List<DeliveryStore.Delivery> deliveries) {
    }

    // ------------------------------------------------------------------ publishing

    @PostMapping(path = "/messages", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Publish a message (JSON envelope or XML Haendelsesbesked)", description = "Role publish. The envelope's sending "
            + "authority must be the token's municipality and its message type a class of BESKEDTYPE; the payload "
            + "is at most 1 MB. 201 when stored, 200 when the same message id was stored before (with the same "
            + "content; other content gets 409). Confirmed only after the message and its deliveries are committed.")
    public ResponseEntity<Published> publish(@io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            description = "The envelope: as JSON, or as an XML Haendelsesbesked in namespace urn:oio:besked:kuvert:1.0",
            content = {@Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = Envelope.class)),
                    @Content(mediaType = MediaType.APPLICATION_XML_VALUE, schema = @Schema(type = "string")),
                    @Content(mediaType = MediaType.TEXT_XML_VALUE, schema = @Schema(type = "string"))})
            @RequestBody JsonNode body) {
        return published(() -> distributor.publish(distributor.bind(body), CurrentActor.require(Services.PUBLISH), "REST"));
    }

    @PostMapping(path = "/messages", consumes = {MediaType.APPLICATION_XML_VALUE, MediaType.TEXT_XML_VALUE})
    @Operation(summary = "Publish a message (XML Haendelsesbesked)", description = "As the JSON form, with the "
            + "envelope as a Haendelsesbesked in namespace urn:oio:besked:kuvert:1.0.")
    public ResponseEntity<Published> publishXml(@RequestBody String body) {
        return published(() -> distributor.publish(distributor.bindXml(body), CurrentActor.require(Services.PUBLISH), "REST"));
    }

    /**
     * Publishes and answers; a refusal (of the envelope, the sender, or a value the database cannot
     * hold) is counted before it is answered. A body that is not JSON at all is refused before this.
     */
    private ResponseEntity<Published> published(java.util.function.Supplier<Distributor.Outcome> publishing) {
        try {
            return published(publishing.get());
        } catch (RuntimeException e) {
            if (e instanceof ApiException || dk.opensts.platform.error.Unstorable.isCause(e)) {
                meters.refused("REST", dk.opensts.platform.error.ProblemHandler.describe(e));
            }
            throw e;
        }
    }

    private static ResponseEntity<Published> published(Distributor.Outcome o) {
        Published p = new Published(o.messageId(), o.status(), o.receivers(), o.receivedAt());
        return o.status().equals("STORED")
                ? ResponseEntity.created(URI.create("/api/messaging/v1/messages/" + o.messageId())).body(p)
                : ResponseEntity.ok(p);
    }

    @GetMapping("/messages/{id}")
    @Operation(summary = "A sent message's delivery status", description = "Role publish; the sender's own messages "
            + "only. Each receiver's delivery: READY, LEASED, DELIVERED or FAILED (error queue), with attempts and "
            + "the last error.")
    public Status status(@PathVariable UUID id) {
        Actor actor = CurrentActor.require(Services.PUBLISH);
        DeliveryStore.StoredMessage m = deliveries.head(id)
                .filter(x -> x.sender().toString().equals(actor.id()) && x.authority().equals(actor.municipality()))
                .orElseThrow(() -> ApiException.notFound("Message", id));
        return new Status(id, m.messageType(), m.receivedAt(), m.receivers(), deliveries.deliveries(id));
    }

    // ------------------------------------------------------------------ subscriptions

    @GetMapping("/subscriptions")
    @Operation(summary = "The calling system's subscriptions for the token's municipality", description = "Role "
            + "subscribe. ended=true lists ended ones too.")
    public List<Subscription> subscriptions(@RequestParam(defaultValue = "false") boolean ended) {
        Actor actor = receiver();
        return subscriptions.list(system(actor), actor.municipality(), ended);
    }

    @PostMapping("/subscriptions")
    @Operation(summary = "Subscribe", description = "Role subscribe. Message types must be classes of BESKEDTYPE; "
            + "filters left out let everything through. What arrives is also bounded by the agreement's KLE and "
            + "sensitivity constraints, checked for every message.")
    public ResponseEntity<Subscription> subscribe(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(schema = @Schema(implementation = Subscription.Input.class)))
            @RequestBody JsonNode body) {
        Actor actor = receiver();
        Subscription s = subscriptions.create(system(actor), actor.municipality(),
                binder.bind(body, Subscription.Input.class), actor.id());
        return ResponseEntity.created(URI.create("/api/messaging/v1/subscriptions/" + s.id()))
                .eTag(ETags.of(s.version())).body(s);
    }

    @GetMapping("/subscriptions/{id}")
    @Operation(summary = "Read a subscription", description = "Role subscribe.")
    public ResponseEntity<Subscription> subscription(@PathVariable UUID id) {
        Actor actor = receiver();
        Subscription s = subscriptions.find(system(actor), actor.municipality(), id);
        return ResponseEntity.ok().eTag(ETags.of(s.version())).body(s);
    }

    @PutMapping("/subscriptions/{id}")
    @Operation(summary = "Replace a subscription's filters", description = "Role subscribe. Needs If-Match.")
    public ResponseEntity<Subscription> replace(@PathVariable UUID id,
                                                @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                                @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                                                        content = @Content(schema = @Schema(
                                                                implementation = Subscription.Input.class)))
                                                @RequestBody JsonNode body) {
        Actor actor = receiver();
        Subscription s = subscriptions.replace(system(actor), actor.municipality(), id, ETags.parse(ifMatch, true),
                binder.bind(body, Subscription.Input.class), actor.id());
        return ResponseEntity.ok().eTag(ETags.of(s.version())).body(s);
    }

    @DeleteMapping("/subscriptions/{id}")
    @Operation(summary = "End a subscription", description = "Role subscribe. Needs If-Match. Messages already in "
            + "the dueslag stay there.")
    public ResponseEntity<Subscription> end(@PathVariable UUID id,
                                            @RequestHeader(value = "If-Match", required = false) String ifMatch) {
        Actor actor = receiver();
        Subscription s = subscriptions.end(system(actor), actor.municipality(), id, ETags.parse(ifMatch, true), actor.id());
        return ResponseEntity.ok().eTag(ETags.of(s.version())).body(s);
    }

    // ------------------------------------------------------------------ value lists

    @GetMapping("/value-lists")
    @Operation(summary = "The calling system's value lists", description = "Role subscribe.")
    public List<ValueList> valueLists() {
        Actor actor = receiver();
        return subscriptions.lists(system(actor), actor.municipality());
    }

    @PostMapping("/value-lists")
    @Operation(summary = "Create a value list", description = "Role subscribe. kind CPR (10 digits) or CVR (8 digits).")
    public ResponseEntity<ValueList> createList(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(schema = @Schema(implementation = ValueList.Input.class)))
            @RequestBody JsonNode body) {
        Actor actor = receiver();
        ValueList l = subscriptions.createList(system(actor), actor.municipality(),
                binder.bind(body, ValueList.Input.class), actor.id());
        return ResponseEntity.created(URI.create("/api/messaging/v1/value-lists/" + l.id()))
                .eTag(ETags.of(l.version())).body(l);
    }

    @GetMapping("/value-lists/{id}")
    @Operation(summary = "Read a value list (without its values)", description = "Role subscribe.")
    public ResponseEntity<ValueList> valueList(@PathVariable UUID id) {
        Actor actor = receiver();
        ValueList l = subscriptions.findList(system(actor), actor.municipality(), id);
        return ResponseEntity.ok().eTag(ETags.of(l.version())).body(l);
    }

    @GetMapping("/value-lists/{id}/values")
    @Operation(summary = "A page of a value list's values", description = "Role subscribe. In order, after `after`.")
    public Map<String, Object> values(@PathVariable UUID id, @RequestParam(required = false) String after,
                                      @RequestParam(defaultValue = "1000") int limit) {
        Actor actor = receiver();
        if (limit < 1 || limit > 10_000) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "limit", "must be 1 to 10000");
        }
        List<String> values = subscriptions.values(system(actor), actor.municipality(), id, after, limit);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("values", values);
        out.put("next", values.size() == limit ? values.get(values.size() - 1) : null);
        return out;
    }

    @PutMapping("/value-lists/{id}")
    @Operation(summary = "Replace a value list's name and values", description = "Role subscribe. Needs If-Match.")
    public ResponseEntity<ValueList> replaceList(@PathVariable UUID id,
                                                 @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                                 @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                                                         content = @Content(schema = @Schema(
                                                                 implementation = ValueList.Input.class)))
                                                 @RequestBody JsonNode body) {
        Actor actor = receiver();
        ValueList l = subscriptions.replaceList(system(actor), actor.municipality(), id, ETags.parse(ifMatch, true),
                binder.bind(body, ValueList.Input.class), actor.id());
        return ResponseEntity.ok().eTag(ETags.of(l.version())).body(l);
    }

    @PatchMapping(path = "/value-lists/{id}", consumes = {"application/json", "application/merge-patch+json"})
    @Operation(summary = "Add and remove values", description = "Role subscribe. Needs If-Match. "
            + "{\"add\": [...], \"remove\": [...]} in one change.")
    public ResponseEntity<ValueList> changeList(@PathVariable UUID id,
                                                @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                                @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                                                        content = @Content(schema = @Schema(
                                                                implementation = ValueList.Change.class)))
                                                @RequestBody JsonNode body) {
        Actor actor = receiver();
        ValueList l = subscriptions.changeList(system(actor), actor.municipality(), id, ETags.parse(ifMatch, true),
                binder.bind(body, ValueList.Change.class), actor.id());
        return ResponseEntity.ok().eTag(ETags.of(l.version())).body(l);
    }

    @DeleteMapping("/value-lists/{id}")
    @Operation(summary = "Delete a value list", description = "Role subscribe. Needs If-Match; refused while a "
            + "subscription uses it.")
    public ResponseEntity<Void> deleteList(@PathVariable UUID id,
                                           @RequestHeader(value = "If-Match", required = false) String ifMatch) {
        Actor actor = receiver();
        subscriptions.deleteList(system(actor), actor.municipality(), id, ETags.parse(ifMatch, true));
        return ResponseEntity.noContent().build();
    }

    // ------------------------------------------------------------------ dueslag

    /**
     * What waits in the dueslag (counts of READY, LEASED and FAILED, and when the oldest waiting
     * delivery was made), its running replay, its delivery settings, and its AMQP queue when it has one.
     */
    public record DueslagInfo(Map<String, Long> counts, Instant oldestWaiting, ReplayView replay,
                              Dueslag.PushSettings push, String amqpQueue, String retention) {
    }

    @GetMapping("/dueslag")
    @Operation(summary = "The calling system's dueslag for the token's municipality", description = "Role subscribe. "
            + "counts: deliveries waiting (READY, also those held by a replay or waiting for a retry), handed out "
            + "under a lease (LEASED) and in the error queue (FAILED); oldestWaiting: when the oldest waiting "
            + "delivery was made; replay: the running replay, if any; the push settings and the AMQP queue. "
            + "Delivered messages are not counted (a busy dueslag keeps millions for replay).")
    public DueslagInfo info() {
        Actor actor = receiver();
        UUID system = system(actor);
        Dueslag.PushSettings settings = dueslag.push(system).orElse(null);
        DeliveryStore.Waiting waiting = dueslag.waiting(system, actor.municipality());
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("READY", waiting.ready());
        counts.put("LEASED", waiting.leased());
        counts.put("FAILED", waiting.failed());
        return new DueslagInfo(counts, waiting.oldestWaiting(),
                dueslag.runningReplay(system, actor.municipality()).map(ReplayView::of).orElse(null), settings,
                settings != null && settings.amqp() && amqp != null ? amqp.queueOf(system) : null,
                iso(dueslag.retention()));
    }

    /** A duration as ISO 8601 in days when it is whole days ({@code P30D}, not {@code PT720H}). */
    static String iso(Duration d) {
        return d.toSeconds() % 86_400 == 0 ? "P" + d.toDays() + "D" : d.toString();
    }

    /** Whether the dueslag is read as an AMQP queue. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "DueslagAmqp", description = "Whether the dueslag is an AMQP queue")
    public record Amqp(@NotNull Boolean enabled) {
    }

    @PutMapping("/dueslag/amqp")
    @Operation(summary = "Read the dueslag as an AMQP queue", description = "Role subscribe. enabled true: OpenSTS "
            + "relays the system's messages, in order, to quorum queue <prefix>.dueslag.<system id> on the broker, "
            + "which the system consumes with manual ack (a rejected message goes to the error queue); the answer "
            + "names the queue. 422 when this server has no AMQP broker.")
    public Map<String, Object> amqp(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(schema = @Schema(implementation = Amqp.class)))
            @RequestBody JsonNode body) {
        Actor actor = receiver();
        boolean enabled = binder.bind(body, Amqp.class).enabled();
        if (enabled && amqp == null) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/enabled",
                    "this server has no AMQP broker (opensts.messaging.amqp.uri); read the dueslag by REST or push");
        }
        String queue = enabled ? amqp.declareQueue(system(actor)) : null;
        dueslag.setAmqp(system(actor), enabled, actor.id());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", enabled);
        out.put("queue", queue);
        return out;
    }

    @PostMapping(path = "/dueslag/lease", produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_XML_VALUE})
    @Operation(summary = "Lease the next messages (REST pull)", description = "Role subscribe. Up to max messages, "
            + "oldest first; a message about an object comes only after the earlier ones about it are acknowledged. "
            + "Acknowledge each with its id and leaseId before the lease runs out, or it comes back; after the last "
            + "allowed attempt it goes to the error queue. Accept: application/xml gives Haendelsesbesked documents.")
    public ResponseEntity<?> lease(@RequestParam(defaultValue = "10") int max,
                                   @RequestParam(defaultValue = "60") int leaseSeconds,
                                   @RequestHeader(value = "Accept", required = false) String accept) {
        Actor actor = receiver();
        List<Dueslag.Lease> leases = dueslag.lease(system(actor), actor.municipality(), max,
                Duration.ofSeconds(leaseSeconds));
        if (accept != null && accept.contains("xml") && !accept.contains("json")) {
            StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Leverancer xmlns=\"")
                    .append(dk.opensts.messaging.domain.EnvelopeXml.NS).append("\">");
            for (Dueslag.Lease l : leases) {
                String doc = distributor.xml().write(l.envelope());
                xml.append("<Levering id=\"").append(l.id()).append("\" leaseId=\"").append(l.leaseId())
                        .append("\" leasedUntil=\"").append(l.leasedUntil()).append("\">")
                        .append(doc.substring(doc.indexOf("?>") + 2)).append("</Levering>");
            }
            xml.append("</Leverancer>");
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_XML).body(xml.toString());
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(Map.of("items", leases));
    }

    /** Deliveries to acknowledge, each with the lease it was handed out under. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "DueslagAck", description = "Leased deliveries to acknowledge")
    public record Ack(@NotNull List<@NotNull LeaseRef> deliveries) {
    }

    public record LeaseRef(long id, @NotNull UUID leaseId) {
    }

    @PostMapping("/dueslag/ack")
    @Operation(summary = "Acknowledge leased messages", description = "Role subscribe. Returns the ids acknowledged; "
            + "an id missing from the answer had its lease run out and was handed out again.")
    public Map<String, Object> ack(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(schema = @Schema(implementation = Ack.class)))
            @RequestBody JsonNode body) {
        Actor actor = receiver();
        Ack ack = binder.bind(body, Ack.class);
        Map<Long, UUID> leases = new LinkedHashMap<>();
        ack.deliveries().forEach(d -> leases.put(d.id(), d.leaseId()));
        return Map.of("acknowledged", dueslag.ack(system(actor), leases));
    }

    /** Deliveries to move to the error queue or requeue from it. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "DueslagIds", description = "Deliveries by id, or all")
    public record Ids(List<@NotNull Long> ids, String reason, Boolean all) {
    }

    @GetMapping("/dueslag/error-queue")
    @Operation(summary = "The error queue", description = "Role subscribe. Deliveries that failed, oldest first, "
            + "after the id `after`.")
    public Map<String, Object> errorQueue(@RequestParam(defaultValue = "0") long after,
                                          @RequestParam(defaultValue = "100") int limit) {
        Actor actor = receiver();
        if (limit < 1 || limit > 1000) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "limit", "must be 1 to 1000");
        }
        return Map.of("items", dueslag.errors(system(actor), actor.municipality(), after, limit));
    }

    @PostMapping("/dueslag/error-queue")
    @Operation(summary = "Move messages to the error queue", description = "Role subscribe. Waiting or leased "
            + "deliveries by id; their senders are told.")
    public Map<String, Object> moveToErrorQueue(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(schema = @Schema(implementation = Ids.class)))
            @RequestBody JsonNode body) {
        Actor actor = receiver();
        Ids ids = binder.bind(body, Ids.class);
        if (ids.ids() == null || ids.ids().isEmpty()) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/ids", "name at least one delivery");
        }
        return Map.of("moved", dueslag.fail(system(actor), actor.municipality(), ids.ids(), ids.reason()));
    }

    @PostMapping("/dueslag/error-queue/requeue")
    @Operation(summary = "Requeue from the error queue", description = "Role subscribe. The deliveries named in ids, "
            + "or all with {\"all\": true}; they are delivered again with their attempts reset.")
    public Map<String, Object> requeue(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(schema = @Schema(implementation = Ids.class)))
            @RequestBody JsonNode body) {
        Actor actor = receiver();
        Ids ids = binder.bind(body, Ids.class);
        boolean all = Boolean.TRUE.equals(ids.all());
        if (all == (ids.ids() != null && !ids.ids().isEmpty())) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/ids", "give either ids or all: true");
        }
        return Map.of("requeued", dueslag.requeue(system(actor), actor.municipality(), all ? null : ids.ids()));
    }

    /** The time to rewind the dueslag to. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "DueslagReplay", description = "The time to rewind the dueslag to")
    public record Replay(@NotNull Instant from) {
    }

    /**
     * A replay of the dueslag as far as it has come: rows created from {@code from} and before
     * {@code until} (its request) come again; {@code replayed} of them wait again so far, and
     * {@code released} of those are due; rows it holds are due of themselves at {@code heldUntil}.
     */
    @io.swagger.v3.oas.annotations.media.Schema(name = "DueslagReplayStatus", description = "A replay of the dueslag "
            + "as far as it has come. status HOLDING: the delivered rows since from wait again, held (not yet due, "
            + "but later messages about their objects wait behind them); RELEASING: the held rows become due; DONE.")
    public record ReplayView(@NotNull UUID id, @NotNull Instant from, @NotNull Instant until,
                             @NotNull ReplayStore.Phase status, long replayed, long released,
                             @NotNull Instant heldUntil, Instant finishedAt) {

        static ReplayView of(ReplayStore.Replay r) {
            return new ReplayView(r.id(), r.from(), r.until(), r.phase(), r.replayed(), r.released(), r.heldUntil(),
                    r.finishedAt());
        }
    }

    @PostMapping("/dueslag/replay")
    @Operation(summary = "Rewind the dueslag", description = "Role subscribe. Everything delivered since `from` "
            + "(within retention, default 30 days) is delivered again in its first order; drop duplicates by "
            + "message id. 202: the replay is recorded and runs in steps on the servers, also after a restart; "
            + "follow Location (GET /dueslag/replays/{id}) until its status is DONE. 409 ALREADY_RUNNING (with "
            + "replayId) while another replay of the dueslag runs. Send Idempotency-Key to make a retry safe: "
            + "it answers the replay the first request recorded.")
    @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "202", description = "The replay, recorded",
            content = @Content(schema = @Schema(implementation = ReplayView.class)))
    public ResponseEntity<ReplayView> replay(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(schema = @Schema(implementation = Replay.class)))
            @RequestBody JsonNode body,
            @RequestHeader(value = "Idempotency-Key", required = false) String key) {
        Actor actor = receiver();
        Dueslag.Recorded recorded = dueslag.replay(system(actor), actor.municipality(),
                binder.bind(body, Replay.class).from(), actor.id(), key);
        if (!recorded.again() && replayRunner != null) {
            replayRunner.wake();
        }
        return ResponseEntity.accepted().location(URI.create("/api/messaging/v1/dueslag/replays/"
                + recorded.replay().id())).body(ReplayView.of(recorded.replay()));
    }

    @GetMapping("/dueslag/replays")
    @Operation(summary = "The dueslag's replays", description = "Role subscribe. Within retention, newest first; "
            + "the next page after the replay named in `before`.")
    public Map<String, Object> replays(@RequestParam(required = false) UUID before,
                                       @RequestParam(defaultValue = "20") int limit) {
        Actor actor = receiver();
        if (limit < 1 || limit > 100) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "limit", "must be 1 to 100");
        }
        return Map.of("items", dueslag.replays(system(actor), actor.municipality(), before, limit).stream()
                .map(ReplayView::of).toList());
    }

    @GetMapping("/dueslag/replays/{id}")
    @Operation(summary = "A replay of the dueslag", description = "Role subscribe. How far it has come; 404 for "
            + "another dueslag's replay or one older than retention.")
    public ReplayView replayStatus(@PathVariable UUID id) {
        Actor actor = receiver();
        return dueslag.replay(system(actor), actor.municipality(), id).map(ReplayView::of)
                .orElseThrow(() -> ApiException.notFound("replay", id));
    }

    /** Push settings: {@code url} null turns push off. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "DueslagPush", description = "HTTP push settings")
    public record Push(String url, String auth, Integer maxAttempts) {
    }

    @PutMapping("/dueslag/push")
    @Operation(summary = "Set the push endpoint", description = "Role subscribe. auth HMAC (the answer shows the "
            + "new secret once; requests carry X-OpenSTS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "
            + "\"t.body\">) or MTLS (OpenSTS's client certificate). maxAttempts (default 10) before the error "
            + "queue; retries back off exponentially. url null: pull only.")
    public Dueslag.PushSettings push(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(schema = @Schema(implementation = Push.class)))
            @RequestBody JsonNode body) {
        Actor actor = receiver();
        Push p = binder.bind(body, Push.class);
        return dueslag.setPush(system(actor), p.url(), p.auth(), p.maxAttempts() == null ? 10 : p.maxAttempts(),
                actor.id());
    }

    private static Actor receiver() {
        return CurrentActor.require(Services.SUBSCRIBE);
    }

    private static UUID system(Actor actor) {
        try {
            return UUID.fromString(actor.id());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.FORBIDDEN, "Only IT systems have a dueslag");
        }
    }
}
