package dk.opensts.messaging.domain;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A value list a subscription filters on, kept by the receiving system: today the CPR numbers (or
 * CVR numbers) it follows, for example the citizens with an open case in the fagsystem.
 */
public record ValueList(UUID id, UUID owner, String municipality, String name, Kind kind, int version, long size,
                        Instant updatedAt, String updatedBy) {

    public enum Kind {
        CPR("[0-9]{10}"), CVR("[0-9]{8}");

        private final java.util.regex.Pattern pattern;

        Kind(String regex) {
            this.pattern = java.util.regex.Pattern.compile(regex);
        }

        public boolean valid(String value) {
            return pattern.matcher(value).matches();
        }
    }

    /** A new list, or the whole content of one replaced. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "ValueListInput", description = "A new value list, or the whole content of one replaced")
    public record Input(@NotBlank @Size(max = 200) String name, @NotNull Kind kind,
                        @NotNull @Size(max = 1_000_000) List<@NotNull String> values) {
    }

    /** Values added to and removed from a list in one change. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "ValueListChange", description = "Values added to and removed from a value list in one change")
    public record Change(@Size(max = 100_000) List<@NotNull String> add, @Size(max = 100_000) List<@NotNull String> remove) {
        public Change {
            add = add == null ? List.of() : List.copyOf(add);
            remove = remove == null ? List.of() : List.copyOf(remove);
        }
    }
}
