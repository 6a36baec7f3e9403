package dk.opensts.messaging.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.recovery.RecordedBinding;
import com.rabbitmq.client.impl.recovery.RecordedExchange;
import com.rabbitmq.client.impl.recovery.RecordedQueue;
import com.rabbitmq.client.impl.recovery.TopologyRecoveryFilter;
import dk.opensts.access.api.ItSystems;
import dk.opensts.messaging.domain.Distributor;
import dk.opensts.messaging.domain.DistributorMeters;
import dk.opensts.messaging.domain.Dueslag;
import dk.opensts.messaging.store.DeliveryStore;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.index.RecordBinder;
import dk.opensts.platform.security.Actor;
import dk.opensts.platform.securitylog.SecurityLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.node.ObjectNode;

/**
 * The distributor over AMQP 0-9-1 (RabbitMQ), beside REST:
 * <ul>
 * <li><b>Publishing.</b> A system publishes to exchange {@code <prefix>.publish} with its token in
 * header {@code authorization} ({@code Bearer ...}), persistent, with publisher confirms. The
 * broker keeps it in the quorum queue {@code <prefix>.publish} until OpenSTS has stored it in
 * PostgreSQL (many at a time, one commit), then OpenSTS acknowledges it and answers on
 * {@code reply_to} with the outcome ({@code STORED}, {@code DUPLICATE}, or a problem), correlated by
 * {@code correlation_id} (else the message id). A database failure leaves the message on the broker
 * for the next try; nothing is acknowledged before it is committed. Who published what is
 * {@link AmqpSenders}'s to say: the token, and where the broker authenticates publishers by
 * certificate, the message's {@code user_id} against the certificate the token is bound to.</li>
 * <li><b>Dueslag queues.</b> For a receiver that chose AMQP, OpenSTS relays its deliveries, in order,
 * to quorum queue {@code <prefix>.dueslag.<system id>} with publisher confirms; a delivery the
 * broker confirmed counts as delivered. A delivery is written leased to this relay as it is stored
 * when nothing earlier about its object waits for that receiver, and published once that commits;
 * the others (and any whose lease ran out) are leased in rounds. Rounds are published without
 * waiting for the broker in between; what it confirmed is marked delivered in the transaction that
 * leases the next round. The receiver consumes with manual ack; what it rejects
 * (or returns more often than its attempts allow) is dead-lettered back to OpenSTS, which moves it
 * to the error queue and tells the sender.</li>
 * </ul>
 * The connection recovers by itself after a broker restart; deliveries leased but not confirmed
 * are given back and relayed again (a receiver drops duplicates by message id).
 */
public class AmqpTransport implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AmqpTransport.class);
    public static final String AUTHORIZATION = "authorization";
    public static final String DELIVERY_ID = "opensts-delivery-id";

    /** How the transport connects and batches. */
    public record Settings(String uri, String prefix, int prefetch, int batch, Duration tick, Duration leaseTime,
                           CertificateUser certificateUser) {
    }

    /**
     * What a message's {@code user_id} must be, as the broker names the user of a publisher's
     * certificate ({@code ssl_cert_login_from}): nothing required, or the common name or the
     * distinguished name of the certificate the message's token is bound to.
     */
    public enum CertificateUser {
        NONE, COMMON_NAME, DISTINGUISHED_NAME;

        /** {@code none}, {@code common-name} or {@code distinguished-name} (as in the setting). */
        public static CertificateUser of(String setting) {
            String s = setting == null ? "" : setting.strip();
            for (CertificateUser c : values()) {
                if (c.name().replace('_', '-').equalsIgnoreCase(s)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("opensts.messaging.amqp.certificate-user is '" + setting
                    + "': none, common-name or distinguished-name");
        }
    }

    private final Settings settings;
    private final Distributor distributor;
    private final Dueslag dueslag;
    private final DeliveryStore store;
    private final RecordBinder binder;
    private final AmqpSenders senders;
    private final SecurityLog securityLog;
    private final TransactionTemplate tx;
    private final DistributorMeters meters;
    private final Clock clock;
    private final BlockingQueue<Incoming> incoming = new LinkedBlockingQueue<>();
    private final Set<UUID> declared = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean woken = new AtomicBoolean();
    private final Object relaySignal = new Object();
    private volatile boolean running;
    private Connection connection;
    private volatile Channel ingressChannel;
    private volatile Channel relayChannel;
    private volatile Channel deadLetterChannel;
    private Thread ingressWorker;
    private Thread relayWorker;

    /** A message taken from the ingress queue, with the channel that must acknowledge it. */
    private record Incoming(Channel channel, long tag, AMQP.BasicProperties properties, byte[] body) {
    }

    public AmqpTransport(Settings settings, Distributor distributor, Dueslag dueslag, DeliveryStore store,
                         RecordBinder binder, JwtDecoder tokens, ItSystems certificates, SecurityLog securityLog,
                         TransactionTemplate tx, Clock clock, DistributorMeters meters) {
        this.meters = meters;
        this.settings = settings;
        this.distributor = distributor;
        this.dueslag = dueslag;
        this.store = store;
        this.binder = binder;
        this.senders = new AmqpSenders(tokens, settings.certificateUser(), certificates, clock, publishExchange());
        this.securityLog = securityLog;
        this.tx = tx;
        this.clock = clock;
    }

    public String publishExchange() {
        return settings.prefix() + ".publish";
    }

    public String queueOf(UUID receiver) {
        return settings.prefix() + ".dueslag." + receiver;
    }

    private String deadLetterExchange() {
        return settings.prefix() + ".dead-letter";
    }

    // ------------------------------------------------------------------ life cycle

    @Override
    public void start() {
        try {
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(settings.uri());
            f.setAutomaticRecoveryEnabled(true);
            f.setTopologyRecoveryEnabled(true);
            // the client recovers the consumers; OpenSTS declares its exchanges and queues itself, on
            // channels it closes after (the client would recover each on the channel that declared it)
            f.setTopologyRecoveryFilter(new TopologyRecoveryFilter() {
                @Override
                public boolean filterExchange(RecordedExchange exchange) {
                    return false;
                }

                @Override
                public boolean filterQueue(RecordedQueue queue) {
                    return false;
                }

                @Override
                public boolean filterBinding(RecordedBinding binding) {
                    return false;
                }
            });
            f.setNetworkRecoveryInterval(1000);
            f.setRequestedHeartbeat(15);
            connection = f.newConnection("opensts " + settings.prefix());
            ((Recoverable) connection).addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecoveryStarted(Recoverable recoverable) {
                    // nothing to do before the connection is back
                }

                /** Before the consumers come back: a broker that lost its definitions gets them again. */
                @Override
                public void handleTopologyRecoveryStarted(Recoverable recoverable) {
                    declared.clear();
                    try {
                        declareTopology();
                    } catch (IOException | RuntimeException e) {
                        log.warn("AMQP: exchanges and queues not declared again after the connection came back: {}",
                                e.toString());
                    }
                }

                @Override
                public void handleRecovery(Recoverable recoverable) {
                    log.info("AMQP: connection to the broker recovered");
                }
            });
            declareTopology();
            openChannels();
        } catch (Exception e) {
            throw new IllegalStateException("AMQP broker " + redacted(settings.uri()) + ": " + e.getMessage(), e);
        }
        running = true;
        distributor.onStored(this::wake);
        distributor.directRelay(direct);
        ingressWorker = new Thread(this::ingressLoop, "opensts-amqp-ingress");
        ingressWorker.setDaemon(true);
        ingressWorker.start();
        relayWorker = new Thread(this::relayLoop, "opensts-amqp-relay");
        relayWorker.setDaemon(true);
        relayWorker.start();
        log.info("AMQP: publishing on exchange {}, dueslag queues {}.dueslag.<system> at {}", publishExchange(),
                settings.prefix(), redacted(settings.uri()));
    }

    /**
     * Opens (or opens again) the three channels. A lost connection is recovered by the client with
     * its channels; a channel the broker closed on its own (an error on it) is replaced here by the
     * worker that finds it closed.
     */
    private synchronized void openChannels() throws IOException {
        if (ingressChannel == null || !ingressChannel.isOpen()) {
            Channel ch = connection.createChannel();
            ch.basicQos(settings.prefetch());
            ch.basicConsume(publishExchange(), false, "opensts-ingress", new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    incoming.add(new Incoming(ch, envelope.getDeliveryTag(), properties, body));
                }

                @Override
                public void handleCancel(String tag) {
                    cancelled(tag);
                }
            });
            ingressChannel = ch;
        }
        if (relayChannel == null || !relayChannel.isOpen()) {
            Channel ch = connection.createChannel();
            ch.confirmSelect();
            ch.addConfirmListener((tag, multiple) -> confirmed(tag, multiple, false),
                    (tag, multiple) -> confirmed(tag, multiple, true));
            ch.addReturnListener(r -> returned(r.getRoutingKey(), r.getProperties()));
            ch.addShutdownListener(cause -> relayChannelClosed());
            declared.clear();
            relayChannel = ch;
        }
        if (deadLetterChannel == null || !deadLetterChannel.isOpen()) {
            Channel ch = connection.createChannel();
            ch.basicQos(100);
            ch.basicConsume(deadLetterExchange(), false, "opensts-dead-letter", new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) throws IOException {
                    deadLettered(ch, envelope, properties);
                }

                @Override
                public void handleCancel(String tag) {
                    cancelled(tag);
                }
            });
            deadLetterChannel = ch;
        }
    }

    /** The broker cancelled one of OpenSTS's consumers: its queue went away (deleted) while connected. */
    private final AtomicBoolean consumerCancelled = new AtomicBoolean();

    private void cancelled(String consumerTag) {
        log.warn("AMQP: the broker cancelled consumer {} (its queue was deleted); declaring the queues again",
                consumerTag);
        consumerCancelled.set(true);
    }

    /**
     * Replaces a channel the broker closed, while the connection is up (else the client recovers it).
     * After the broker cancelled a consumer, the queues are declared again and both consumers'
     * channels replaced.
     */
    private synchronized void heal() {
        try {
            if (connection.isOpen()) {
                if (consumerCancelled.getAndSet(false)) {
                    try {
                        declareTopology();
                    } catch (IOException | RuntimeException e) {
                        consumerCancelled.set(true);
                        throw e;
                    }
                    for (Channel ch : List.of(ingressChannel, deadLetterChannel)) {
                        if (ch.isOpen()) {
                            ch.abort();
                        }
                    }
                }
                openChannels();
            }
        } catch (IOException | RuntimeException e) {
            log.warn("AMQP: channel not reopened yet: {}", e.toString());
        }
    }

    /** The exchanges OpenSTS is published to and the queues it consumes, on a channel of its own. */
    private void declareTopology() throws IOException {
        withChannel(ch -> {
            Map<String, Object> quorum = Map.of("x-queue-type", "quorum");
            ch.exchangeDeclare(publishExchange(), "topic", true);
            ch.queueDeclare(publishExchange(), true, false, false, quorum);
            ch.queueBind(publishExchange(), publishExchange(), "#");
            ch.exchangeDeclare(deadLetterExchange(), "fanout", true);
            ch.queueDeclare(deadLetterExchange(), true, false, false, quorum);
            return ch.queueBind(deadLetterExchange(), deadLetterExchange(), "");
        });
    }

    private interface ChannelCall<T> {
        T call(Channel channel) throws IOException;
    }

    /** Calls {@code call} on a channel opened for it and closed after, also when the broker closed it. */
    private <T> T withChannel(ChannelCall<T> call) throws IOException {
        Channel ch;
        try {
            ch = connection.createChannel();
        } catch (RuntimeException e) {
            throw new IOException("no channel: " + e.getMessage(), e);
        }
        try {
            return call.call(ch);
        } finally {
            if (ch.isOpen()) {
                try {
                    ch.close();
                } catch (TimeoutException | RuntimeException e) {
                    log.debug("AMQP: channel not closed cleanly: {}", e.toString());
                }
            }
        }
    }

    @Override
    public void stop() {
        distributor.directRelay(null);
        running = false;
        synchronized (relaySignal) {
            relaySignal.notifyAll();
        }
        join(ingressWorker);
        join(relayWorker);
        try {
            if (connection != null) {
                connection.close(5000);
            }
        } catch (Exception e) {
            log.debug("AMQP close: {}", e.toString());
        }
    }

    private static void join(Thread t) {
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // stops before the web server and the data source
        return Integer.MAX_VALUE - 1000;
    }

    // ------------------------------------------------------------------ publishing

    private void ingressLoop() {
        List<Incoming> batch = new ArrayList<>();
        while (running) {
            try {
                Incoming first = incoming.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (!ingressChannel.isOpen() || !deadLetterChannel.isOpen() || consumerCancelled.get()) {
                        heal();
                    }
                    continue;
                }
                batch.add(first);
                incoming.drainTo(batch, settings.batch() - 1);
                ingest(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // the database is away: the broker keeps the messages and delivers them again
                log.warn("AMQP ingress: {} message(s) not stored, left on the broker: {}", batch.size(), e.toString());
                nackAll(batch);
                sleep(1000);
            } finally {
                batch.clear();
            }
        }
    }

    /** Stores a batch in one commit, then acknowledges each message and answers its publisher. */
    void ingest(List<Incoming> batch) {
        List<Distributor.Item> items = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        // refused tokens are logged together, in one commit, before any publisher is answered
        List<SecurityLog.NewEntry> refusals = new ArrayList<>();
        List<Integer> refused = new ArrayList<>();
        Object[] results = senders.identify(batch.stream().map(Incoming::properties).toList(), refusals, refused);
        for (int i = 0; i < batch.size(); i++) {
            if (!(results[i] instanceof Actor actor)) {
                continue;
            }
            Incoming in = batch.get(i);
            try {
                String type = in.properties().getContentType();
                String body = new String(in.body(), StandardCharsets.UTF_8);
                dk.opensts.messaging.domain.Envelope env = type != null && type.contains("xml")
                        ? distributor.bindXml(body) : distributor.bind(binder.json().readTree(body));
                items.add(new Distributor.Item(env, actor));
                index.add(i);
            } catch (ApiException e) {
                results[i] = e;
            } catch (RuntimeException e) {
                results[i] = dk.opensts.platform.error.ProblemHandler.describe(e);
            }
        }
        if (!refusals.isEmpty()) {
            try {
                securityLog.recordAll(refusals);
            } catch (RuntimeException e) {
                // an entry the database refused, or the database away (then storing fails below too,
                // and the batch stays on the broker): those publishers get the error, not the refusal
                Object problem = dk.opensts.platform.error.ProblemHandler.describe(e);
                refused.forEach(i -> results[i] = problem);
            }
        }
        List<Object> outcomes = distributor.publishAll(items, "AMQP");
        for (int k = 0; k < index.size(); k++) {
            results[index.get(k)] = outcomes.get(k);
        }
        for (int i = 0; i < batch.size(); i++) {
            if (results[i] instanceof ApiException refusal) {
                meters.refused("AMQP", refusal);
            }
            reply(batch.get(i), results[i]);
        }
        acknowledge(batch, true);
    }

    private void reply(Incoming in, Object result) {
        String replyTo = in.properties().getReplyTo();
        if (replyTo == null || replyTo.isBlank()) {
            return;
        }
        ObjectNode body = binder.json().createObjectNode();
        if (result instanceof Distributor.Outcome o) {
            body.put("messageId", o.messageId().toString());
            body.put("status", o.status());
            body.put("receivers", o.receivers());
            body.put("receivedAt", o.receivedAt().toString());
        } else {
            ApiException e = (ApiException) result;
            body.put("status", "REFUSED");
            body.put("code", e.code().name());
            body.put("httpStatus", e.code().status().value());
            body.put("detail", e.getMessage());
        }
        String correlation = in.properties().getCorrelationId() != null ? in.properties().getCorrelationId()
                : in.properties().getMessageId();
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                .correlationId(correlation).deliveryMode(2).build();
        try {
            synchronized (in.channel()) {
                in.channel().basicPublish("", replyTo, props, binder.json().writeValueAsBytes(body));
            }
        } catch (IOException | RuntimeException e) {
            log.warn("AMQP ingress: no answer to {}: {}", replyTo, e.toString());
        }
    }

    private void nackAll(List<Incoming> batch) {
        acknowledge(batch, false);
    }

    /**
     * Acknowledges (or gives back) each message on the channel it came on; messages of a channel
     * that has closed are left alone: the broker delivers them again, and they are duplicates now.
     */
    private void acknowledge(List<Incoming> batch, boolean ack) {
        Map<Channel, Long> last = new LinkedHashMap<>();
        batch.forEach(in -> last.merge(in.channel(), in.tag(), Math::max));
        last.forEach((channel, tag) -> {
            if (!channel.isOpen()) {
                return;
            }
            try {
                synchronized (channel) {
                    if (ack) {
                        channel.basicAck(tag, true);
                    } else {
                        channel.basicNack(tag, true, true);
                    }
                }
            } catch (IOException | RuntimeException e) {
                log.warn("AMQP ingress: {} lost ({}); the broker redelivers", ack ? "acknowledgement" : "nack", e.toString());
            }
        });
    }

    // ------------------------------------------------------------------ dueslag queues

    /** New messages were stored, or the broker confirmed a round: the relay looks at once. */
    void wake() {
        if (woken.compareAndSet(false, true)) {
            synchronized (relaySignal) {
                relaySignal.notifyAll();
            }
        }
    }

    /**
     * Deliveries published in one relay round, until the broker has confirmed (or refused) every
     * one. A round ends once: confirmed, refused, or given up (channel closed, no answer in time).
     * A round refused is given back whole; of a round that ended otherwise, the deliveries to a
     * receiver whose queue returned one of them are given back, that receiver's all (so they come
     * again in order), and the rest are delivered.
     */
    private static final class Round {
        /** The round's deliveries by id. */
        final Map<Long, DeliveryStore.Leased> deliveries;
        final List<Long> publishTags = new ArrayList<>();
        final long publishedAt = System.nanoTime();
        final AtomicBoolean ended = new AtomicBoolean();
        /** Receivers whose queue returned a delivery of this round as unroutable. */
        final Set<UUID> returnedTo = new java.util.HashSet<>();
        int unconfirmed;
        boolean refused;

        Round(List<DeliveryStore.Leased> batch) {
            this.deliveries = new LinkedHashMap<>();
            batch.forEach(l -> deliveries.put(l.id(), l));
            this.unconfirmed = batch.size();
        }

        /** Sorts the round's leases (delivery id to lease id) into delivered and given back (call once it ended). */
        synchronized void sort(Map<Long, UUID> delivered, Map<Long, UUID> givenBack) {
            deliveries.forEach((id, l) -> (refused || returnedTo.contains(l.receiver()) ? givenBack : delivered)
                    .put(id, l.leaseId()));
        }
    }

    /** Deliveries leased to this relay, with the envelope each receiver gets, to be published in order. */
    private record Handed(List<DeliveryStore.Leased> deliveries, List<Dueslag.Lease> routed) {
    }

    private final BlockingQueue<Handed> handed = new LinkedBlockingQueue<>();

    /**
     * Takes deliveries to AMQP receivers as they are stored: audited in the storing transaction,
     * published once it commits (a rollback hands nothing over).
     */
    private final Distributor.DirectRelay direct = new Distributor.DirectRelay() {
        @Override
        public Duration leaseTime() {
            return settings.leaseTime();
        }

        @Override
        public void leased(List<Distributor.Handoff> deliveries) {
            if (!TransactionSynchronizationManager.isSynchronizationActive()) {
                throw new IllegalStateException("deliveries are handed to the relay only within a transaction");
            }
            List<DeliveryStore.Leased> rows = deliveries.stream().map(Distributor.Handoff::delivery).toList();
            List<Dueslag.Lease> routed = deliveries.stream().map(h -> dueslag.lease(h.delivery(), h.stored())).toList();
            dueslag.audit(routed, "AMQP");
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    handed.add(new Handed(rows, routed));
                    wake();
                }
            });
        }
    };

    /** Rounds waiting for confirms, by the publish sequence number of each of their deliveries. */
    private final ConcurrentSkipListMap<Long, Round> awaiting = new ConcurrentSkipListMap<>();
    /** Rounds published and not yet ended. */
    private final Set<Round> inFlight = ConcurrentHashMap.newKeySet();
    /** Rounds that ended, for the relay to record in the database (delivered, or given back). */
    private final BlockingQueue<Round> ended = new LinkedBlockingQueue<>();

    /** The broker's publisher confirms for the relay channel (on the connection's thread). */
    private void confirmed(long tag, boolean multiple, boolean refused) {
        List<Round> rounds = new ArrayList<>();
        if (multiple) {
            Map<Long, Round> head = awaiting.headMap(tag, true);
            rounds.addAll(head.values());
            head.clear();
        } else {
            Round r = awaiting.remove(tag);
            if (r != null) {
                rounds.add(r);
            }
        }
        for (Round r : rounds) {
            boolean done;
            synchronized (r) {
                r.refused |= refused;
                done = --r.unconfirmed == 0;
            }
            if (done) {
                end(r, r.refused);
            }
        }
        if (!rounds.isEmpty()) {
            wake();
        }
    }

    /**
     * The broker could not route a delivery (its queue is not there: deleted, or lost with a node
     * while the connection stayed). It comes before the confirm, which then ends the round: that
     * receiver's deliveries in it are relayed again, and its queue made again first; the other
     * receivers' are delivered.
     */
    private void returned(String queue, AMQP.BasicProperties properties) {
        Object id = properties.getHeaders() == null ? null : properties.getHeaders().get(DELIVERY_ID);
        if (!(id instanceof Number n)) {
            return;
        }
        for (Round r : inFlight) {
            DeliveryStore.Leased l = r.deliveries.get(n.longValue());
            if (l != null) {
                synchronized (r) {
                    r.returnedTo.add(l.receiver());
                }
            }
        }
        // published to the default exchange, so the routing key is the queue
        declared.removeIf(receiver -> queueOf(receiver).equals(queue));
        log.warn("AMQP relay: the broker returned delivery {} as unroutable (its queue was not there); relaying it again",
                n);
    }

    /** Ends a round once; its sequence numbers are forgotten (a recovered channel counts from 1 again). */
    private void end(Round r, boolean refused) {
        if (r.ended.compareAndSet(false, true)) {
            List<Long> tags;
            // the channel may close while the relay is still publishing the round
            synchronized (r) {
                r.refused |= refused;
                tags = List.copyOf(r.publishTags);
            }
            tags.forEach(t -> awaiting.remove(t, r));
            inFlight.remove(r);
            ended.add(r);
        }
    }

    /** The relay channel closed: no confirm will come for what it published; relay it again. */
    private void relayChannelClosed() {
        List.copyOf(inFlight).forEach(r -> end(r, true));
        awaiting.clear();
        wake();
    }

    private int inFlightDeliveries() {
        int n = 0;
        for (Round r : inFlight) {
            n += r.deliveries.size();
        }
        return n;
    }

    /**
     * Relays without waiting for the broker between rounds: while earlier rounds await their
     * confirms, the next is leased and published (at most {@code 4 × batch} deliveries unconfirmed).
     * What the broker confirmed is marked delivered, and what it refused given back, in the
     * transaction that leases the next round.
     */
    private void relayLoop() {
        while (running) {
            int relayed = 0;
            try {
                woken.set(false);
                relayed = relayRound();
            } catch (RuntimeException e) {
                log.warn("AMQP relay: {}; trying again", e.toString());
                sleep(1000);
            }
            // go on at once while there was work (receivers lease their shares, so a round may be less
            // than a batch with more waiting); else wait for new messages, a confirm, or the tick
            if (relayed == 0 && !woken.get()) {
                synchronized (relaySignal) {
                    try {
                        relaySignal.wait(settings.tick().toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
        // stopping: record what the broker confirms within a few seconds; the rest stays leased and
        // is relayed again when its lease runs out
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!inFlight.isEmpty() && System.nanoTime() < until) {
            sleep(20);
        }
        try {
            List<Round> done = new ArrayList<>();
            ended.drainTo(done);
            record(done, false);
        } catch (RuntimeException e) {
            log.warn("AMQP relay: confirmed deliveries not recorded at stop (they come again): {}", e.toString());
        }
    }

    /**
     * Records rounds that ended, and leases the next round when {@code lease}, in one transaction:
     * confirmed deliveries are delivered, refused ones given back. Returns the deliveries leased.
     */
    private Handed record(List<Round> done, boolean lease) {
        Map<Long, UUID> delivered = new LinkedHashMap<>();
        Map<Long, UUID> refused = new LinkedHashMap<>();
        done.forEach(r -> r.sort(delivered, refused));
        if (!refused.isEmpty()) {
            log.warn("AMQP relay: the broker refused, returned or did not confirm {} deliveries; relaying them again",
                    refused.size());
        }
        if (done.isEmpty() && !lease) {
            return NOTHING;
        }
        return tx.execute(s -> {
            Instant now = clock.instant();
            meters.delivered(DistributorMeters.Via.AMQP, store.ack(null, delivered, now).size());
            store.release(refused, now);
            if (!lease) {
                return NOTHING;
            }
            List<DeliveryStore.Leased> batch = store.lease(null, null, DeliveryStore.Reader.AMQP, settings.batch(),
                    settings.leaseTime(), now);
            // each message read once for all its receivers in the round
            Map<UUID, dk.opensts.messaging.domain.Envelope> parsed = new HashMap<>();
            List<Dueslag.Lease> out = new ArrayList<>(batch.size());
            for (DeliveryStore.Leased l : batch) {
                out.add(dueslag.lease(l, parsed.computeIfAbsent(l.messageId(), id -> dueslag.envelope(l.envelope()))));
            }
            dueslag.audit(out, "AMQP");
            return new Handed(batch, out);
        });
    }

    private static final Handed NOTHING = new Handed(List.of(), List.of());

    /**
     * One round: records the rounds that ended, leases deliveries of AMQP receivers (when fewer
     * than the limit await confirms) and publishes them in order. Returns how many it published.
     */
    int relayRound() {
        if (!relayChannel.isOpen()) {
            heal();
        }
        long timeout = TimeUnit.SECONDS.toNanos(30);
        for (Round r : inFlight) {
            if (System.nanoTime() - r.publishedAt > timeout) {
                log.warn("AMQP relay: the broker confirmed {} deliveries not within 30 s; relaying them again",
                        r.deliveries.size());
                end(r, true);
            }
        }
        int published = 0;
        List<Handed> direct = new ArrayList<>();
        handed.drainTo(direct);
        for (Handed h : direct) {
            published += publish(h);
        }
        List<Round> done = new ArrayList<>();
        ended.drainTo(done);
        boolean more = relayChannel.isOpen() && inFlightDeliveries() < 4 * settings.batch();
        Handed leased;
        try {
            leased = record(done, more);
        } catch (RuntimeException e) {
            ended.addAll(done);
            throw e;
        }
        return published + publish(leased);
    }

    /**
     * Publishes leased deliveries in order as one round; the broker's confirms end it. Returns how
     * many were published; when publishing fails, the round ends refused (given back whole).
     */
    private int publish(Handed leased) {
        List<DeliveryStore.Leased> batch = leased.deliveries();
        List<Dueslag.Lease> routed = leased.routed();
        if (batch.isEmpty()) {
            return 0;
        }
        Round round = new Round(batch);
        inFlight.add(round);
        try {
            for (int i = 0; i < batch.size(); i++) {
                DeliveryStore.Leased l = batch.get(i);
                ensureQueue(l.receiver());
                Map<String, Object> headers = new HashMap<>();
                headers.put(DELIVERY_ID, l.id());
                headers.put("municipality", l.municipality());
                Dueslag.Lease lease = routed.get(i);
                headers.put("message-type", lease.envelope().messageType());
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                        .messageId(l.messageId().toString()).deliveryMode(2).headers(headers)
                        .timestamp(java.util.Date.from(l.receivedAt())).build();
                byte[] body = binder.canonical(lease.envelope()).getBytes(StandardCharsets.UTF_8);
                // known before publishing: the confirm may come before basicPublish returns
                long tag = relayChannel.getNextPublishSeqNo();
                synchronized (round) {
                    round.publishTags.add(tag);
                }
                awaiting.put(tag, round);
                relayChannel.basicPublish("", queueOf(l.receiver()), true, props, body);
            }
        } catch (IOException | RuntimeException e) {
            // not all published: the round is given back whole (a receiver may see some twice)
            end(round, true);
            log.warn("AMQP relay: publishing {} deliveries failed ({}); relaying them again", batch.size(), e.toString());
        }
        return batch.size();
    }

    private void ensureQueue(UUID receiver) throws IOException {
        if (declared.add(receiver)) {
            try {
                ensure(receiver);
            } catch (IOException | RuntimeException e) {
                declared.remove(receiver);
                throw e;
            }
        }
    }

    /**
     * Makes sure the receiver's queue is there, on channels of its own. A queue that is there is left
     * as it is: its arguments were fixed when it was made, and declaring it with others (a receiver
     * that changed its attempts since) would have the broker close the channel. A queue that is not
     * is made, a quorum queue: what the receiver rejects, or returns more often than its attempts
     * allow, is dead-lettered (at least once) to OpenSTS. A later change of attempts does not change
     * a queue already made; an operator can, with a broker policy ({@code delivery-limit}).
     */
    private String ensure(UUID receiver) throws IOException {
        String queue = queueOf(receiver);
        boolean there = withChannel(ch -> {
            try {
                ch.queueDeclarePassive(queue);
                return true;
            } catch (IOException e) {
                if (notFound(e)) {
                    return false;
                }
                throw e;
            }
        });
        if (!there) {
            withChannel(ch -> {
                Map<String, Object> args = new HashMap<>();
                args.put("x-queue-type", "quorum");
                args.put("x-dead-letter-exchange", deadLetterExchange());
                args.put("x-dead-letter-strategy", "at-least-once");
                args.put("x-overflow", "reject-publish");
                args.put("x-delivery-limit", dueslag.push(receiver).map(Dueslag.PushSettings::maxAttempts)
                        .orElse(DeliveryStore.DEFAULT_MAX_ATTEMPTS));
                return ch.queueDeclare(queue, true, false, false, args);
            });
        }
        return queue;
    }

    /** The broker answered "not found" (404), closing the channel that asked. */
    private static boolean notFound(IOException e) {
        return e.getCause() instanceof ShutdownSignalException s && s.getReason() instanceof AMQP.Channel.Close close
                && close.getReplyCode() == 404;
    }

    /** Makes sure the receiver's queue is there now (when it chooses AMQP), so that it can start consuming. */
    public String declareQueue(UUID receiver) {
        try {
            String queue = ensure(receiver);
            declared.add(receiver);
            return queue;
        } catch (IOException e) {
            throw new IllegalStateException("queue for " + receiver + ": " + e.getMessage(), e);
        }
    }

    /** A message a receiver rejected or returned too often: to the error queue, and the sender is told. */
    private void deadLettered(Channel channel, Envelope envelope, AMQP.BasicProperties properties) throws IOException {
        Object id = properties.getHeaders() == null ? null : properties.getHeaders().get(DELIVERY_ID);
        try {
            if (id instanceof Number n) {
                tx.executeWithoutResult(s -> distributor.notifySenders(store.failRelayed(List.of(n.longValue()),
                        "rejected by the receiver on the AMQP queue", clock.instant())));
            }
            channel.basicAck(envelope.getDeliveryTag(), false);
        } catch (RuntimeException e) {
            log.warn("AMQP dead letter not recorded yet: {}", e.toString());
            channel.basicNack(envelope.getDeliveryTag(), false, true);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String redacted(String uri) {
        return uri.replaceAll("//[^@/]*@", "//***@");
    }
}
