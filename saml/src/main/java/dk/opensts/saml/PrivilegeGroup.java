package dk.opensts.saml;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One privilege of the OIO basic privilege profile: a system role ({@code privilege}, a URI) held for
 * a municipality ({@code cvr}) with its data constraints (constraint type to comma-separated values).
 */
public record PrivilegeGroup(String cvr, String privilege, Map<String, String> constraints) {
    public PrivilegeGroup {
        constraints = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(constraints));
    }
}
