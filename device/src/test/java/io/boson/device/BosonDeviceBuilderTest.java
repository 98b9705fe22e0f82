package io.boson.device;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BosonDeviceBuilderTest {

    @Test
    void deviceIdsAre24LowercaseHex() {
        assertThatCode(() -> BosonDevice.builder().deviceId("0123456789abcdef01234567")).doesNotThrowAnyException();
        assertThatThrownBy(() -> BosonDevice.builder().deviceId("0123456789ABCDEF01234567"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BosonDevice.builder().deviceId("0123")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesFollowTheDescribeRules() {
        BosonDeviceBuilder builder = BosonDevice.builder().function("set_Led-2", arg -> 0);

        assertThatThrownBy(() -> builder.function("a/b", arg -> 0)).hasMessageContaining("function name");
        assertThatThrownBy(() -> builder.function("x".repeat(65), arg -> 0)).hasMessageContaining("function name");
        assertThatThrownBy(() -> builder.function("set_Led-2", arg -> 0)).hasMessageContaining("already defined");
        assertThatThrownBy(() -> builder.variable("", VariableType.BOOL, () -> true)).hasMessageContaining("variable name");
    }

    @Test
    void atMostOneHundredFunctions() {
        BosonDeviceBuilder builder = BosonDevice.builder();
        for (int i = 0; i < 100; i++) {
            builder.function("f" + i, arg -> 0);
        }

        assertThatThrownBy(() -> builder.function("one_more", arg -> 0)).hasMessageContaining("at most 100");
    }

    @Test
    void productFirmwareNeedsIdAndVersionInRange() {
        assertThatThrownBy(() -> BosonDevice.builder().productId(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BosonDevice.builder().productVersion(65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BosonDevice.builder().deviceId("0123456789abcdef01234567").secret("s")
                .productId(4021).build()).hasMessageContaining("productVersion");
    }

    @Test
    void keepAliveFitsMqtt() {
        assertThatThrownBy(() -> BosonDevice.builder().keepAlive(Duration.ofSeconds(65536)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void idAndSecretAreRequired() {
        assertThatThrownBy(() -> BosonDevice.builder().secret("s").build()).isInstanceOf(IllegalStateException.class);
    }
}
