package dk.opensts.platform.registry;

import dk.opensts.platform.bitemporal.IndexFields;
import dk.opensts.platform.bitemporal.Period;
import java.util.UUID;

/**
 * What a registry knows about one of its object types: the attribute record, how versions are
 * found (index), who owns an object, which rules a change must keep, and whether it holds
 * personal data (then every read and write is audited).
 *
 * @param <A> the attribute record, read strictly from JSON (unknown fields are refused)
 */
public interface ObjectTypeSpec<A> {

    /** Singular type name stored with each version, for example {@code unit}. */
    String name();

    Class<A> attributes();

    IndexFields index(A attributes);

    /** The owning object (a municipality's organisation, a classification); {@code id} is the object's own id. */
    UUID owner(UUID id, A attributes);

    /** Checks references and structural rules over the period; throws {@link dk.opensts.platform.error.ApiException}. */
    void validate(UUID id, A attributes, Period valid);

    default boolean personal() {
        return false;
    }
}
