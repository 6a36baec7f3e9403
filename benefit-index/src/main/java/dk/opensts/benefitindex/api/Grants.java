package dk.opensts.benefitindex.api;

import dk.opensts.platform.security.DataScope;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/** What other modules (the case index, the overview) may ask of the benefit index. */
public interface Grants {

    /**
     * The grants of these case numbers in the scope's municipality that the scope admits (unit trees
     * resolved), by case number, each as the API shows a grant.
     */
    Map<String, List<ObjectNode>> forCases(DataScope scope, Collection<String> caseNumbers);
}
