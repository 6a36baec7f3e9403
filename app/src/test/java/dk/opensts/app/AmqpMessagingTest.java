package dk.opensts.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dk.opensts.access.api.ServiceAgreements.Grant;
import dk.opensts.classification.api.Classifications;
import dk.opensts.messaging.domain.DistributorMeters;
import dk.opensts.platform.security.Constraints;
import dk.opensts.platform.security.Services;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The distributor over AMQP against a real RabbitMQ (127.0.0.1:5672, guest): publishing with the
 * token in a header, publisher confirms and an answer; dueslag queues consumed with manual ack in
 * order per object; a rejected message goes to the error queue and its sender is told. Skipped
 * where no broker runs.
 */
class AmqpMessagingTest extends ApiTest {

    static final String URI = "amqp://guest:guest@127.0.0.1:5672";
    static final String PREFIX = "opensts-test-" + UUID.randomUUID().toString().substring(0, 8);
    static final boolean BROKER = brokerRuns();
    static final String M = "/api/messaging/v1";
    static final String TYPE = "SagAendret";
    static final String BROKER_USER = "guest";

    static boolean brokerRuns() {
        try (Socket s = new Socket("127.0.0.1", 5672)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @DynamicPropertySource
    static void broker(DynamicPropertyRegistry r) {
        if (BROKER) {
            r.add("opensts.messaging.amqp.uri", () -> URI);
            r.add("opensts.messaging.amqp.prefix", () -> PREFIX);
            // as in production: a message's user_id must be the common name of its token's certificate
            r.add("opensts.messaging.amqp.certificate-user", () -> "common-name");
        }
    }

    @Autowired
    Classifications classifications;

    /** Absent where no broker runs (the tests are skipped there). */
    @Autowired(required = false)
    dk.opensts.messaging.amqp.AmqpTransport transport;

    static Connection client;
    /** This class's server's transport, stopped before the clean-up: running, it declares its queues again. */
    static dk.opensts.messaging.amqp.AmqpTransport server;
    static TestSystem sender;
    static String publishToken;

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeTrue(BROKER, "no RabbitMQ at 127.0.0.1:5672: the AMQP path is not tested here");
        server = transport;
        if (client != null) {
            if (!client.isOpen()) {
                // the broker was restarted under it (noConfirmedMessageIsLostWhenTheBrokerRestarts)
                client.abort();
                client = connect();
            }
            return;
        }
        classifications.ensureNationalClasses("BESKEDTYPE", "Beskedtyper", Map.of(TYPE, "En sag er ændret"), "test");
        client = connect();
        // named as the tests' broker user: its certificate's common name is the user_id they publish with
        sender = systemNamed(BROKER_USER, CVR, Services.MESSAGING, List.of(new Grant(Services.PUBLISH, Map.of()),
                new Grant(Services.SUBSCRIBE, Map.of(Constraints.SENSITIVITY, "IKKE_FORTROLIGE_DATA"))));
        publishToken = tokenOf(sender, CVR, Services.MESSAGING);
    }

    /** The tests' own connection: not recovered by the client, but replaced before a test when it closed. */
    static Connection connect() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(URI);
        f.setAutomaticRecoveryEnabled(false);
        return f.newConnection("test");
    }

    /**
     * Removes this run's exchanges and queues, once the server's transport has stopped (the context
     * outlives this class, and a running transport declares its queues again when they are deleted
     * under it). Best effort on a connection of its own: the broker may have been restarted under
     * the run (its connections are then closed), and leftovers carry this run's random prefix, so
     * they never meet another run.
     */
    @AfterAll
    static void cleanUp() {
        if (client == null) {
            return;
        }
        if (server != null) {
            server.stop();
            server = null;
        }
        try {
            client.abort();
        } finally {
            client = null;
        }
        ConnectionFactory f = new ConnectionFactory();
        try {
            f.setUri(URI);
            try (Connection c = f.newConnection("test-clean-up"); Channel ch = c.createChannel()) {
                ch.exchangeDelete(PREFIX + ".publish");
                ch.queueDelete(PREFIX + ".publish");
                ch.exchangeDelete(PREFIX + ".dead-letter");
                ch.queueDelete(PREFIX + ".dead-letter");
                for (String q : QUEUES) {
                    ch.queueDelete(q);
                }
            }
        } catch (Exception e) {
            System.err.println("AMQP test clean-up left " + PREFIX + ".* behind: " + e);
        }
    }

    static final List<String> QUEUES = new ArrayList<>();

    static String envelope(UUID id, String objectId) {
        return "{\"messageId\":\"" + id + "\",\"messageType\":\"" + TYPE + "\",\"filter\":{\"authority\":\"" + CVR + "\","
                + "\"object\":{\"id\":\"" + objectId + "\",\"type\":\"Sag\",\"action\":\"Opdateret\"}},"
                + "\"payload\":{\"contentType\":\"application/json\",\"data\":{\"n\":1}}}";
    }

    /** Publishes over AMQP with confirms, as the tests' broker user, and waits for OpenSTS's answer. */
    JsonNode publish(Channel ch, String replyQueue, String token, UUID id, String body) throws Exception {
        return publishAs(BROKER_USER, ch, replyQueue, token, id, body);
    }

    /** As {@link #publish}, with {@code user_id} {@code userId} (none when null). */
    JsonNode publishAs(String userId, Channel ch, String replyQueue, String token, UUID id, String body) throws Exception {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                .messageId(id.toString()).correlationId(id.toString()).replyTo(replyQueue).deliveryMode(2).userId(userId)
                .headers(token == null ? Map.of() : Map.of("authorization", "Bearer " + token)).build();
        ch.basicPublish(PREFIX + ".publish", "sag", true, props, body.getBytes(StandardCharsets.UTF_8));
        ch.waitForConfirmsOrDie(10_000);
        long until = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < until) {
            GetResponse r = ch.basicGet(replyQueue, true);
            if (r != null) {
                assertThat(r.getProps().getCorrelationId()).isEqualTo(id.toString());
                return json.readTree(new String(r.getBody(), StandardCharsets.UTF_8));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no answer for " + id);
    }

    @Test
    void publishingOverAmqpIsConfirmedAndAnswered() throws Exception {
        try (Channel ch = client.createChannel()) {
            ch.confirmSelect();
            String reply = ch.queueDeclare().getQueue();
            UUID id = UUID.randomUUID();
            JsonNode first = publish(ch, reply, publishToken, id, envelope(id, "a-" + id));
            assertThat(first.path("status").asString()).isEqualTo("STORED");
            assertThat(count("SELECT count(*) FROM messaging.message WHERE id = '" + id + "' AND channel = 'AMQP'"))
                    .isEqualTo(1);
            assertThat(publish(ch, reply, publishToken, id, envelope(id, "a-" + id)).path("status").asString())
                    .isEqualTo("DUPLICATE");
            // refused: no token, a token for another service, a bad envelope; nothing stored
            UUID bad = UUID.randomUUID();
            JsonNode noToken = publish(ch, reply, null, bad, envelope(bad, "b"));
            assertThat(noToken.path("status").asString()).isEqualTo("REFUSED");
            assertThat(noToken.path("code").asString()).isEqualTo("UNAUTHENTICATED");
            String other = token(Services.ORGANISATION, Services.READ);
            assertThat(publish(ch, reply, other, bad, envelope(bad, "b")).path("code").asString())
                    .isEqualTo("UNAUTHENTICATED");
            assertThat(publish(ch, reply, publishToken + "x", bad, envelope(bad, "b")).path("code").asString())
                    .isEqualTo("UNAUTHENTICATED");
            JsonNode invalid = publish(ch, reply, publishToken, bad, envelope(bad, "b").replace(TYPE, "Ukendt"));
            assertThat(invalid.path("code").asString()).isEqualTo("VALIDATION_FAILED");
            assertThat(publish(ch, reply, publishToken, bad, "{not json").path("code").asString())
                    .isEqualTo("MALFORMED_BODY");
            assertThat(count("SELECT count(*) FROM messaging.message WHERE id = '" + bad + "'")).isZero();
            // the refusals of tokens are in the security log
            long logged = count("SELECT count(*) FROM platform.security_log WHERE CAST(details AS jsonb)->>'channel' = 'AMQP'");
            assertThat(logged).isGreaterThanOrEqualTo(2);
            // a burst of refused tokens, mixed with good messages: every publisher answered, every
            // refusal logged (the ingress logs a batch's refusals together), every good message stored
            List<UUID> sent = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                UUID m = UUID.randomUUID();
                sent.add(m);
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                        .messageId(m.toString()).correlationId(m.toString()).replyTo(reply).deliveryMode(2)
                        .userId(BROKER_USER)
                        .headers(Map.of("authorization", "Bearer " + (i % 4 == 0 ? publishToken : publishToken + "x")))
                        .build();
                ch.basicPublish(PREFIX + ".publish", "sag", true, props, envelope(m, "burst-" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(10_000);
            Map<String, String> answers = new java.util.HashMap<>();
            long until = System.currentTimeMillis() + 15_000;
            while (answers.size() < sent.size() && System.currentTimeMillis() < until) {
                GetResponse r = ch.basicGet(reply, true);
                if (r == null) {
                    Thread.sleep(20);
                } else {
                    answers.put(r.getProps().getCorrelationId(),
                            json.readTree(new String(r.getBody(), StandardCharsets.UTF_8)).path("status").asString());
                }
            }
            for (int i = 0; i < sent.size(); i++) {
                assertThat(answers.get(sent.get(i).toString())).as("answer %d", i).isEqualTo(i % 4 == 0 ? "STORED" : "REFUSED");
            }
            assertThat(count("SELECT count(*) FROM platform.security_log WHERE CAST(details AS jsonb)->>'channel' = 'AMQP'"))
                    .isEqualTo(logged + 30);
            assertThat(count("SELECT count(*) FROM messaging.message WHERE convert_from(envelope, 'UTF8') LIKE '%burst-%'"))
                    .isEqualTo(10);
            // a text the database cannot hold (a NUL character) refuses that message only, not its arrival
            // batch; with a receiver, so that the object id is written as text (its order key)
            String receiver = tokenOf(systemWith(CVR, Services.MESSAGING, List.of(new Grant(Services.SUBSCRIBE,
                    Map.of(Constraints.SENSITIVITY, "IKKE_FORTROLIGE_DATA")))), CVR, Services.MESSAGING);
            Res subscribed = call("POST", M + "/subscriptions", receiver, "{\"name\":\"nul\",\"messageTypes\":[\""
                    + TYPE + "\"]}");
            assertThat(subscribed.status()).as(subscribed.text()).isEqualTo(201);
            sent.clear();
            for (int i = 0; i < 20; i++) {
                UUID m = UUID.randomUUID();
                sent.add(m);
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                        .messageId(m.toString()).correlationId(m.toString()).replyTo(reply).deliveryMode(2)
                        .userId(BROKER_USER).headers(Map.of("authorization", "Bearer " + publishToken)).build();
                String object = i % 5 == 0 ? "nul\\u0000-" + i : "nul-" + i;
                ch.basicPublish(PREFIX + ".publish", "sag", true, props, envelope(m, object).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(10_000);
            Map<String, JsonNode> nulAnswers = new java.util.HashMap<>();
            until = System.currentTimeMillis() + 15_000;
            while (nulAnswers.size() < sent.size() && System.currentTimeMillis() < until) {
                GetResponse r = ch.basicGet(reply, true);
                if (r == null) {
                    Thread.sleep(20);
                } else {
                    nulAnswers.put(r.getProps().getCorrelationId(), json.readTree(new String(r.getBody(), StandardCharsets.UTF_8)));
                }
            }
            for (int i = 0; i < sent.size(); i++) {
                JsonNode a = nulAnswers.get(sent.get(i).toString());
                assertThat(a).as("answer %d", i).isNotNull();
                assertThat(a.path("status").asString()).as("answer %d", i).isEqualTo(i % 5 == 0 ? "REFUSED" : "STORED");
                if (i % 5 == 0) {
                    assertThat(a.path("code").asString()).isEqualTo("VALIDATION_FAILED");
                }
            }
            assertThat(count("SELECT count(*) FROM messaging.message WHERE convert_from(envelope, 'UTF8') LIKE '%nul-%'"))
                    .isEqualTo(16);
            assertThat(call("DELETE", M + "/subscriptions/" + subscribed.body().path("id").asString(), receiver, null,
                    "If-Match", subscribed.header("ETag")).status()).isIn(200, 204);
        }
    }

    /**
     * A token is of use only on the broker connection of the certificate it is bound to: the broker
     * checks that a message's user_id is the connection's user, OpenSTS that it is the common name of
     * the token's certificate, registered, unrevoked, of an active system.
     */
    /**
     * Whatever a publisher sends is answered with a reason and leaves the ingress: a body that is not
     * an object or not UTF-8, a wrong type in it, a token header that is a number (or the text as
     * bytes, which is taken), no reply_to at all. None of it stays on the broker to be tried
     * again, and a good message after them is stored.
     */
    @Test
    void oddMessagesAreAnsweredAndNothingStaysOnTheIngress() throws Exception {
        Tally tally = tally();
        try (Channel ch = client.createChannel()) {
            ch.confirmSelect();
            String reply = ch.queueDeclare().getQueue();
            Map<String, Object> bearer = Map.of("authorization", "Bearer " + publishToken);
            UUID env = UUID.randomUUID();
            Map<String, byte[]> bodies = new java.util.LinkedHashMap<>();
            bodies.put("null", "null".getBytes(StandardCharsets.UTF_8));
            bodies.put("empty", new byte[0]);
            bodies.put("array", "[]".getBytes(StandardCharsets.UTF_8));
            bodies.put("not-utf8", new byte[] {(byte) 0xFF, (byte) 0xFE, '{', '}'});
            bodies.put("wrong-type", envelope(env, "odd").replace("\"type\":\"Sag\"", "\"type\":true")
                    .getBytes(StandardCharsets.UTF_8));
            bodies.put("member-twice", envelope(UUID.randomUUID(), "odd").replace("\"type\":\"Sag\"",
                    "\"type\":\"Sag\",\"type\":\"Dokument\"").getBytes(StandardCharsets.UTF_8));
            Map<String, String> answers = new java.util.HashMap<>();
            for (var b : bodies.entrySet()) {
                ch.basicPublish(PREFIX + ".publish", "sag", true, new AMQP.BasicProperties.Builder()
                        .contentType("application/json").correlationId(b.getKey()).replyTo(reply).deliveryMode(2)
                        .userId(BROKER_USER).headers(bearer).build(), b.getValue());
            }
            // the token header as a number, and as bytes
            ch.basicPublish(PREFIX + ".publish", "sag", true, new AMQP.BasicProperties.Builder()
                    .contentType("application/json").correlationId("number-header").replyTo(reply).deliveryMode(2)
                    .userId(BROKER_USER).headers(Map.of("authorization", 42)).build(),
                    envelope(UUID.randomUUID(), "odd").getBytes(StandardCharsets.UTF_8));
            ch.basicPublish(PREFIX + ".publish", "sag", true, new AMQP.BasicProperties.Builder()
                    .contentType("application/json").correlationId("bytes-header").replyTo(reply).deliveryMode(2)
                    .userId(BROKER_USER).headers(Map.of("authorization", ("Bearer " + publishToken)
                            .getBytes(StandardCharsets.UTF_8))).build(),
                    envelope(UUID.randomUUID(), "odd").getBytes(StandardCharsets.UTF_8));
            // XML said, JSON sent
            ch.basicPublish(PREFIX + ".publish", "sag", true, new AMQP.BasicProperties.Builder()
                    .contentType("application/xml").correlationId("xml").replyTo(reply).deliveryMode(2)
                    .userId(BROKER_USER).headers(bearer).build(),
                    envelope(UUID.randomUUID(), "odd").getBytes(StandardCharsets.UTF_8));
            // no reply_to: nobody to answer, but it must not stay
            UUID unanswered = UUID.randomUUID();
            ch.basicPublish(PREFIX + ".publish", "sag", true, new AMQP.BasicProperties.Builder()
                    .contentType("application/json").deliveryMode(2).userId(BROKER_USER).headers(bearer).build(),
                    envelope(unanswered, "odd-unanswered").getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);
            long until = System.currentTimeMillis() + 15_000;
            while (answers.size() < bodies.size() + 3 && System.currentTimeMillis() < until) {
                GetResponse r = ch.basicGet(reply, true);
                if (r == null) {
                    Thread.sleep(20);
                } else {
                    JsonNode a = json.readTree(new String(r.getBody(), StandardCharsets.UTF_8));
                    answers.put(r.getProps().getCorrelationId(), a.path("status").asString() + " " + a.path("code").asString());
                }
            }
            assertThat(answers).containsEntry("null", "REFUSED MALFORMED_BODY").containsEntry("empty", "REFUSED MALFORMED_BODY")
                    .containsEntry("array", "REFUSED MALFORMED_BODY").containsEntry("wrong-type", "REFUSED WRONG_TYPE")
                    .containsEntry("member-twice", "REFUSED MALFORMED_BODY")
                    .containsEntry("number-header", "REFUSED UNAUTHENTICATED");
            assertThat(answers).containsEntry("not-utf8", "REFUSED MALFORMED_BODY").containsEntry("xml", "REFUSED MALFORMED_BODY")
                    // a client that sends the header's text as bytes
                    .containsEntry("bytes-header", "STORED ");
            // each refusal counted by its code
            assertThat(tally.moved(DistributorMeters.REFUSED, "channel", "AMQP", "code", "MALFORMED_BODY")).isEqualTo(6);
            assertThat(tally.moved(DistributorMeters.REFUSED, "channel", "AMQP", "code", "WRONG_TYPE")).isEqualTo(1);
            assertThat(tally.moved(DistributorMeters.REFUSED, "channel", "AMQP", "code", "UNAUTHENTICATED")).isEqualTo(1);
            UUID good = UUID.randomUUID();
            assertThat(publish(ch, reply, publishToken, good, envelope(good, "after-odd")).path("status").asString())
                    .isEqualTo("STORED");
            assertThat(count("SELECT count(*) FROM messaging.message WHERE id = '" + unanswered + "'")).isEqualTo(1);
            assertThat(ch.messageCount(PREFIX + ".publish")).isZero();
        }
    }

    @Test
    void aTokenIsOfUseOnlyOnTheBrokerConnectionOfItsCertificate() throws Exception {
        List<Grant> publish = List.of(new Grant(Services.PUBLISH, Map.of()));
        TestSystem another = systemNamed("another", CVR, Services.MESSAGING, publish);
        String anothersToken = tokenOf(another, CVR, Services.MESSAGING);
        TestSystem revoked = systemNamed(BROKER_USER, CVR, Services.MESSAGING, publish);
        String revokedToken = tokenOf(revoked, CVR, Services.MESSAGING);
        systems.revokeCertificate(revoked.id(), dk.opensts.platform.security.Pem.thumbprint(revoked.certificate()
                .certificate()), "test", "test");
        TestSystem inactive = systemNamed(BROKER_USER, CVR, Services.MESSAGING, publish);
        String inactiveToken = tokenOf(inactive, CVR, Services.MESSAGING);
        systems.setActive(inactive.id(), false, "test", "test");
        long logged = count("SELECT count(*) FROM platform.security_log WHERE CAST(details AS jsonb)->>'channel' = 'AMQP'");
        List<UUID> refusedIds = new ArrayList<>();
        try (Channel ch = client.createChannel()) {
            ch.confirmSelect();
            String reply = ch.queueDeclare().getQueue();
            Map<String, String> cases = new java.util.LinkedHashMap<>();
            cases.put("another system's token on this broker user", anothersToken);
            cases.put("a token whose certificate was revoked", revokedToken);
            cases.put("a token of a system turned off", inactiveToken);
            for (var c : cases.entrySet()) {
                UUID id = UUID.randomUUID();
                refusedIds.add(id);
                JsonNode answer = publish(ch, reply, c.getValue(), id, envelope(id, "user-" + id));
                assertThat(answer.path("status").asString()).as(c.getKey()).isEqualTo("REFUSED");
                assertThat(answer.path("code").asString()).as(c.getKey()).isEqualTo("UNAUTHENTICATED");
            }
            // the sender's own token, but no user_id on the message
            UUID none = UUID.randomUUID();
            refusedIds.add(none);
            JsonNode noUser = publishAs(null, ch, reply, publishToken, none, envelope(none, "user-" + none));
            assertThat(noUser.path("code").asString()).isEqualTo("UNAUTHENTICATED");
            assertThat(noUser.path("detail").asString()).contains("user_id");
            // and the same token with the user_id of its certificate is stored
            UUID good = UUID.randomUUID();
            assertThat(publish(ch, reply, publishToken, good, envelope(good, "user-" + good)).path("status").asString())
                    .isEqualTo("STORED");
        }
        for (UUID id : refusedIds) {
            assertThat(count("SELECT count(*) FROM messaging.message WHERE id = '" + id + "'")).isZero();
        }
        // each refusal of a token is in the security log, with the broker user and the certificate's name
        assertThat(count("SELECT count(*) FROM platform.security_log WHERE CAST(details AS jsonb)->>'channel' = 'AMQP'"))
                .isEqualTo(logged + 4);
        assertThat(count("SELECT count(*) FROM platform.security_log WHERE CAST(details AS jsonb)->>'channel' = 'AMQP'"
                + " AND CAST(details AS jsonb)->>'userId' = 'guest' AND CAST(details AS jsonb)->>'commonName' = 'another'"))
                .isEqualTo(1);
        // what the check stands on: the broker itself refuses a user_id that is not the connection's user
        try (Channel ch = client.createChannel()) {
            ch.confirmSelect();
            UUID id = UUID.randomUUID();
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                    .userId("another").deliveryMode(2).headers(Map.of("authorization", "Bearer " + anothersToken)).build();
            ch.basicPublish(PREFIX + ".publish", "sag", true, props, envelope(id, "spoof").getBytes(StandardCharsets.UTF_8));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ch.waitForConfirmsOrDie(10_000))
                    .hasMessageContaining("PRECONDITION_FAILED");
        } catch (com.rabbitmq.client.AlreadyClosedException | IOException expected) {
            // the broker closed the channel
        }
    }

    @Test
    void aDueslagQueueIsConsumedInOrderAndRejectsGoToTheErrorQueue() throws Exception {
        String receiver = tokenOf(systemWith(CVR, Services.MESSAGING, List.of(new Grant(Services.SUBSCRIBE,
                Map.of(Constraints.SENSITIVITY, "IKKE_FORTROLIGE_DATA")))), CVR, Services.MESSAGING);
        assertThat(call("POST", M + "/subscriptions", receiver, "{\"name\":\"amqp\",\"messageTypes\":[\"" + TYPE + "\"]}")
                .status()).isEqualTo(201);
        Res on = call("PUT", M + "/dueslag/amqp", receiver, "{\"enabled\":true}");
        assertThat(on.status()).as(on.text()).isEqualTo(200);
        String queue = on.body().path("queue").asString();
        QUEUES.add(queue);
        assertThat(queue).startsWith(PREFIX + ".dueslag.");
        String x = "x-" + UUID.randomUUID();
        List<String> sent = new ArrayList<>();
        Tally tally = tally();
        for (int i = 0; i < 5; i++) {
            UUID id = UUID.randomUUID();
            Res r = call("POST", M + "/messages", publishToken, envelope(id, x));
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            sent.add(id.toString());
        }
        UUID rejected = UUID.randomUUID();
        try (Channel ch = client.createChannel()) {
            List<String> got = new ArrayList<>();
            long until = System.currentTimeMillis() + 15_000;
            while (got.size() < 5 && System.currentTimeMillis() < until) {
                GetResponse r = ch.basicGet(queue, false);
                if (r == null) {
                    Thread.sleep(20);
                    continue;
                }
                JsonNode env = json.readTree(new String(r.getBody(), StandardCharsets.UTF_8));
                assertThat(r.getProps().getMessageId()).isEqualTo(env.path("messageId").asString());
                assertThat(r.getProps().getHeaders().get("municipality").toString()).isEqualTo(CVR);
                got.add(env.path("messageId").asString());
                ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
            }
            assertThat(got).containsExactlyElementsOf(sent);
            // the relayed messages are delivered once the relay has recorded the broker's confirms
            // (in its next round, so possibly just after the queue has them): nothing waits any more
            MessagingTest.waitFor(() -> get(M + "/dueslag", receiver).body().path("counts"),
                    c -> c.path("READY").asInt() + c.path("LEASED").asInt() == 0);
            // counted just after the relay's commit
            MessagingTest.waitFor(() -> tally.moved(DistributorMeters.DELIVERED, "via", "amqp"), n -> n >= 5);

            // a message the receiver rejects goes to the error queue, and its sender is told
            assertThat(call("POST", M + "/messages", publishToken, envelope(rejected, "r-" + rejected)).status())
                    .isEqualTo(201);
            GetResponse r = null;
            until = System.currentTimeMillis() + 15_000;
            while (r == null && System.currentTimeMillis() < until) {
                r = ch.basicGet(queue, false);
                Thread.sleep(20);
            }
            assertThat(r).isNotNull();
            ch.basicReject(r.getEnvelope().getDeliveryTag(), false);
            JsonNode errors = MessagingTest.waitFor(() -> get(M + "/dueslag/error-queue", receiver).body().path("items"),
                    n -> n.size() == 1);
            assertThat(errors.get(0).path("messageId").asString()).isEqualTo(rejected.toString());
            // requeued from the error queue, it is relayed again
            assertThat(call("POST", M + "/dueslag/error-queue/requeue", receiver, "{\"all\":true}").body()
                    .path("requeued").asInt()).isEqualTo(1);
            GetResponse again = null;
            until = System.currentTimeMillis() + 15_000;
            while (again == null && System.currentTimeMillis() < until) {
                again = ch.basicGet(queue, false);
                Thread.sleep(20);
            }
            assertThat(again).isNotNull();
            assertThat(again.getProps().getMessageId()).isEqualTo(rejected.toString());
            ch.basicAck(again.getEnvelope().getDeliveryTag(), false);
        }
        // the sender's own dueslag has the notice
        Res lease = call("POST", M + "/dueslag/lease?max=50", publishToken, null);
        assertThat(lease.text()).contains("LeveranceFejlet").contains(rejected.toString());
    }

    /**
     * The next message on the queue, taken (acknowledged), waiting up to 15 s; null if none came. A
     * queue that is not there counts as empty (the broker closes the channel that asked).
     */
    static GetResponse take(String queue) throws Exception {
        long until = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < until) {
            try (Channel ch = client.createChannel()) {
                GetResponse r = ch.basicGet(queue, true);
                if (r != null) {
                    return r;
                }
            } catch (IOException e) {
                // not there (yet)
            }
            Thread.sleep(50);
        }
        return null;
    }

    /**
     * A receiver's queue deleted under a running OpenSTS: the relay's next message to it is returned
     * by the broker as unroutable (and then confirmed). It must count as not delivered: the queue is
     * made again and the message relayed again, not recorded as delivered and gone.
     */
    @Test
    void aMessageTheBrokerCouldNotRouteIsRelayedAgain() throws Exception {
        List<String> queues = new ArrayList<>();
        for (String name : List.of("unroutable", "steady")) {
            String receiver = tokenOf(systemWith(CVR, Services.MESSAGING, List.of(new Grant(Services.SUBSCRIBE,
                    Map.of(Constraints.SENSITIVITY, "IKKE_FORTROLIGE_DATA")))), CVR, Services.MESSAGING);
            assertThat(call("POST", M + "/subscriptions", receiver, "{\"name\":\"" + name + "\",\"messageTypes\":[\""
                    + TYPE + "\"]}").status()).isEqualTo(201);
            queues.add(call("PUT", M + "/dueslag/amqp", receiver, "{\"enabled\":true}").body().path("queue").asString());
        }
        QUEUES.addAll(queues);
        String queue = queues.get(0);
        String steady = queues.get(1);
        UUID first = UUID.randomUUID();
        assertThat(call("POST", M + "/messages", publishToken, envelope(first, "u-" + first)).status()).isEqualTo(201);
        GetResponse got = take(queue);
        assertThat(got).isNotNull();
        assertThat(got.getProps().getMessageId()).isEqualTo(first.toString());
        assertThat(take(steady).getProps().getMessageId()).isEqualTo(first.toString());
        try (Channel ch = client.createChannel()) {
            ch.queueDelete(queue);
        }
        // one message for both, relayed in one round: only the receiver whose queue was gone gets it again
        UUID second = UUID.randomUUID();
        assertThat(call("POST", M + "/messages", publishToken, envelope(second, "u-" + second)).status()).isEqualTo(201);
        GetResponse again = take(queue);
        assertThat(again).as("the message relayed again to the queue made again").isNotNull();
        assertThat(again.getProps().getMessageId()).isEqualTo(second.toString());
        Thread.sleep(1000);
        assertThat(drain(steady)).as("the other receiver of that round, once").containsExactly(second.toString());
    }

    /** The message ids a queue holds now, taken from it. */
    static List<String> drain(String queue) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Channel ch = client.createChannel()) {
            for (GetResponse r = ch.basicGet(queue, true); r != null; r = ch.basicGet(queue, true)) {
                ids.add(r.getProps().getMessageId());
            }
        }
        return ids;
    }

    /**
     * A queue's arguments are fixed when the broker makes it, and the broker closes the channel of a
     * declaration with other ones. A receiver that changes its attempts after its queue was made must
     * not stop the relay, for itself or anyone, when OpenSTS (here: its AMQP transport) starts again.
     */
    @Test
    void aReceiverChangingItsAttemptsAfterItsQueueWasMadeStopsNoRelay() throws Exception {
        List<String> tokens = new ArrayList<>();
        List<String> queues = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String token = tokenOf(systemWith(CVR, Services.MESSAGING, List.of(new Grant(Services.SUBSCRIBE,
                    Map.of(Constraints.SENSITIVITY, "IKKE_FORTROLIGE_DATA")))), CVR, Services.MESSAGING);
            assertThat(call("POST", M + "/subscriptions", token, "{\"name\":\"attempts\",\"messageTypes\":[\""
                    + TYPE + "\"]}").status()).isEqualTo(201);
            Res on = call("PUT", M + "/dueslag/amqp", token, "{\"enabled\":true}");
            assertThat(on.status()).as(on.text()).isEqualTo(200);
            tokens.add(token);
            queues.add(on.body().path("queue").asString());
        }
        QUEUES.addAll(queues);
        // the first receiver's queue was made with 10 attempts; now it wants 3
        Res push = call("PUT", M + "/dueslag/push", tokens.get(0), "{\"url\":null,\"maxAttempts\":3}");
        assertThat(push.status()).as(push.text()).isEqualTo(200);
        // OpenSTS starts again: the relay declares every queue it publishes to afresh
        transport.stop();
        transport.start();
        UUID id = UUID.randomUUID();
        assertThat(call("POST", M + "/messages", publishToken, envelope(id, "attempts-" + id)).status()).isEqualTo(201);
        for (String queue : queues) {
            GetResponse r = take(queue);
            assertThat(r).as("the message in %s", queue).isNotNull();
            assertThat(r.getProps().getMessageId()).isEqualTo(id.toString());
        }
        // and it may turn its queue on again, which leaves the queue as it is
        Res again = call("PUT", M + "/dueslag/amqp", tokens.get(0), "{\"enabled\":true}");
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        assertThat(again.body().path("queue").asString()).isEqualTo(queues.get(0));
    }

    /** Whether this test may restart the local broker: rabbitmqctl is there and answers. */
    static boolean canRestartBroker() {
        try {
            Process p = new ProcessBuilder("rabbitmqctl", "-q", "status").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    static void rabbitmqctl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("rabbitmqctl", "-q"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("rabbitmqctl " + String.join(" ", args) + ": " + out).isZero();
    }

    /**
     * A broker that lost OpenSTS's exchange and queues (a new node, an operator's mistake) gets them
     * back when OpenSTS's connection returns, before its consumers resume: publishing is answered again.
     */
    @Test
    void aBrokerThatLostTheDefinitionsGetsThemBackWhenTheConnectionReturns() throws Exception {
        Assumptions.assumeTrue(canRestartBroker(), "rabbitmqctl cannot close the server's connection here");
        try (Channel ch = client.createChannel()) {
            for (String name : List.of(PREFIX + ".publish", PREFIX + ".dead-letter")) {
                ch.queueDelete(name);
                ch.exchangeDelete(name);
            }
        }
        String name = "opensts " + PREFIX;
        Process list = new ProcessBuilder("rabbitmqctl", "-q", "list_connections", "pid", "client_properties")
                .redirectErrorStream(true).start();
        String connections = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(list.waitFor()).isZero();
        String pid = connections.lines().filter(l -> l.contains("{\"connection_name\",\"" + name + "\"}"))
                .map(l -> l.substring(0, l.indexOf('\t'))).findFirst()
                .orElseThrow(() -> new AssertionError("no connection named " + name + " in:\n" + connections));
        rabbitmqctl("close_connection", pid, "test: the broker lost its definitions");
        assertThat(answerOnceDeclaredAgain().path("status").asString()).isEqualTo("STORED");
    }

    /** OpenSTS's own queues deleted under it, while connected: it declares them again and consumes on. */
    @Test
    void queuesDeletedUnderARunningServerAreMadeAgain() throws Exception {
        try (Channel ch = client.createChannel()) {
            ch.queueDelete(PREFIX + ".publish");
            ch.queueDelete(PREFIX + ".dead-letter");
        }
        assertThat(answerOnceDeclaredAgain().path("status").asString()).isEqualTo("STORED");
    }

    /**
     * Publishes a new message over AMQP until OpenSTS answers, once its exchange and queues are there
     * again (within 30 s); the answer.
     */
    JsonNode answerOnceDeclaredAgain() throws Exception {
        try (Channel ch = client.createChannel()) {
            ch.confirmSelect();
            String reply = ch.queueDeclare().getQueue();
            long until = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < until) {
                UUID id = UUID.randomUUID();
                try (Channel probe = client.createChannel()) {
                    probe.exchangeDeclarePassive(PREFIX + ".publish");
                    probe.queueDeclarePassive(PREFIX + ".publish");
                    probe.queueDeclarePassive(PREFIX + ".dead-letter");
                    return publish(ch, reply, publishToken, id, envelope(id, "back-" + id));
                } catch (IOException e) {
                    // not declared again yet (the broker closed the probe's channel)
                    Thread.sleep(200);
                }
            }
            throw new AssertionError("OpenSTS's exchange and queues not there again in 30 s");
        }
    }

    @Test
    void noConfirmedMessageIsLostWhenTheBrokerRestarts() throws Exception {
        Assumptions.assumeTrue(canRestartBroker(), "rabbitmqctl cannot restart the local broker here");
        String receiver = tokenOf(systemWith(CVR, Services.MESSAGING, List.of(new Grant(Services.SUBSCRIBE,
                Map.of(Constraints.SENSITIVITY, "IKKE_FORTROLIGE_DATA")))), CVR, Services.MESSAGING);
        assertThat(call("POST", M + "/subscriptions", receiver, "{\"name\":\"restart\",\"messageTypes\":[\"" + TYPE
                + "\"]}").status()).isEqualTo(201);
        String queue = call("PUT", M + "/dueslag/amqp", receiver, "{\"enabled\":true}").body().path("queue").asString();
        QUEUES.add(queue);
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(URI);
        f.setNetworkRecoveryInterval(500);
        String replies = PREFIX + ".restart-replies";
        QUEUES.add(replies);
        List<String> confirmed = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        try (Connection publisher = f.newConnection("restart-publisher")) {
            Channel ch = publisher.createChannel();
            ch.confirmSelect();
            ch.queueDeclare(replies, false, false, false, null);
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    UUID id = UUID.randomUUID();
                    // the same message until OpenSTS answers for it (stored, or stored before)
                    while (true) {
                        try {
                            JsonNode answer = publish(ch, replies, publishToken, id, envelope(id, "restart"));
                            if (answer.path("status").asString().matches("STORED|DUPLICATE")) {
                                confirmed.add(id.toString());
                                break;
                            }
                        } catch (Throwable e) {
                            // the broker is away: try again when the connection has recovered
                        }
                        try {
                            Thread.sleep(300);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            });
            t.start();
            MessagingTest.waitFor(confirmed::size, n -> n >= 10);
            rabbitmqctl("stop_app");
            Thread.sleep(1500);
            rabbitmqctl("start_app");
            rabbitmqctl("await_startup");
            int atRestart = confirmed.size();
            MessagingTest.waitFor(confirmed::size, n -> n >= atRestart + 10);
            stop.set(true);
            t.join(30_000);
        }
        // every confirmed message reaches the receiver's queue (duplicates allowed, dropped by id), and
        // soon: what the relay published as the broker went away is given back and relayed again at
        // once, not when its lease (a minute) runs out, and the messages behind it follow
        java.util.Set<String> seen = new java.util.HashSet<>();
        try (Connection consumer = f.newConnection("restart-consumer"); Channel ch = consumer.createChannel()) {
            long until = System.currentTimeMillis() + 20_000;
            while (!seen.containsAll(confirmed) && System.currentTimeMillis() < until) {
                GetResponse r = ch.basicGet(queue, false);
                if (r == null) {
                    Thread.sleep(50);
                    continue;
                }
                seen.add(r.getProps().getMessageId());
                ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
            }
        }
        assertThat(confirmed).hasSizeGreaterThanOrEqualTo(20);
        assertThat(seen).containsAll(confirmed);
    }
}
