package dk.opensts.messaging.domain;

import dk.opensts.classification.api.Classifications;
import dk.opensts.messaging.store.SubscriptionStore;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.FieldProblem;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A receiving system's subscriptions and value lists for the municipality its token acts for.
 * Changes are versioned: a replace or end names the version it read ({@code If-Match}).
 */
public class Subscriptions implements dk.opensts.messaging.api.Subscribers {

    private final SubscriptionStore store;
    private final Classifications classifications;
    private Runnable changed = () -> { };
    private final TransactionTemplate tx;
    private final Clock clock;

    public Subscriptions(SubscriptionStore store, Classifications classifications, TransactionTemplate tx, Clock clock) {
        this.store = store;
        this.classifications = classifications;
        this.tx = tx;
        this.clock = clock;
    }

    /** Called after a subscription changed (the distributor routes by the new ones at once). */
    public void onChange(Runnable listener) {
        this.changed = listener;
    }

    @Override
    public boolean ensureSubscription(UUID receiver, String municipality, String name, List<String> messageTypes,
                                      String actor) {
        if (list(receiver, municipality, false).stream().anyMatch(s -> s.name().equals(name))) {
            return false;
        }
        create(receiver, municipality, new Subscription.Input(name, messageTypes, null, null, null, null, null), actor);
        return true;
    }

    public Subscription create(UUID receiver, String municipality, Subscription.Input in, String actor) {
        check(receiver, municipality, in);
        Instant now = clock.instant();
        Subscription s = new Subscription(UUID.randomUUID(), receiver, municipality, in.name(),
                List.copyOf(new LinkedHashSet<>(in.messageTypes())), in.kle(), in.objectTypes(), in.actions(),
                in.maxSensitivity(), in.cprList(), 1, now, actor, now, actor, null);
        tx.executeWithoutResult(t -> store.insert(s));
        changed.run();
        return s;
    }

    public Subscription replace(UUID receiver, String municipality, UUID id, int expectedVersion,
                                Subscription.Input in, String actor) {
        Subscription old = find(receiver, municipality, id);
        check(receiver, municipality, in);
        Instant now = clock.instant();
        Subscription s = new Subscription(id, receiver, municipality, in.name(),
                List.copyOf(new LinkedHashSet<>(in.messageTypes())), in.kle(), in.objectTypes(), in.actions(),
                in.maxSensitivity(), in.cprList(), old.version() + 1, old.createdAt(), old.createdBy(), now, actor, null);
        if (old.endedAt() != null || !tx.execute(t -> store.update(s, expectedVersion))) {
            throw stale(old, expectedVersion);
        }
        changed.run();
        return s;
    }

    public Subscription end(UUID receiver, String municipality, UUID id, int expectedVersion, String actor) {
        Subscription old = find(receiver, municipality, id);
        if (old.endedAt() != null || !tx.execute(t -> store.end(id, expectedVersion, clock.instant(), actor))) {
            throw stale(old, expectedVersion);
        }
        changed.run();
        return find(receiver, municipality, id);
    }

    private static ApiException stale(Subscription s, int expected) {
        if (s.endedAt() != null) {
            return new ApiException(ErrorCode.GONE, "Subscription " + s.id() + " has ended");
        }
        return new ApiException(ErrorCode.STALE_VERSION, "Subscription " + s.id() + " is at version " + s.version()
                + ", not " + expected);
    }

    /** The subscription, if it is the receiver's for that municipality; otherwise 404 (others' do not exist to it). */
    public Subscription find(UUID receiver, String municipality, UUID id) {
        return store.find(id).filter(s -> s.receiver().equals(receiver) && s.municipality().equals(municipality))
                .orElseThrow(() -> ApiException.notFound("Subscription", id));
    }

    public List<Subscription> list(UUID receiver, String municipality, boolean ended) {
        return store.list(receiver, municipality, ended);
    }

    private void check(UUID receiver, String municipality, Subscription.Input in) {
        Set<String> known = classifications.knownClasses(Distributor.MESSAGE_TYPES, in.messageTypes(), municipality);
        List<FieldProblem> problems = new ArrayList<>();
        for (int i = 0; i < in.messageTypes().size(); i++) {
            if (!known.contains(in.messageTypes().get(i))) {
                problems.add(new FieldProblem("/messageTypes/" + i, "'" + in.messageTypes().get(i)
                        + "' is not a message type of classification " + Distributor.MESSAGE_TYPES));
            }
        }
        if (in.cprList() != null) {
            ValueList l = store.findList(in.cprList()).orElse(null);
            if (l == null || !l.owner().equals(receiver) || !l.municipality().equals(municipality)) {
                problems.add(new FieldProblem("/cprList", "no value list " + in.cprList() + " of this system"));
            } else if (l.kind() != ValueList.Kind.CPR) {
                problems.add(new FieldProblem("/cprList", "value list " + in.cprList() + " holds " + l.kind()
                        + " numbers, not CPR"));
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiException(problems.get(0).reason().contains("value list") ? ErrorCode.BROKEN_REFERENCE
                    : ErrorCode.VALIDATION_FAILED, problems.get(0).field() + ": " + problems.get(0).reason(), problems);
        }
    }

    // value lists

    public ValueList createList(UUID owner, String municipality, ValueList.Input in, String actor) {
        checkValues(in.kind(), in.values(), "/values");
        return tx.execute(t -> {
            if (store.lists(owner, municipality).stream().anyMatch(l -> l.name().equals(in.name()))) {
                throw ApiException.field(ErrorCode.DUPLICATE, "/name", "a value list named '" + in.name() + "' exists");
            }
            UUID id = UUID.randomUUID();
            store.insertList(new ValueList(id, owner, municipality, in.name(), in.kind(), 1, 0, clock.instant(), actor));
            store.addValues(id, new LinkedHashSet<>(in.values()));
            return store.findList(id).orElseThrow();
        });
    }

    /** Replaces a list's whole content. */
    public ValueList replaceList(UUID owner, String municipality, UUID id, int expectedVersion, ValueList.Input in,
                                 String actor) {
        ValueList old = findList(owner, municipality, id);
        if (old.kind() != in.kind()) {
            throw ApiException.field(ErrorCode.VALIDATION_FAILED, "/kind", "a list keeps its kind " + old.kind());
        }
        checkValues(in.kind(), in.values(), "/values");
        return tx.execute(t -> {
            touch(old, expectedVersion, in.name(), actor);
            store.clearList(id);
            store.addValues(id, new LinkedHashSet<>(in.values()));
            return store.findList(id).orElseThrow();
        });
    }

    /** Adds and removes values in one change. */
    public ValueList changeList(UUID owner, String municipality, UUID id, int expectedVersion, ValueList.Change c,
                                String actor) {
        ValueList old = findList(owner, municipality, id);
        checkValues(old.kind(), c.add(), "/add");
        return tx.execute(t -> {
            touch(old, expectedVersion, null, actor);
            store.removeValues(id, c.remove());
            store.addValues(id, new LinkedHashSet<>(c.add()));
            return store.findList(id).orElseThrow();
        });
    }

    public void deleteList(UUID owner, String municipality, UUID id, int expectedVersion) {
        ValueList old = findList(owner, municipality, id);
        tx.executeWithoutResult(t -> {
            if (store.listInUse(id)) {
                throw new ApiException(ErrorCode.VALIDATION_FAILED, "Value list " + id
                        + " is used by a subscription; change or end the subscription first");
            }
            touch(old, expectedVersion, null, "delete");
            store.deleteList(id);
        });
    }

    private void touch(ValueList old, int expectedVersion, String name, String actor) {
        if (!store.touchList(old.id(), expectedVersion, name, clock.instant(), actor)) {
            throw new ApiException(ErrorCode.STALE_VERSION, "Value list " + old.id() + " is at version "
                    + store.findList(old.id()).map(ValueList::version).orElse(old.version()) + ", not " + expectedVersion);
        }
    }

    public ValueList findList(UUID owner, String municipality, UUID id) {
        return store.findList(id).filter(l -> l.owner().equals(owner) && l.municipality().equals(municipality))
                .orElseThrow(() -> ApiException.notFound("Value list", id));
    }

    public List<ValueList> lists(UUID owner, String municipality) {
        return store.lists(owner, municipality);
    }

    public List<String> values(UUID owner, String municipality, UUID id, String after, int limit) {
        findList(owner, municipality, id);
        return store.values(id, after, limit);
    }

    private static void checkValues(ValueList.Kind kind, List<String> values, String field) {
        List<FieldProblem> problems = new ArrayList<>();
        for (int i = 0; i < values.size() && problems.size() < 20; i++) {
            if (!kind.valid(values.get(i))) {
                problems.add(new FieldProblem(field + "/" + i, "not a " + kind + " number"));
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, problems.get(0).field() + ": " + problems.get(0).reason(),
                    problems);
        }
    }
}
