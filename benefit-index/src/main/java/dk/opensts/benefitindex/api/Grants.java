package dk.opensts.benefitindex.api;

import dk.opensts.platform.index.SearchScopes;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** What other modules (the case index, the overview) may ask of the benefit index. */
public interface Grants {

    /**
     * The grants of these case numbers in the scope's municipality that the scope admits, by case number, each as the JSON the benefit index answers a search with.
     */
    Map<String, List<String>> forCases(SearchScopes.Scope scope, Collection<String> caseNumbers);
}
