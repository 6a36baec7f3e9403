package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.access.api.ServiceAgreements.Grant;
import dk.opensts.classification.api.Classifications;
import dk.opensts.messaging.domain.Distributor;
import dk.opensts.messaging.domain.DistributorMeters;
import dk.opensts.messaging.domain.Envelope;
import dk.opensts.messaging.domain.PushDelivery;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.index.RecordBinder;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.Services;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The message distributor over REST: publishing rules, routing by subscriptions under agreements,
 * the dueslag (lease, ack, order per object, error queue, replay), value lists, HTTP push and the
 * registries' changes as messages.
 */
@TestPropertySource(properties = {"opensts.messaging.cache-for=PT0S", "opensts.messaging.push.tick=PT0.1S",
        "opensts.messaging.push.backoff-base=PT0.2S"})
class MessagingTest extends ApiTest {

    static final String M = "/api/messaging/v1";
    static final String TYPE = "SagAendret";
    static final AtomicInteger SEQ = new AtomicInteger();

    @Autowired
    Classifications classifications;
    @Autowired
    dk.opensts.messaging.store.DeliveryStore deliveryStore;
    @Autowired
    dk.opensts.messaging.domain.Dueslag dueslag;
    @Autowired
    Distributor distributor;
    @Autowired
    JsonMapper json;
    @Autowired
    jakarta.validation.Validator validator;

    /** A CA of the test's own: OpenSTS's client certificate for mutual-TLS push and the receiver's server certificate. */
    static final java.nio.file.Path PUSH_PKI = pushPki();

    static java.nio.file.Path pushPki() {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("opensts-push-pki-");
            dk.opensts.access.pki.DevelopmentCa ca = new dk.opensts.access.pki.DevelopmentCa(dir);
            var client = ca.issueClient("OpenSTS push", CVR, Instant.now().minusSeconds(60),
                    Instant.now().plusSeconds(86_400));
            try (var out = java.nio.file.Files.newOutputStream(dir.resolve("opensts-push.p12"))) {
                client.keyStore().store(out, dk.opensts.access.pki.DevelopmentCa.PASSWORD);
            }
            return dir;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @org.springframework.test.context.DynamicPropertySource
    static void pushTls(org.springframework.test.context.DynamicPropertyRegistry r) {
        r.add("opensts.messaging.push.client-keystore", () -> PUSH_PKI.resolve("opensts-push.p12").toString());
        r.add("opensts.messaging.push.client-keystore-password", () -> new String(dk.opensts.access.pki.DevelopmentCa.PASSWORD));
        r.add("opensts.messaging.push.trusted-cas", () -> PUSH_PKI.resolve("ca.crt.pem").toString());
    }

    static TestSystem sender;
    static String publish;
    static String senderInbox;

    @BeforeEach
    void setUp() {
        if (sender != null) {
            return;
        }
        classifications.ensureNationalClasses("BESKEDTYPE", "Beskedtyper", Map.of(TYPE, "En sag er ændret",
                "YdelseAendret", "En ydelse er ændret"), "test");
        sender = systemWith(CVR, Services.MESSAGING, List.of(new Grant(Services.PUBLISH, Map.of()),
                new Grant(Services.SUBSCRIBE, Map.of(Constraints.SENSITIVITY, "IKKE_FORTROLIGE_DATA"))));
        publish = tokenOf(sender, CVR, Services.MESSAGING);
        senderInbox = publish;
    }

    /** A token of a new receiving system allowed the sensitivity and KLE values given. */
    String receiver(String sensitivity, String kle) {
        Map<String, String> c = new java.util.HashMap<>();
        c.put(Constraints.SENSITIVITY, sensitivity);
        if (kle != null) {
            c.put(Constraints.KLE, kle);
        }
        return tokenOf(systemWith(CVR, Services.MESSAGING, List.of(new Grant(Services.SUBSCRIBE, c))), CVR,
                Services.MESSAGING);
    }

    String subscribe(String token, String filters) {
        Res r = call("POST", M + "/subscriptions", token, "{\"name\":\"test\",\"messageTypes\":[\"" + TYPE + "\"]"
                + filters + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.body().path("id").asString();
    }

    static String envelope(UUID id, String objectId, String kle, String sensitivity, String cpr, String payload) {
        return "{\"messageId\":\"" + id + "\",\"messageType\":\"" + TYPE + "\",\"filter\":{\"authority\":\"" + CVR + "\","
                + (cpr == null ? "" : "\"relatedObjects\":[{\"type\":\"CPR\",\"id\":\"" + cpr + "\",\"role\":\"part\"}],")
                + "\"object\":{\"id\":\"" + objectId + "\",\"type\":\"Sag\",\"action\":\"Opdateret\""
                + (kle == null ? "" : ",\"kle\":\"" + kle + "\"")
                + (sensitivity == null ? "" : ",\"sensitivity\":\"" + sensitivity + "\"") + "}},"
                + "\"delivery\":{\"createdAt\":\"2026-11-23T08:00:00Z\",\"transactionId\":\"tx-1\"},"
                + "\"payload\":{\"contentType\":\"application/json\",\"data\":" + payload + "}}";
    }

    Res publish(String body) {
        return call("POST", M + "/messages", publish, body);
    }

    UUID published(String objectId, String kle, String sensitivity, String cpr) {
        UUID id = UUID.randomUUID();
        Res r = publish(envelope(id, objectId, kle, sensitivity, cpr, "{\"n\":" + SEQ.incrementAndGet() + "}"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return id;
    }

    JsonNode lease(String token, int max, int seconds) {
        Res r = call("POST", M + "/dueslag/lease?max=" + max + "&leaseSeconds=" + seconds, token, null);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.body().path("items");
    }

    List<String> messageIds(JsonNode items) {
        List<String> out = new ArrayList<>();
        items.forEach(i -> out.add(i.path("envelope").path("messageId").asString()));
        return out;
    }

    void ack(String token, JsonNode items) {
        StringBuilder b = new StringBuilder("{\"deliveries\":[");
        for (int i = 0; i < items.size(); i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":").append(items.get(i).path("id").asLong())
                    .append(",\"leaseId\":\"").append(items.get(i).path("leaseId").asString()).append("\"}");
        }
        Res r = call("POST", M + "/dueslag/ack", token, b.append("]}").toString());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().path("acknowledged").size()).isEqualTo(items.size());
    }

    @Test
    void publishIsRoutedByTheSubscriptionsAndStoredOnce() {
        // a message type of its own: the other tests' receivers do not subscribe to it
        String social = receiver("FORTROLIGE_PERSONOPLYSNINGER", null);
        String jobs = receiver("FORTROLIGE_PERSONOPLYSNINGER", null);
        for (String token : List.of(social, jobs)) {
            Res r = call("POST", M + "/subscriptions", token, "{\"name\":\"y\",\"messageTypes\":[\"YdelseAendret\"],"
                    + "\"kle\":[\"" + (token.equals(social) ? "27.*" : "32.*") + "\"]}");
            assertThat(r.status()).as(r.text()).isEqualTo(201);
        }
        UUID id = UUID.randomUUID();
        // the payload is kept as sent, whatever JSON it holds (here a NUL character, which no other text may)
        String body = envelope(id, "sag-" + id, "27.24.00", "FORTROLIGE_PERSONOPLYSNINGER", null,
                "{\"title\":\"Sag\",\"raw\":\"a\\u0000b\"}").replace(TYPE, "YdelseAendret");
        Res first = publish(body);
        assertThat(first.status()).as(first.text()).isEqualTo(201);
        assertThat(first.body().path("status").asString()).isEqualTo("STORED");
        assertThat(first.body().path("receivers").asInt()).isEqualTo(1);
        // the same message again: confirmed, stored once
        Res again = publish(body);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().path("status").asString()).isEqualTo("DUPLICATE");
        assertThat(count("SELECT count(*) FROM messaging.message WHERE id = '" + id + "'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM messaging.delivery WHERE message_id = '" + id + "'")).isEqualTo(1);
        // the same id with other content is refused
        Res other = publish(body.replace("\"Sag\"", "\"Anden sag\""));
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.code()).isEqualTo("DUPLICATE");

        JsonNode items = lease(social, 10, 60);
        assertThat(messageIds(items)).containsExactly(id.toString());
        JsonNode env = items.get(0).path("envelope");
        assertThat(env.path("payload").path("data").path("title").asString()).isEqualTo("Sag");
        assertThat(env.path("payload").path("data").path("raw").asString()).isEqualTo("a\0b");
        assertThat(env.path("delivery").path("sourceSystem").asString()).isEqualTo(sender.id().toString());
        assertThat(env.path("delivery").path("transactionId").asString()).isEqualTo("tx-1");
        assertThat(env.path("delivery").path("routes").get(0).path("attempts").asInt()).isEqualTo(1);
        assertThat(lease(jobs, 10, 60).size()).isZero();
        ack(social, items);
        assertThat(lease(social, 10, 60).size()).isZero();

        // the sender sees each receiver's delivery
        Res status = get(M + "/messages/" + id, publish);
        assertThat(status.status()).as(status.text()).isEqualTo(200);
        assertThat(status.body().path("deliveries").get(0).path("state").asString()).isEqualTo("DELIVERED");
        // nobody else does
        assertThat(get(M + "/messages/" + id, social).status()).isEqualTo(403);
    }

    @Test
    void badInputIsRefusedAndNothingIsWritten() {
        long before = count("SELECT count(*) FROM messaging.message");
        UUID id = UUID.randomUUID();
        String good = envelope(id, "x", "27.24.00", null, null, "{}");
        Res unknownField = publish(good.replace("\"messageType\"", "\"colour\":\"red\",\"messageType\""));
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.code()).isEqualTo("UNKNOWN_FIELD");
        Res badCpr = publish(envelope(id, "x", null, null, "12345", "{}"));
        assertThat(badCpr.status()).as(badCpr.text()).isEqualTo(422);
        assertThat(badCpr.text()).contains("relatedObjects");
        Res badKle = publish(envelope(id, "x", "27-24", null, null, "{}"));
        assertThat(badKle.status()).isEqualTo(422);
        Res unknownType = publish(good.replace(TYPE, "IkkeEnType"));
        assertThat(unknownType.status()).isEqualTo(422);
        assertThat(unknownType.text()).contains("/messageType");
        Res otherMunicipality = publish(good.replace("\"authority\":\"" + CVR, "\"authority\":\"22222222"));
        assertThat(otherMunicipality.status()).isEqualTo(403);
        Res noPayload = publish(good.replaceAll(",\"payload\":.*}$", "}"));
        assertThat(noPayload.status()).as(noPayload.text()).isEqualTo(422);
        Res tooLarge = publish(envelope(id, "x", null, null, null, "\"" + "a".repeat(1024 * 1024 + 1) + "\""));
        assertThat(tooLarge.status()).as(tooLarge.text().substring(0, Math.min(300, tooLarge.text().length())))
                .isEqualTo(413);
        Res badXmlPayload = publish(good.replace("\"contentType\":\"application/json\",\"data\":{}",
                "\"contentType\":\"application/xml\",\"data\":\"<a><b></a>\""));
        assertThat(badXmlPayload.status()).isEqualTo(400);
        Res expired = publish(good.replace("\"payload\"", "\"validity\":{\"to\":\"2020-01-01T00:00:00Z\"},\"payload\""));
        assertThat(expired.status()).isEqualTo(422);
        // a system without the publish role
        String receiverOnly = receiver("IKKE_FORTROLIGE_DATA", null);
        assertThat(call("POST", M + "/messages", receiverOnly, good).status()).isEqualTo(403);
        // no token
        assertThat(call("POST", M + "/messages", null, good).status()).isEqualTo(401);
        // a member named twice in one object (read last-wins, a second authority or sensitivity won unseen)
        for (String twice : List.of(good.replace("\"authority\":", "\"authority\":\"22222222\",\"authority\":"),
                good.replace("\"payload\"", "\"messageType\":\"" + TYPE + "\",\"payload\""))) {
            Res r = publish(twice);
            assertThat(r.status()).as(twice + ": " + r.text()).isEqualTo(400);
            assertThat(r.code()).isEqualTo("MALFORMED_BODY");
            assertThat(r.body().path("detail").asString()).contains("appears twice");
        }
        // a DTD in the XML form is refused
        Res dtd = call("POST", M + "/messages", publish, "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM "
                + "\"file:///etc/passwd\">]><Haendelsesbesked xmlns=\"urn:oio:besked:kuvert:1.0\">&e;</Haendelsesbesked>",
                "Content-Type", "application/xml");
        assertThat(dtd.status()).isEqualTo(400);
        // the NUL character, which PostgreSQL's text cannot hold, in a filter field: named
        Res nul = publish(envelope(id, "sag\\u0000-1", null, null, null, "{}"));
        assertThat(nul.status()).as(nul.text()).isEqualTo(422);
        assertThat(nul.body().path("errors").get(0).path("field").asString()).isEqualTo("/filter/object/id");
        // a time beyond what the database holds
        Res far = publish(good.replace("\"payload\"", "\"validity\":{\"to\":\"+294277-01-01T00:00:00Z\"},\"payload\""));
        assertThat(far.status()).as(far.text()).isEqualTo(422);
        assertThat(far.body().path("errors").get(0).path("field").asString()).isEqualTo("/validity/to");
        // a message id that is not a UUID written out (Jackson took 22 characters as base64 of one)
        for (String notAUuid : List.of("1180591620717411303424", "\"AAAAAAAAAAAAAAAAAAAAAA\"")) {
            Res r = publish(good.replace("\"" + id + "\"", notAUuid));
            assertThat(r.status()).as(notAUuid + ": " + r.text()).isEqualTo(400);
            assertThat(r.code()).isEqualTo("WRONG_TYPE");
            assertThat(r.body().path("errors").get(0).path("field").asString()).isEqualTo("/messageId");
        }
        Res booleanText = publish(good.replace("\"type\":\"Sag\"", "\"type\":true"));
        assertThat(booleanText.status()).as(booleanText.text()).isEqualTo(400);
        assertThat(booleanText.body().path("errors").get(0).path("field").asString()).isEqualTo("/filter/object/type");
        // the JSON literal null, and JSON of another kind, where an envelope belongs
        for (String notAnObject : List.of("null", "[]", "\"x\"")) {
            Res r = publish(notAnObject);
            assertThat(r.status()).as(notAnObject + ": " + r.text()).isEqualTo(400);
            assertThat(r.code()).isEqualTo("MALFORMED_BODY");
            assertThat(r.body().path("detail").asString()).isEqualTo("The body must be a JSON object");
        }
        assertThat(count("SELECT count(*) FROM messaging.message")).isEqualTo(before);
        // subscriptions: unknown message type, bad KLE, foreign value list
        String token = receiver("IKKE_FORTROLIGE_DATA", null);
        // every body of the dueslag and its subscriptions and value lists: null is refused, not a server error
        for (String[] call : new String[][] {{"POST", "/dueslag/ack"}, {"PUT", "/dueslag/amqp"}, {"PUT", "/dueslag/push"},
                {"POST", "/dueslag/replay"}, {"POST", "/dueslag/error-queue"}, {"POST", "/dueslag/error-queue/requeue"},
                {"POST", "/subscriptions"}, {"POST", "/value-lists"}}) {
            Res r = call(call[0], M + call[1], token, "null");
            assertThat(r.status()).as(call[1] + ": " + r.text()).isEqualTo(400);
            assertThat(r.code()).as(call[1]).isEqualTo("MALFORMED_BODY");
        }
        Res undecodable = call("POST", M + "/dueslag/lease?max=%FF%FE", token, "");
        assertThat(undecodable.status()).as(undecodable.text()).isEqualTo(400);
        assertThat(undecodable.code()).isEqualTo("INVALID_PARAMETER");
        Res sub = call("POST", M + "/subscriptions", token, "{\"name\":\"x\",\"messageTypes\":[\"Ukendt\"]}");
        assertThat(sub.status()).isEqualTo(422);
        assertThat(call("POST", M + "/subscriptions", token, "{\"name\":\"x\",\"messageTypes\":[\"" + TYPE
                + "\"],\"kle\":[\"27\"],\"maxSensitivity\":\"HEMMELIG\"}").status()).isEqualTo(400);
        assertThat(call("POST", M + "/subscriptions", token, "{\"name\":\"x\",\"messageTypes\":[\"" + TYPE
                + "\"],\"cprList\":\"" + UUID.randomUUID() + "\"}").status()).isEqualTo(422);
        // a publisher has no dueslag role
        assertThat(call("POST", M + "/subscriptions", tokenOf(systemWith(CVR, Services.MESSAGING,
                List.of(new Grant(Services.PUBLISH, Map.of()))), CVR, Services.MESSAGING),
                "{\"name\":\"x\",\"messageTypes\":[\"" + TYPE + "\"]}").status()).isEqualTo(403);
    }

    @Test
    void aMessageWhoseTextTheDatabaseCannotHoldIsRefusedAloneInItsArrivalBatch() {
        // bound past the distributor's own check of the fields, as a text it did not foresee would be:
        // the batch is stored again message by message, and only that one is refused (over AMQP the
        // whole batch would otherwise go back to the broker, and fail again)
        String token = receiver("IKKE_FORTROLIGE_DATA", null);
        Res sub = call("POST", M + "/subscriptions", token, "{\"name\":\"nul\",\"messageTypes\":[\"YdelseAendret\"],"
                + "\"kle\":[\"99.*\"]}");
        assertThat(sub.status()).as(sub.text()).isEqualTo(201);
        RecordBinder strict = new RecordBinder(json, validator);
        Actor actor = new Actor(sender.id().toString(), "sender", CVR, Services.MESSAGING,
                List.of(new Actor.Grant(Services.PUBLISH, Map.of())));
        List<UUID> ids = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        List<Distributor.Item> items = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String body = envelope(ids.get(i), i == 1 ? "sag\\u0000" : "sag-" + i, "99.01.00", null, null, "{}")
                    .replace(TYPE, "YdelseAendret");
            items.add(new Distributor.Item(strict.bind(json.readTree(body), Envelope.class), actor));
        }
        List<Object> out = distributor.publishAll(items, "AMQP");
        assertThat(((Distributor.Outcome) out.get(0)).receivers()).isEqualTo(1);
        assertThat(((Distributor.Outcome) out.get(2)).receivers()).isEqualTo(1);
        assertThat(out.get(1)).isInstanceOf(ApiException.class);
        assertThat(((ApiException) out.get(1)).code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
        assertThat(count("SELECT count(*) FROM messaging.message WHERE id IN ('" + ids.get(0) + "', '" + ids.get(1)
                + "', '" + ids.get(2) + "')")).isEqualTo(2);
        // one message alone is refused too, not left to fail again
        Object alone = distributor.publishAll(List.of(items.get(1)), "AMQP").get(0);
        assertThat(((ApiException) alone).code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
        assertThat(messageIds(lease(token, 10, 60))).containsExactly(ids.get(0).toString(), ids.get(2).toString());
    }

    @Test
    void theAgreementBoundsWhatAReceiverGets() {
        String low = receiver("IKKE_FORTROLIGE_DATA", null);
        String social = receiver("FOELSOMME_PERSONOPLYSNINGER", "27.*");
        subscribe(low, "");
        subscribe(social, "");
        UUID sensitive = published("o-" + UUID.randomUUID(), "27.24.00", "FOELSOMME_PERSONOPLYSNINGER", null);
        UUID open = published("o-" + UUID.randomUUID(), "27.24.00", null, null);
        UUID otherSubject = published("o-" + UUID.randomUUID(), "32.01.00", null, null);
        assertThat(messageIds(lease(low, 10, 60))).containsExactly(open.toString(), otherSubject.toString());
        assertThat(messageIds(lease(social, 10, 60))).containsExactly(sensitive.toString(), open.toString());
        // the subscription's own ceiling narrows further
        String capped = receiver("FOELSOMME_PERSONOPLYSNINGER", null);
        subscribe(capped, ",\"maxSensitivity\":\"IKKE_FORTROLIGE_DATA\",\"objectTypes\":[\"Sag\"],\"actions\":[\"Opdateret\"]");
        published("o-" + UUID.randomUUID(), "27.24.00", "FORTROLIGE_PERSONOPLYSNINGER", null);
        UUID visible = published("o-" + UUID.randomUUID(), null, null, null);
        assertThat(messageIds(lease(capped, 10, 60))).containsExactly(visible.toString());
    }

    @Test
    void orderIsKeptPerObjectAndLeasesComeBack() throws Exception {
        String token = receiver("IKKE_FORTROLIGE_DATA", null);
        subscribe(token, "");
        String x = "x-" + UUID.randomUUID();
        UUID x1 = published(x, null, null, null);
        UUID x2 = published(x, null, null, null);
        UUID y1 = published("y-" + UUID.randomUUID(), null, null, null);
        // the second message about x waits for the first to be acknowledged
        JsonNode first = lease(token, 10, 1);
        assertThat(messageIds(first)).containsExactly(x1.toString(), y1.toString());
        assertThat(lease(token, 10, 60).size()).isZero();
        // the lease runs out: both come back, x2 still waits
        Thread.sleep(1300);
        JsonNode again = lease(token, 10, 60);
        assertThat(messageIds(again)).containsExactly(x1.toString(), y1.toString());
        assertThat(again.get(0).path("attempt").asInt()).isEqualTo(2);
        // an acknowledgement under the old lease no longer counts
        Res stale = call("POST", M + "/dueslag/ack", token, "{\"deliveries\":[{\"id\":" + first.get(0).path("id").asLong()
                + ",\"leaseId\":\"" + first.get(0).path("leaseId").asString() + "\"}]}");
        assertThat(stale.body().path("acknowledged").size()).isZero();
        ack(token, again);
        assertThat(messageIds(lease(token, 10, 60))).containsExactly(x2.toString());
    }

    @Test
    void failedDeliveriesGoToTheErrorQueueAndTheSenderIsTold() throws Exception {
        String token = receiver("IKKE_FORTROLIGE_DATA", null);
        subscribe(token, "");
        Res push = call("PUT", M + "/dueslag/push", token, "{\"url\":null,\"maxAttempts\":2}");
        assertThat(push.status()).as(push.text()).isEqualTo(200);
        UUID id = published("f-" + UUID.randomUUID(), null, null, null);
        lease(token, 10, 1);
        Thread.sleep(1100);
        assertThat(lease(token, 10, 1).size()).isEqualTo(1);
        // the second lease runs out: the sweep moves it to the error queue
        JsonNode errors = waitFor(() -> get(M + "/dueslag/error-queue", token).body().path("items"), n -> n.size() == 1);
        assertThat(errors.get(0).path("messageId").asString()).isEqualTo(id.toString());
        assertThat(errors.get(0).path("attempts").asInt()).isEqualTo(2);
        assertThat(get(M + "/messages/" + id, publish).body().path("deliveries").get(0).path("state").asString())
                .isEqualTo("FAILED");
        // the sender gets a LeveranceFejlet in its own dueslag
        JsonNode notice = waitFor(() -> lease(senderInbox, 50, 60), n -> messageIds(n).stream().anyMatch(m -> true)
                && containsNotice(n, id));
        ack(senderInbox, notice);
        // requeued, it comes again
        Res requeue = call("POST", M + "/dueslag/error-queue/requeue", token, "{\"all\":true}");
        assertThat(requeue.body().path("requeued").asInt()).isEqualTo(1);
        JsonNode back = lease(token, 10, 60);
        assertThat(messageIds(back)).containsExactly(id.toString());
        // moved to the error queue by the receiver
        Res moved = call("POST", M + "/dueslag/error-queue", token, "{\"ids\":[" + back.get(0).path("id").asLong()
                + "],\"reason\":\"cannot parse\"}");
        assertThat(moved.body().path("moved").asInt()).isEqualTo(1);
        JsonNode info = get(M + "/dueslag", token).body();
        assertThat(info.path("counts").path("FAILED").asInt()).isEqualTo(1);
        assertThat(info.path("retention").asString()).isEqualTo("P30D");
    }

    @Test
    void aMessageWhoseValidityEndsBeforeItIsTakenGoesToTheErrorQueue() throws Exception {
        String token = receiver("IKKE_FORTROLIGE_DATA", null);
        subscribe(token, "");
        UUID id = UUID.randomUUID();
        String until = java.time.Instant.now().plusSeconds(2).toString();
        Res r = publish(envelope(id, "e-" + id, null, null, null, "{\"n\":1}")
                .replace("\"payload\"", "\"validity\":{\"to\":\"" + until + "\"},\"payload\""));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        Thread.sleep(2200);
        // no longer handed out, and the sweep moves it to the error queue with the reason
        assertThat(lease(token, 10, 60).size()).isZero();
        JsonNode errors = waitFor(() -> get(M + "/dueslag/error-queue", token).body().path("items"), n -> n.size() == 1);
        assertThat(errors.get(0).path("messageId").asString()).isEqualTo(id.toString());
        assertThat(errors.get(0).path("lastError").asString()).contains("expired");
        ack(senderInbox, waitFor(() -> lease(senderInbox, 50, 60), n -> containsNotice(n, id)));
    }

    @Test
    void deliveriesGoStraightToTheRelayOnlyWhenNothingEarlierAboutTheirObjectWaits() {
        UUID queue = UUID.randomUUID();
        UUID pull = UUID.randomUUID();
        dueslag.setAmqp(queue, true, "test");
        String x = "Sag:x-" + UUID.randomUUID();
        String y = "Sag:y-" + UUID.randomUUID();
        Instant now = Instant.now();
        var lease = new dk.opensts.messaging.store.DeliveryStore.DirectLease(UUID.randomUUID(), now.plusSeconds(60));
        // each delivery of a message of its own, stored as the distributor stores them
        java.util.function.BiFunction<UUID, String, dk.opensts.messaging.store.DeliveryStore.NewDelivery> row =
                (receiver, key) -> {
                    UUID id = UUID.randomUUID();
                    tx.execute(s -> deliveryStore.insertAll(List.of(new dk.opensts.messaging.store.DeliveryStore.StoredMessage(
                            id, TYPE, CVR, sender.id(), "REST", "{}".getBytes(StandardCharsets.UTF_8), new byte[32], now,
                            null, 1))));
                    return new dk.opensts.messaging.store.DeliveryStore.NewDelivery(receiver, CVR, id, key, null);
                };
        // x and y for the AMQP receiver go straight on; x for a receiver that pulls waits
        var first = List.of(row.apply(queue, x), row.apply(queue, y), row.apply(pull, x));
        List<dk.opensts.messaging.store.DeliveryStore.Leased> direct =
                tx.execute(s -> deliveryStore.addDeliveries(first, lease, now));
        assertThat(direct).extracting(dk.opensts.messaging.store.DeliveryStore.Leased::messageId)
                .containsExactly(first.get(0).messageId(), first.get(1).messageId());
        assertThat(direct).allSatisfy(l -> {
            assertThat(l.leaseId()).isEqualTo(lease.leaseId());
            assertThat(l.attempts()).isEqualTo(1);
        });
        // a second message about x waits in line while the first is leased, even when marked
        var second = List.of(row.apply(queue, x));
        List<dk.opensts.messaging.store.DeliveryStore.Leased> waiting =
                tx.execute(s -> deliveryStore.addDeliveries(second, lease, now));
        assertThat(waiting).isEmpty();
        // once the first is acknowledged, the next about x is the relay's to lease
        tx.execute(s -> deliveryStore.ack(null, Map.of(direct.get(0).id(), lease.leaseId()), now));
        List<dk.opensts.messaging.store.DeliveryStore.Leased> leased = tx.execute(s -> deliveryStore.lease(null, null,
                dk.opensts.messaging.store.DeliveryStore.Reader.AMQP, 500, java.time.Duration.ofMinutes(1),
                now.plusSeconds(1)));
        assertThat(leased).extracting(dk.opensts.messaging.store.DeliveryStore.Leased::messageId)
                .contains(second.get(0).messageId()).doesNotContain(first.get(1).messageId());
    }

    @Test
    void aRelayedDeliveryWhoseLeaseRanOutWaitsAgainAndOnItsLastAttemptGoesToTheErrorQueue() {
        UUID queue = UUID.randomUUID();
        dueslag.setAmqp(queue, true, "test");
        jdbc.sql("UPDATE messaging.dueslag SET max_attempts = 2 WHERE receiver = ?").param(queue).update();
        Instant now = Instant.now();
        UUID id = UUID.randomUUID();
        tx.execute(s -> deliveryStore.insertAll(List.of(new dk.opensts.messaging.store.DeliveryStore.StoredMessage(
                id, TYPE, CVR, sender.id(), "REST", "{}".getBytes(StandardCharsets.UTF_8), new byte[32], now, null, 1))));
        var lease = new dk.opensts.messaging.store.DeliveryStore.DirectLease(UUID.randomUUID(), now.plusSeconds(60));
        var row = new dk.opensts.messaging.store.DeliveryStore.NewDelivery(queue, CVR, id, "Sag:" + id, null);
        long seq = tx.execute(s -> deliveryStore.addDeliveries(List.of(row), lease, now)).get(0).id();
        java.util.function.Function<Instant, List<Long>> relayLeases = at -> tx.execute(s -> deliveryStore.lease(
                null, null, dk.opensts.messaging.store.DeliveryStore.Reader.AMQP, 500, java.time.Duration.ofMinutes(1), at))
                .stream().map(dk.opensts.messaging.store.DeliveryStore.Leased::id).toList();
        // the sweep as the dueslag runs it, at a given time (rows of other tests may move too)
        java.util.function.Consumer<Instant> sweep = at -> tx.executeWithoutResult(s -> {
            deliveryStore.leaseSettings();
            deliveryStore.failExhausted(at, 1000);
            deliveryStore.returnExpired(at, 1000);
        });
        // held by the relay until its lease runs out: the sweep leaves it, and no lease takes it
        sweep.accept(now.plusSeconds(59));
        assertThat(state(seq)).isEqualTo("LEASED");
        assertThat(relayLeases.apply(now.plusSeconds(59))).doesNotContain(seq);
        // ran out: the sweep gives it back to wait, and the relay leases it again (second attempt)
        sweep.accept(now.plusSeconds(61));
        assertThat(state(seq)).isEqualTo("READY");
        assertThat(relayLeases.apply(now.plusSeconds(61))).contains(seq);
        // the second lease (a minute) runs out on the last attempt the receiver allows: error queue
        sweep.accept(now.plusSeconds(120));
        assertThat(state(seq)).isEqualTo("LEASED");
        sweep.accept(now.plusSeconds(122));
        assertThat(state(seq)).isEqualTo("FAILED");
        assertThat(relayLeases.apply(now.plusSeconds(200))).doesNotContain(seq);
    }

    private String state(long seq) {
        return jdbc.sql("SELECT state FROM messaging.delivery WHERE seq = ?").param(seq).query(String.class).single();
    }

    private static boolean containsNotice(JsonNode items, UUID about) {
        for (JsonNode i : items) {
            JsonNode env = i.path("envelope");
            if (env.path("messageType").asString().equals("LeveranceFejlet")
                    && env.path("payload").path("data").path("messageId").asString().equals(about.toString())) {
                return true;
            }
        }
        return false;
    }

    @Test
    void replayDeliversAgainInTheFirstOrder() {
        String token = receiver("IKKE_FORTROLIGE_DATA", null);
        subscribe(token, "");
        Instant start = Instant.now().minusSeconds(1);
        UUID a = published("r-" + UUID.randomUUID(), null, null, null);
        UUID b = published("r-" + UUID.randomUUID(), null, null, null);
        // what waits in the dueslag: counted on the waiting rows alone, with when the oldest was made
        JsonNode waiting = get(M + "/dueslag", token).body();
        assertThat(waiting.path("counts").path("READY").asInt()).isEqualTo(2);
        assertThat(waiting.path("counts").path("LEASED").asInt()).isZero();
        assertThat(waiting.path("counts").path("FAILED").asInt()).isZero();
        assertThat(Instant.parse(waiting.path("oldestWaiting").asString())).isBetween(start, Instant.now());
        JsonNode leased = lease(token, 10, 60);
        assertThat(get(M + "/dueslag", token).body().path("counts").path("LEASED").asInt()).isEqualTo(2);
        ack(token, leased);
        JsonNode empty = get(M + "/dueslag", token).body();
        assertThat(empty.path("counts").path("READY").asInt() + empty.path("counts").path("LEASED").asInt()).isZero();
        assertThat(empty.path("oldestWaiting").isNull()).isTrue();
        String key = "replay-" + UUID.randomUUID();
        Res replay = call("POST", M + "/dueslag/replay", token, "{\"from\":\"" + start + "\"}", "Idempotency-Key", key);
        // recorded: it runs on the server, and its Location tells how far it has come
        assertThat(replay.status()).as(replay.text()).isEqualTo(202);
        String location = replay.header("Location");
        assertThat(location).isEqualTo(M + "/dueslag/replays/" + replay.body().path("id").asString());
        assertThat(Instant.parse(replay.body().path("from").asString())).isEqualTo(start.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
        JsonNode done = waitFor(() -> get(location, token).body(), r -> r.path("status").asString().equals("DONE"));
        assertThat(done.path("replayed").asInt()).isEqualTo(2);
        assertThat(done.path("released").asInt()).isEqualTo(2);
        assertThat(done.path("finishedAt").isNull()).isFalse();
        assertThat(get(M + "/dueslag", token).body().path("replay").isNull()).isTrue();
        assertThat(messageIds(lease(token, 10, 60))).containsExactly(a.toString(), b.toString());
        // a retry with the key answers the same replay and replays nothing again
        Res retry = call("POST", M + "/dueslag/replay", token, "{\"from\":\"" + start + "\"}", "Idempotency-Key", key);
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.header("Location")).isEqualTo(location);
        assertThat(retry.body().path("status").asString()).isEqualTo("DONE");
        assertThat(get(M + "/dueslag/replays", token).body().path("items")).hasSize(1);
        Res tooOld = call("POST", M + "/dueslag/replay", token, "{\"from\":\"2020-01-01T00:00:00Z\"}");
        assertThat(tooOld.status()).isEqualTo(422);
        // another system's replay is not found
        String other = receiver("IKKE_FORTROLIGE_DATA", null);
        assertThat(get(location, other).status()).isEqualTo(404);
        assertThat(get(M + "/dueslag/replays", other).body().path("items")).isEmpty();
        assertThat(get(M + "/dueslag/replays?limit=0", other).status()).isEqualTo(400);
    }

    @Autowired
    DistributorMeters distributorMeters;

    @Test
    void theDistributorCountsWhatItDidAndShowsWhatWaits() {
        TestSystem system = systemWith(CVR, Services.MESSAGING, List.of(new Grant(Services.SUBSCRIBE,
                Map.of(Constraints.SENSITIVITY, "IKKE_FORTROLIGE_DATA"))));
        String token = tokenOf(system, CVR, Services.MESSAGING);
        subscribe(token, "");
        Tally tally = tally();

        UUID first = UUID.randomUUID();
        String body = envelope(first, "m-" + UUID.randomUUID(), null, null, null, "{}");
        assertThat(publish(body).status()).isEqualTo(201);
        assertThat(publish(body).status()).isEqualTo(200);
        published("m-" + UUID.randomUUID(), null, null, null);
        assertThat(publish(body.replace(TYPE, "UkendtType").replace(first.toString(), UUID.randomUUID().toString()))
                .status()).isEqualTo(422);
        assertThat(tally.moved(DistributorMeters.PUBLISHED, "channel", "REST", "outcome", "stored")).isEqualTo(2);
        assertThat(tally.moved(DistributorMeters.PUBLISHED, "channel", "REST", "outcome", "duplicate")).isEqualTo(1);
        assertThat(tally.moved(DistributorMeters.REFUSED, "channel", "REST", "code", "VALIDATION_FAILED")).isEqualTo(1);
        // one delivery to this receiver per stored message, and to every other subscriber of the type
        assertThat(tally.moved(DistributorMeters.MADE)).isGreaterThanOrEqualTo(2);

        JsonNode leased = lease(token, 10, 60);
        assertThat(leased).hasSize(2);
        ack(token, json.createArrayNode().add(leased.get(0)));
        Res moved = call("POST", M + "/dueslag/error-queue", token, "{\"ids\":[" + leased.get(1).path("id").asLong() + "]}");
        assertThat(moved.body().path("moved").asInt()).isEqualTo(1);
        assertThat(tally.moved(DistributorMeters.DELIVERED, "via", "pull")).isEqualTo(1);
        // (other tests' pushes may fail meanwhile)
        assertThat(tally.moved(DistributorMeters.FAILED)).isGreaterThanOrEqualTo(1);

        // what waits, as the sampler reads it
        distributorMeters.sampled(dueslag.backlog());
        String receiver = system.id().toString();
        assertThat(registry.get(DistributorMeters.RECEIVER_BACKLOG).tags("receiver", receiver, "state", "failed")
                .gauge().value()).isEqualTo(1);
        assertThat(registry.get(DistributorMeters.RECEIVER_BACKLOG).tags("receiver", receiver, "state", "ready")
                .gauge().value()).isZero();
        assertThat(registry.get(DistributorMeters.RECEIVER_OLDEST).tags("receiver", receiver).gauge().value()).isZero();
        assertThat(call("POST", M + "/dueslag/error-queue/requeue", token, "{\"all\":true}").body().path("requeued")
                .asInt()).isEqualTo(1);
        assertThat(tally.moved(DistributorMeters.REQUEUED)).isEqualTo(1);
        distributorMeters.sampled(dueslag.backlog());
        assertThat(registry.get(DistributorMeters.RECEIVER_BACKLOG).tags("receiver", receiver, "state", "ready")
                .gauge().value()).isEqualTo(1);
        assertThat(registry.get(DistributorMeters.RECEIVER_OLDEST).tags("receiver", receiver).gauge().value())
                .isPositive();

        // as Prometheus reads them
        String scraped = get("/actuator/prometheus", null).text();
        assertThat(scraped).containsPattern("opensts_messaging_published_total\\{[^}]*channel=\"REST\"[^}]*outcome=\"stored\"")
                .containsPattern("opensts_messaging_receiver_backlog\\{[^}]*receiver=\"" + receiver
                        + "\"[^}]*state=\"ready\"[^}]*} 1\\.0")
                .contains("opensts_messaging_backlog_oldest_age_seconds", "opensts_messaging_deliveries_delivered_total",
                        "opensts_messaging_replays_running");
    }

    @Test
    void aValueListOfCprNumbersFiltersTheSubscription() {
        String token = receiver("FORTROLIGE_PERSONOPLYSNINGER", null);
        Res list = call("POST", M + "/value-lists", token, "{\"name\":\"borgere\",\"kind\":\"CPR\",\"values\":[\"0101011234\"]}");
        assertThat(list.status()).as(list.text()).isEqualTo(201);
        String listId = list.body().path("id").asString();
        assertThat(call("POST", M + "/value-lists", token, "{\"name\":\"x\",\"kind\":\"CPR\",\"values\":[\"12\"]}")
                .status()).isEqualTo(422);
        subscribe(token, ",\"cprList\":\"" + listId + "\"");
        UUID followed = published("v-" + UUID.randomUUID(), null, null, "0101011234");
        published("v-" + UUID.randomUUID(), null, null, "0202021234");
        assertThat(messageIds(lease(token, 10, 60))).containsExactly(followed.toString());
        // handing out a message about a person is personal data use: audited with the receiver
        assertThat(count("SELECT count(*) FROM platform.audit_log WHERE resource = 'messaging.message'"
                + " AND action = 'READ' AND '" + followed + "' = ANY(object_ids)")).isEqualTo(1);
        // add the second citizen (versioned), and the next message about them arrives
        Res stale = call("PATCH", M + "/value-lists/" + listId, token, "{\"add\":[\"0202021234\"]}", "If-Match", "\"7\"");
        assertThat(stale.status()).isEqualTo(409);
        Res changed = call("PATCH", M + "/value-lists/" + listId, token, "{\"add\":[\"0202021234\"]}", "If-Match", "\"1\"");
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);
        assertThat(changed.body().path("size").asInt()).isEqualTo(2);
        UUID second = published("v-" + UUID.randomUUID(), null, null, "0202021234");
        assertThat(messageIds(lease(token, 10, 60))).contains(second.toString());
        assertThat(get(M + "/value-lists/" + listId + "/values", token).body().path("values").size()).isEqualTo(2);
        // in use: not deleted
        assertThat(call("DELETE", M + "/value-lists/" + listId, token, null, "If-Match", "\"2\"").status()).isEqualTo(422);
    }

    @Test
    void subscriptionsAreVersioned() {
        String token = receiver("IKKE_FORTROLIGE_DATA", null);
        String id = subscribe(token, "");
        Res noIfMatch = call("PUT", M + "/subscriptions/" + id, token, "{\"name\":\"y\",\"messageTypes\":[\"" + TYPE + "\"]}");
        assertThat(noIfMatch.status()).isEqualTo(428);
        Res replaced = call("PUT", M + "/subscriptions/" + id, token, "{\"name\":\"y\",\"messageTypes\":[\"" + TYPE
                + "\"],\"kle\":[\"27.*\"]}", "If-Match", "\"1\"");
        assertThat(replaced.status()).as(replaced.text()).isEqualTo(200);
        assertThat(replaced.header("ETag")).isEqualTo("\"2\"");
        assertThat(call("PUT", M + "/subscriptions/" + id, token, "{\"name\":\"z\",\"messageTypes\":[\"" + TYPE + "\"]}",
                "If-Match", "\"1\"").status()).isEqualTo(409);
        // another system does not see it
        assertThat(get(M + "/subscriptions/" + id, receiver("IKKE_FORTROLIGE_DATA", null)).status()).isEqualTo(404);
        Res ended = call("DELETE", M + "/subscriptions/" + id, token, null, "If-Match", "\"2\"");
        assertThat(ended.status()).isEqualTo(200);
        assertThat(ended.body().path("endedAt").isMissingNode()).isFalse();
        published("e-" + UUID.randomUUID(), "27.01.01", null, null);
        assertThat(lease(token, 10, 60).size()).isZero();
    }

    @Test
    void theXmlFormIsReadAndWritten() {
        String token = receiver("FORTROLIGE_PERSONOPLYSNINGER", null);
        subscribe(token, "");
        UUID id = UUID.randomUUID();
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Haendelsesbesked xmlns=\"urn:oio:besked:kuvert:1.0\">"
                + "<BeskedId><UUIDIdentifikator>" + id + "</UUIDIdentifikator></BeskedId><BeskedVersion>1.0</BeskedVersion>"
                + "<Beskedkuvert><Filtreringsdata><Beskedtype>" + TYPE + "</Beskedtype>"
                + "<BeskedAnsvarligAktoer><CVRnummerIdentifikator>" + CVR + "</CVRnummerIdentifikator></BeskedAnsvarligAktoer>"
                + "<RelateretObjekt><ObjektType>CPR</ObjektType><ObjektId>0101011234</ObjektId></RelateretObjekt>"
                + "<ObjektRegistrering><ObjektId>sag-x</ObjektId><ObjektType>Sag</ObjektType><ObjektHandling>Oprettet"
                + "</ObjektHandling><ObjektKLEEmne>27.24.00</ObjektKLEEmne><ObjektFoelsomhedsniveau>FORTROLIGE_PERSONOPLYSNINGER"
                + "</ObjektFoelsomhedsniveau></ObjektRegistrering></Filtreringsdata>"
                + "<Leveranceinformation><Dannelsestidspunkt>2026-11-23T08:00:00Z</Dannelsestidspunkt>"
                + "<Transaktionsidentifikator>t-9</Transaktionsidentifikator></Leveranceinformation></Beskedkuvert>"
                + "<Beskeddata><Indhold type=\"application/xml\"><sag xmlns=\"urn:example\"><titel>Ny sag</titel></sag>"
                + "</Indhold></Beskeddata></Haendelsesbesked>";
        Res r = call("POST", M + "/messages", publish, xml, "Content-Type", "application/xml");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        // the same message in XML again is the same message
        assertThat(call("POST", M + "/messages", publish, xml, "Content-Type", "application/xml").status()).isEqualTo(200);
        Res unknown = call("POST", M + "/messages", publish, xml.replace("<BeskedVersion>", "<Farve>rød</Farve><BeskedVersion>"),
                "Content-Type", "application/xml");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.body().path("errors").get(0).path("field").asString()).isEqualTo("/Farve");
        // an element that holds one value, named twice: refused, not read last-wins
        for (String[] twice : new String[][] {
                {"<ObjektFoelsomhedsniveau>", "<ObjektFoelsomhedsniveau>IKKE_FORTROLIGE_DATA</ObjektFoelsomhedsniveau>"
                        + "<ObjektFoelsomhedsniveau>", "/Beskedkuvert/Filtreringsdata/ObjektRegistrering/ObjektFoelsomhedsniveau"},
                {"<BeskedVersion>", "<BeskedVersion>2.0</BeskedVersion><BeskedVersion>", "/BeskedVersion"},
                {"<BeskedAnsvarligAktoer>", "<BeskedAnsvarligAktoer><CVRnummerIdentifikator>22222222</CVRnummerIdentifikator>"
                        + "</BeskedAnsvarligAktoer><BeskedAnsvarligAktoer>", "/Beskedkuvert/Filtreringsdata/BeskedAnsvarligAktoer"}}) {
            Res r2 = call("POST", M + "/messages", publish, xml.replace(twice[0], twice[1])
                    .replace(id.toString(), UUID.randomUUID().toString()), "Content-Type", "application/xml");
            assertThat(r2.status()).as(twice[2] + ": " + r2.text()).isEqualTo(422);
            assertThat(r2.body().path("errors").get(0).path("field").asString()).isEqualTo(twice[2]);
            assertThat(r2.body().path("errors").get(0).path("reason").asString()).isEqualTo("may appear only once");
        }
        // elements that may repeat still do
        UUID two = UUID.randomUUID();
        Res related = call("POST", M + "/messages", publish, xml.replace(id.toString(), two.toString()).replace(
                "<RelateretObjekt>", "<RelateretObjekt><ObjektType>CVR</ObjektType><ObjektId>" + CVR
                        + "</ObjektId></RelateretObjekt><RelateretObjekt>"), "Content-Type", "application/xml");
        assertThat(related.status()).as(related.text()).isEqualTo(201);
        Res leased = call("POST", M + "/dueslag/lease?max=5", token, null, "Accept", "application/xml");
        assertThat(leased.status()).isEqualTo(200);
        assertThat(leased.text()).contains("<BeskedId><UUIDIdentifikator>" + id)
                .contains("<ObjektKLEEmne>27.24.00</ObjektKLEEmne>").contains("<titel>Ny sag</titel>")
                .contains("<Kildesystem>" + sender.id()).contains("<Forsoeg>1</Forsoeg>");
    }

    @Test
    void pushSignsRetriesWithBackOffAndGivesUp() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        String[] secret = new String[1];
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String sig = ex.getRequestHeaders().getFirst(PushDelivery.SIGNATURE);
            long t = Long.parseLong(sig.substring(2, sig.indexOf(',')));
            boolean valid = sig.equals(PushDelivery.signature(secret[0], t, body));
            // the first attempt fails: the retry delivers
            int status = !valid ? 401 : calls.incrementAndGet() == 1 ? 503 : 200;
            if (status == 200) {
                received.add(new String(body, StandardCharsets.UTF_8));
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.createContext("/down", ex -> {
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        server.start();
        try {
            String token = receiver("IKKE_FORTROLIGE_DATA", null);
            subscribe(token, "");
            Res push = call("PUT", M + "/dueslag/push", token, "{\"url\":\"http://127.0.0.1:" + server.getAddress().getPort()
                    + "/ok\",\"auth\":\"HMAC\",\"maxAttempts\":3}");
            assertThat(push.status()).as(push.text()).isEqualTo(200);
            secret[0] = push.body().path("secret").asString();
            assertThat(secret[0]).hasSizeGreaterThan(30);
            assertThat(get(M + "/dueslag", token).body().path("push").path("secret").isMissingNode()
                    || get(M + "/dueslag", token).body().path("push").path("secret").isNull()).isTrue();
            Tally tally = tally();
            UUID id = published("p-" + UUID.randomUUID(), null, null, null);
            waitFor(() -> received, l -> l.size() == 1);
            assertThat(json.readTree(received.get(0)).path("messageId").asString()).isEqualTo(id.toString());
            assertThat(calls.get()).isEqualTo(2);
            // (other tests' receivers subscribe too: find the pushed delivery by its attempts)
            waitFor(() -> get(M + "/messages/" + id, publish).body().path("deliveries"), ds -> {
                for (JsonNode d : ds) {
                    if (d.path("state").asString().equals("DELIVERED") && d.path("attempts").asInt() == 2) {
                        return true;
                    }
                }
                return false;
            });
            // the failed first attempt and the delivery, counted once their transactions committed
            waitFor(() -> tally.moved(DistributorMeters.DELIVERED, "via", "push"), n -> n >= 1);
            assertThat(tally.moved(DistributorMeters.PUSH_RETRIES)).isGreaterThanOrEqualTo(1);

            // an endpoint that always fails: the error queue after the last attempt, and the sender is told
            String down = receiver("IKKE_FORTROLIGE_DATA", null);
            subscribe(down, "");
            assertThat(call("PUT", M + "/dueslag/push", down, "{\"url\":\"http://127.0.0.1:"
                    + server.getAddress().getPort() + "/down\",\"auth\":\"HMAC\",\"maxAttempts\":2}").status()).isEqualTo(200);
            UUID lost = published("p-" + UUID.randomUUID(), null, null, null);
            JsonNode failed = waitFor(() -> get(M + "/dueslag/error-queue", down).body().path("items"), n -> n.size() == 1);
            assertThat(failed.get(0).path("lastError").asString()).contains("500");
            waitFor(() -> lease(senderInbox, 50, 60), n -> containsNotice(n, lost));
            // bad settings are refused
            assertThat(call("PUT", M + "/dueslag/push", down, "{\"url\":\"ftp://x\",\"auth\":\"HMAC\"}").status()).isEqualTo(422);
            assertThat(call("PUT", M + "/dueslag/push", down, "{\"url\":\"http://x\",\"auth\":\"MTLS\"}").status()).isEqualTo(422);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void pushOverMutualTlsPresentsOpenStsCertificate() throws Exception {
        dk.opensts.access.pki.DevelopmentCa ca = new dk.opensts.access.pki.DevelopmentCa(PUSH_PKI);
        var server = ca.issueServer("127.0.0.1");
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        kmf.init(server.keyStore(), dk.opensts.access.pki.DevelopmentCa.PASSWORD);
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(
                new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(ctx) {
            @Override
            public void configure(com.sun.net.httpserver.HttpsParameters params) {
                javax.net.ssl.SSLParameters p = ctx.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        List<String> clients = new CopyOnWriteArrayList<>();
        https.createContext("/mtls", ex -> {
            var session = ((com.sun.net.httpserver.HttpsExchange) ex).getSSLSession();
            clients.add(((java.security.cert.X509Certificate) session.getPeerCertificates()[0])
                    .getSubjectX500Principal().getName());
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        https.start();
        try {
            String token = receiver("IKKE_FORTROLIGE_DATA", null);
            subscribe(token, "");
            Res push = call("PUT", M + "/dueslag/push", token, "{\"url\":\"https://127.0.0.1:"
                    + https.getAddress().getPort() + "/mtls\",\"auth\":\"MTLS\"}");
            assertThat(push.status()).as(push.text()).isEqualTo(200);
            assertThat(push.body().path("secret").isNull() || push.body().path("secret").isMissingNode()).isTrue();
            UUID id = published("m-" + UUID.randomUUID(), null, null, null);
            waitFor(() -> get(M + "/messages/" + id, publish).body().path("deliveries"), ds -> {
                for (JsonNode d : ds) {
                    if (d.path("state").asString().equals("DELIVERED") && d.path("attempts").asInt() == 1
                            && !clients.isEmpty()) {
                        return true;
                    }
                }
                return false;
            });
            assertThat(clients.get(0)).contains("CN=OpenSTS push");
        } finally {
            https.stop(0);
        }
    }

    @Test
    void registryChangesArePublishedAsMessages() {
        String token = tokenOf(systemWith(CVR, Services.MESSAGING, List.of(new Grant(Services.SUBSCRIBE,
                Map.of(Constraints.SENSITIVITY, "IKKE_FORTROLIGE_DATA")))), CVR, Services.MESSAGING);
        Res sub = call("POST", M + "/subscriptions", token,
                "{\"name\":\"org\",\"messageTypes\":[\"OrganisationAendret\"],\"objectTypes\":[\"unit\"]}");
        assertThat(sub.status()).as(sub.text()).isEqualTo(201);
        String org = token(Services.ORGANISATION, Services.READ, Services.WRITE);
        Res o = call("POST", "/api/organisation/v1/organisations", org, "{\"cvr\":\"" + CVR
                + "\",\"name\":\"Kommune\",\"validity\":{\"from\":\"2000-01-01\"}}");
        String orgId = o.status() == 201 ? o.body().path("id").asString()
                : get("/api/organisation/v1/organisations?cvr=" + CVR, org).body().path("items").get(0).path("id").asString();
        Res unit = call("POST", "/api/organisation/v1/units", org, "{\"organisation\":\"" + orgId
                + "\",\"userKey\":\"msg-" + SEQ.incrementAndGet() + "\",\"name\":\"Enhed\",\"validity\":{\"from\":\"2000-01-01\"}}");
        assertThat(unit.status()).as(unit.text()).isEqualTo(201);
        String unitId = unit.body().path("id").asString();
        JsonNode items = waitFor(() -> lease(token, 10, 60), n -> n.size() >= 1);
        JsonNode env = items.get(0).path("envelope");
        assertThat(env.path("messageType").asString()).isEqualTo("OrganisationAendret");
        assertThat(env.path("filter").path("object").path("id").asString()).isEqualTo(unitId);
        assertThat(env.path("payload").path("data").path("version").asInt()).isEqualTo(1);
    }

    static <T> T waitFor(java.util.function.Supplier<T> get, java.util.function.Predicate<T> done) {
        long until = System.currentTimeMillis() + 15_000;
        T value = get.get();
        while (!done.test(value)) {
            if (System.currentTimeMillis() > until) {
                throw new AssertionError("not reached in time: " + value);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            value = get.get();
        }
        return value;
    }
}
