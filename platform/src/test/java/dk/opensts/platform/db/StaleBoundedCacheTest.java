package dk.opensts.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StaleBoundedCacheTest {

    private final AtomicLong clock = new AtomicLong();
    private final AtomicInteger reads = new AtomicInteger();
    private final StaleBoundedCache<String, String> cache =
            new StaleBoundedCache<>(Duration.ofSeconds(2), 3, clock::get);

    private Optional<String> read(String key, String value) {
        return cache.get(key, () -> {
            reads.incrementAndGet();
            return Optional.ofNullable(value);
        });
    }

    @Test
    void aValueIsReadAgainOnlyWhenOlderThanTheBound() {
        assertThat(read("a", "1")).contains("1");
        clock.addAndGet(Duration.ofMillis(1999).toNanos());
        assertThat(read("a", "2")).contains("1");
        assertThat(reads).hasValue(1);
        clock.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(read("a", "2")).contains("2");
        assertThat(reads).hasValue(2);
    }

    @Test
    void absenceIsRememberedToo() {
        assertThat(read("missing", null)).isEmpty();
        assertThat(read("missing", "now there")).isEmpty();
        assertThat(reads).hasValue(1);
    }

    @Test
    void anInvalidationIsSeenByTheNextRead() {
        read("a", "1");
        cache.invalidate();
        assertThat(read("a", "2")).contains("2");
        assertThat(reads).hasValue(2);
    }

    @Test
    void aReadOverlappingAnInvalidationIsNotKept() {
        // the read started before the change was written and finished after it: its value may be the old one
        assertThat(cache.get("a", () -> {
            cache.invalidate();
            return Optional.of("old");
        })).contains("old");
        assertThat(read("a", "new")).contains("new");
    }

    @Test
    void heldEntriesAreBounded() {
        read("a", "1");
        read("b", "1");
        read("c", "1");
        read("d", "1");
        read("a", "1");
        assertThat(reads).hasValue(5);
    }

    @Test
    void aZeroBoundReadsThroughEveryTime() {
        StaleBoundedCache<String, String> none = new StaleBoundedCache<>(Duration.ZERO, 10, clock::get);
        none.get("a", () -> Optional.of(String.valueOf(reads.incrementAndGet())));
        assertThat(none.get("a", () -> Optional.of(String.valueOf(reads.incrementAndGet())))).contains("2");
    }
}
