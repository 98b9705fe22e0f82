package io.boson.device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventFilterTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            // no wildcard: Particle's prefix rule
            "temp, temp, true",
            "temp, temperature, true",
            "temp, tem, false",
            "sensors/door, sensors/door/open, true",
            "sensors/door, sensors/window, false",
            // wildcards: MQTT rules over the name's levels
            "sensors/+, sensors/door, true",
            "sensors/+, sensors/door/open, false",
            "sensors/+/open, sensors/door/open, true",
            "sensors/+/open, sensors/door/closed, false",
            "sensors/#, sensors, true",
            "sensors/#, sensors/door/open, true",
            "sensors/#, sensorsX, false",
            "#, anything/at/all, true",
            "+, temperature, true",
            "+, a/b, false",
    })
    void matchesLikeTheCloud(String filter, String name, boolean expected) {
        assertThat(new EventFilter(filter).matches(name)).isEqualTo(expected);
    }

    @Test
    void subscribesUnderTheEventTopic() {
        assertThat(new EventFilter("sensors/+").topicFilter()).isEqualTo("c/e/sensors/+");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/#/b", "a+", "a/b#", "#/a"})
    void rejectsMalformedFilters(String filter) {
        assertThatThrownBy(() -> new EventFilter(filter)).isInstanceOf(IllegalArgumentException.class);
    }
}
