package dk.opensts.platform.index;

import dk.opensts.platform.security.Actor;
import dk.opensts.platform.security.DataScope;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The search scopes of callers, resolved (org unit trees expanded) and turned into SQL filters once
 * per set of privileges and reused for {@link #TTL_NANOS}: a system or user searching again with
 * the same token pays for neither. A scope is never older than that, so a reorganisation reaches
 * searches within 30 seconds (the context handler fixes dynamic constraints for a whole login).
 */
public final class SearchScopes {

    public static final long TTL_NANOS = 30_000_000_000L;
    private static final int MAX_ENTRIES = 10_000;

    private record Key(String municipality, java.util.List<Actor.Grant> grants) {
    }

    /** A resolved scope and its SQL filters by table. */
    public static final class Scope {
        private final long at;
        private final DataScope scope;
        private final ConcurrentHashMap<DataScope.Columns, DataScope.Filter> filters = new ConcurrentHashMap<>();

        Scope(long at, DataScope scope) {
            this.at = at;
            this.scope = scope;
        }

        public DataScope scope() {
            return scope;
        }

        public boolean protectedData() {
            return scope.protectedData();
        }

        /** The filter on a table's columns (its parameters are named {@code s...}). */
        public DataScope.Filter filter(DataScope.Columns columns) {
            return filters.computeIfAbsent(columns, c -> scope.filter(c, "s"));
        }
    }

    private final Function<Set<UUID>, Set<UUID>> subunits;
    private final ConcurrentHashMap<Key, Scope> scopes = new ConcurrentHashMap<>();

    /** @param subunits the units of trees (Organisation's API) */
    public SearchScopes(Function<Set<UUID>, Set<UUID>> subunits) {
        this.subunits = subunits;
    }

    /** The caller's search scope; 403 without the {@code search} role or a municipality. */
    public Scope of(Actor actor) {
        Key key = new Key(actor.municipality(), actor.grants());
        long now = System.nanoTime();
        Scope s = scopes.get(key);
        if (s != null && now - s.at < TTL_NANOS) {
            return s;
        }
        s = new Scope(now, IndexEndpoints.searchScope(actor).resolveUnits(subunits));
        if (scopes.size() >= MAX_ENTRIES) {
            scopes.clear();
        }
        scopes.put(key, s);
        return s;
    }
}
