package dk.opensts.platform.bitemporal;

import java.util.List;
import java.util.UUID;

/**
 * The columns a version is found by, derived from its attributes: user key (or another natural
 * key), name, parent in its hierarchy and the objects it links to.
 */
public record IndexFields(String userKey, String name, UUID parentId, List<UUID> refs) {

    public IndexFields {
        refs = refs == null ? List.of() : refs.stream().filter(java.util.Objects::nonNull).distinct().toList();
    }
}
