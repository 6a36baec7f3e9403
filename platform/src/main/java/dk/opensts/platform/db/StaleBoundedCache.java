package dk.opensts.platform.db;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.LongSupplier;

/**
 * Configuration rows read on every request (a login's service provider and municipal IdP) kept in
 * memory for at most {@code maxAge}: a change written on this node holds here at once ({@link
 * #invalidate()}), one written on another node within {@code maxAge}. What is absent is remembered
 * too, so that requests naming an unknown key do not each reach the database. {@code maxAge} of
 * zero reads through every time.
 *
 * <p>A value read while an invalidation ran is not kept: each read notes the generation it started
 * in and stores its result only if no invalidation came in between.
 */
public final class StaleBoundedCache<K, V> {

    private record Entry<V>(Optional<V> value, long readAt, long generation) {
    }

    private final long maxAgeNanos;
    private final int maxEntries;
    private final LongSupplier nanoTime;
    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    public StaleBoundedCache(Duration maxAge, int maxEntries) {
        this(maxAge, maxEntries, System::nanoTime);
    }

    StaleBoundedCache(Duration maxAge, int maxEntries, LongSupplier nanoTime) {
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge must not be negative");
        }
        this.maxAgeNanos = maxAge.toNanos();
        this.maxEntries = maxEntries;
        this.nanoTime = nanoTime;
    }

    /** The value of {@code key}, read with {@code load} when not held or older than the bound. */
    public Optional<V> get(K key, Supplier<Optional<V>> load) {
        if (maxAgeNanos == 0) {
            return load.get();
        }
        long now = nanoTime.getAsLong();
        long gen = generation.get();
        Entry<V> e = entries.get(key);
        if (e != null && e.generation() == gen && now - e.readAt() < maxAgeNanos) {
            return e.value();
        }
        Optional<V> value = load.get();
        if (generation.get() == gen) {
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
            entries.put(key, new Entry<>(value, now, gen));
        }
        return value;
    }

    /** Forgets everything held: the next read of any key reads the database. */
    public void invalidate() {
        generation.incrementAndGet();
        entries.clear();
    }
}
