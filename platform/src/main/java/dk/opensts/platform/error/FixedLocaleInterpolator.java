package dk.opensts.platform.error;

import jakarta.validation.MessageInterpolator;
import java.util.Locale;

/**
 * Interpolates bean-validation messages in the API's one language: the base messages (English), as
 * {@link Locale#ROOT} asks for them, neither the request's locale nor the machine's.
 */
public class FixedLocaleInterpolator implements MessageInterpolator {

    private final MessageInterpolator target;

    public FixedLocaleInterpolator(MessageInterpolator target) {
        this.target = target;
    }

    @Override
    public String interpolate(String template, Context context) {
        return target.interpolate(template, context, Locale.ROOT);
    }

    @Override
    public String interpolate(String template, Context context, Locale locale) {
        return target.interpolate(template, context, Locale.ROOT);
    }
}
