package io.boson.webhooks;

import io.boson.bus.Bus;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event service publishes and subscribes through the tap, so the tap must pass on every method
 * of {@link Bus}, default ones included: a default it does not override (as {@code sync} once was)
 * would silently replace the real bus's behaviour.
 */
class EventTapTest {

    @Test
    void overridesEveryMethodOfTheBus() {
        for (Method m : Bus.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() != Bus.class) continue;
            try {
                Method own = EventTap.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
                assertThat(own.getDeclaringClass()).isEqualTo(EventTap.class);
            } catch (NoSuchMethodException e) {
                throw new AssertionError("EventTap does not pass on Bus." + m.getName() + " to the real bus");
            }
        }
    }
}
