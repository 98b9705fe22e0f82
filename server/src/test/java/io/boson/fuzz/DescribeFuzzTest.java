package io.boson.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.devices.Describe;
import io.boson.errors.DomainException;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the describe parser (device protocol section 5) with any payload a device could publish
 * on {@code d}: it either refuses with {@link DomainException.Invalid} or returns a describe within
 * the protocol's limits that fits where it is stored, and parsing the stored text gives the same
 * describe back (what the cloud forwards after a restart is what it accepted).
 */
class DescribeFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest(maxDuration = "10s")
    void describeIsRefusedOrWithinLimits(byte[] payload) {
        Describe d;
        try {
            d = Describe.parse(JSON, payload);
        } catch (DomainException.Invalid refused) {
            return;
        }
        assertThat(d.functions()).hasSizeLessThanOrEqualTo(Describe.MAX_FUNCTIONS).doesNotHaveDuplicates()
                .allMatch(f -> f.matches("[A-Za-z0-9_-]{1,64}"));
        assertThat(d.variables()).hasSizeLessThanOrEqualTo(Describe.MAX_VARIABLES);
        d.variables().forEach((name, type) -> {
            assertThat(name).matches("[A-Za-z0-9_-]{1,64}");
            assertThat(Describe.VARIABLE_TYPES).contains(type);
        });
        if (d.productVersion() != null) assertThat(d.productVersion()).isBetween(1, 65535);
        if (d.productId() != null) assertThat(d.productId()).isPositive();
        if (d.platformId() != null) assertThat(d.platformId()).isNotNegative();
        // What is stored: the payload as text (device_reports.describe_json) and the system version.
        String stored = new String(payload, StandardCharsets.UTF_8);
        assertThat(stored.length()).as("stored describe").isLessThanOrEqualTo(Describe.MAX_STORED_CHARS);
        if (d.systemVersion() != null) {
            assertThat(d.systemVersion().length()).as("system_version").isLessThanOrEqualTo(Describe.MAX_SYSTEM_VERSION_CHARS);
        }
        assertThat(Describe.fromStored(JSON, stored)).as("the stored describe read back").isEqualTo(d);
    }
}
