package io.boson.device;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectPacerTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    // Starts near Long.MAX_VALUE so the pacer must survive nanoTime wrapping.
    private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - 5 * MS);
    private final ConnectPacer pacer = new ConnectPacer(200, now::get);

    @Test
    void spreadsABurstAtTheConfiguredRate() {
        assertThat(pacer.reserve()).isZero();
        assertThat(pacer.reserve()).isEqualTo(5 * MS);
        assertThat(pacer.reserve()).isEqualTo(10 * MS);
    }

    @Test
    void anIdlePacerAdmitsAtOnce() {
        pacer.reserve();
        now.addAndGet(1000 * MS);

        assertThat(pacer.reserve()).isZero();
        assertThat(pacer.reserve()).isEqualTo(5 * MS);
    }

    @Test
    void slotsAreReservedFromTheCurrentTime() {
        pacer.reserve();
        pacer.reserve();
        now.addAndGet(2 * MS);

        assertThat(pacer.reserve()).isEqualTo(8 * MS);
    }

    @Test
    void rejectsANonPositiveRate() {
        assertThatThrownBy(() -> new ConnectPacer(0, now::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
