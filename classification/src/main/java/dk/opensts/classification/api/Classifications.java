package dk.opensts.classification.api;

import java.io.Reader;
import java.util.Optional;
import java.util.UUID;

/** What other modules may ask of the Classification registry. */
public interface Classifications {

    /** The class with this user key (for example a KLE number) in the classification with that user key, now. */
    Optional<UUID> findClass(String classificationUserKey, String classUserKey);

    /** Imports a KLE-Emneplan XML document into the KLE classification; returns the number of classes in it. */
    int importKle(Reader xml, String actor);
}
