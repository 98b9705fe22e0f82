package io.boson.device;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DescribeTest {

    @Test
    void writesTheProtocolExample() {
        Map<String, VariableType> variables = new LinkedHashMap<>();
        variables.put("temp", VariableType.DOUBLE);
        variables.put("count", VariableType.INT32);
        variables.put("label", VariableType.STRING);
        variables.put("armed", VariableType.BOOL);
        Describe describe = new Describe(List.of("setLed", "reset"), variables, 13, 4021, 7, "6.3.0", true);

        assertThat(json(describe)).isEqualTo("""
                {"f":["setLed","reset"],\
                "v":{"temp":"double","count":"int32","label":"string","armed":"bool"},\
                "platform_id":13,"product_id":4021,"product_version":7,"system_version":"6.3.0",\
                "updates_enabled":true}""");
    }

    @Test
    void developerFirmwareOmitsProductFields() {
        Describe describe = new Describe(List.of(), Map.of(), null, null, null, null, false);

        assertThat(json(describe)).isEqualTo("{\"f\":[],\"v\":{},\"updates_enabled\":false}");
    }

    @Test
    void changingUpdatesEnabledKeepsTheRest() {
        Describe describe = new Describe(List.of("a"), Map.of(), 6, null, null, "1.0", true);

        assertThat(describe.withUpdatesEnabled(false))
                .isEqualTo(new Describe(List.of("a"), Map.of(), 6, null, null, "1.0", false));
    }

    private static String json(Describe describe) {
        return new String(describe.toJson(), StandardCharsets.UTF_8);
    }
}
