package dk.opensts.platform.registry;

/** The name, attribute record and personal-data flag of an {@link ObjectTypeSpec}; subclasses add the rules. */
public abstract class NamedTypeSpec<A> implements ObjectTypeSpec<A> {

    private final String name;
    private final Class<A> type;
    private final boolean personal;

    protected NamedTypeSpec(String name, Class<A> type, boolean personal) {
        this.name = name;
        this.type = type;
        this.personal = personal;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Class<A> attributes() {
        return type;
    }

    @Override
    public boolean personal() {
        return personal;
    }
}
