package dk.opensts.access.saml;

import dk.opensts.access.api.ServiceAgreements;
import dk.opensts.access.api.UserAccess;
import dk.opensts.access.roles.UserSystems;
import dk.opensts.platform.security.Actor;
import dk.opensts.saml.SamlException;
import dk.opensts.saml.ServiceProvider;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** {@link UserAccess} by the same checks and the same privilege rule as the SAML bearer grant (the token service's UserTokens). */
class InProcessUserAccess implements UserAccess {

    private final Supplier<ContextHandler.Settings> settings;
    private final AssertionExchange assertions;
    private final UserSystems systems;
    private final ServiceAgreements agreements;
    private final Clock clock;

    InProcessUserAccess(Supplier<ContextHandler.Settings> settings, AssertionExchange assertions, UserSystems systems,
                        ServiceAgreements agreements, Clock clock) {
        this.settings = settings;
        this.assertions = assertions;
        this.systems = systems;
        this.agreements = agreements;
        this.clock = clock;
    }

    @Override
    public String baseUrl() {
        return settings.get().baseUrl();
    }

    @Override
    public ServiceProvider.IdentityProvider contextHandler() {
        ContextHandler.Settings s = settings.get();
        return new ServiceProvider.IdentityProvider(s.idpEntityId(), s.ssoUrl(), List.of(s.certificate()));
    }

    @Override
    public Actor actor(byte[] assertion, String userSystem, String service) {
        UUID itSystem = systems.find(userSystem).map(UserSystems.UserSystem::itSystem)
                .orElseThrow(() -> new SamlException(userSystem + " is not a registered user-facing system with a back end"));
        AssertionExchange.User user = assertions.verify(assertion, itSystem);
        if (!userSystem.equals(user.system().entityId())) {
            throw new SamlException("the assertion was issued to " + user.system().entityId());
        }
        Set<String> allowed = agreements.approvedGrants(itSystem, service, user.cvr(), clock.instant()).stream()
                .map(ServiceAgreements.Grant::role).collect(Collectors.toSet());
        List<Actor.Grant> grants = user.privileges(service, allowed).stream()
                .map(p -> new Actor.Grant((String) p.get("role"), castConstraints(p.get("constraints"))))
                .toList();
        return new Actor(user.id().toString(), user.name(), user.cvr(), service, grants);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> castConstraints(Object constraints) {
        return (Map<String, String>) constraints;
    }
}
