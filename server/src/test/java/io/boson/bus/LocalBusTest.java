package io.boson.bus;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalBusTest extends BusContract {

    @Override
    protected Bus create() {
        return new LocalBus();
    }

    @Test
    void subjectPatterns() {
        assertThat(Subjects.matches("a.*.c", "a.b.c")).isTrue();
        assertThat(Subjects.matches("a.*", "a.b.c")).isFalse();
        assertThat(Subjects.matches("a.>", "a")).isFalse();
        assertThat(Subjects.matches("a.>", "a.b.c")).isTrue();
        assertThat(Subjects.matches("a.b", "a.b")).isTrue();
        assertThat(Subjects.matches("a.b", "a.bc")).isFalse();
    }
}
