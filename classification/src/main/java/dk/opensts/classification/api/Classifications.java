package dk.opensts.classification.api;

import java.io.Reader;
import java.util.Collection;
import java.util.Set;
import java.util.Optional;
import java.util.UUID;

/** What other modules may ask of the Classification registry. */
public interface Classifications {

    /** The class with this user key (for example a KLE number) in the classification with that user key, now. */
    Optional<UUID> findClass(String classificationUserKey, String classUserKey);

    /** Imports a KLE-Emneplan XML document into the KLE classification; returns the number of classes in it. */
    int importKle(Reader xml, String actor);

    /**
     * Makes sure a national classification (by user key) with one facet holds these classes (user
     * key to title), adding what is missing and leaving every other class alone; returns how many
     * classes were added. For classifications OpenSTS itself defines classes in, such as message types.
     */
    int ensureNationalClasses(String classificationUserKey, String title, java.util.Map<String, String> classes,
                              String actor);

    /**
     * Which of {@code classUserKeys} are classes of that classification at any time (as known now):
     * national classes, and the local classes of the municipality {@code cvr}.
     */
    Set<String> knownClasses(String classificationUserKey, Collection<String> classUserKeys, String cvr);

    /** The title of a national class valid now (a KLE subject's or handling facet's name), if it exists. */
    Optional<String> classTitle(String classificationUserKey, String classUserKey);
}
