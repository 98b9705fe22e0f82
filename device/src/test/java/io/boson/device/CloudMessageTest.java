package io.boson.device;

import io.boson.device.CloudMessage.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class CloudMessageTest {

    @Test
    void parsesRequests() {
        assertThat(CloudMessage.parse("c/f/setLed/Ab12")).isEqualTo(new FunctionCall("setLed", "Ab12"));
        assertThat(CloudMessage.parse("c/v/temp/x9")).isEqualTo(new VariableRead("temp", "x9"));
        assertThat(CloudMessage.parse("c/p/r1")).isEqualTo(new Ping("r1"));
        assertThat(CloudMessage.parse("c/vitals")).isEqualTo(new VitalsRequest());
        assertThat(CloudMessage.parse("c/signal")).isEqualTo(new Signal());
    }

    @Test
    void eventNamesKeepTheirSlashesAndEmptyLevels() {
        assertThat(CloudMessage.parse("c/e/temperature")).isEqualTo(new Event("temperature"));
        assertThat(CloudMessage.parse("c/e/sensors/door/open")).isEqualTo(new Event("sensors/door/open"));
        assertThat(CloudMessage.parse("c/e/a//b")).isEqualTo(new Event("a//b"));
    }

    @Test
    void parsesFirmwareTopics() {
        assertThat(CloudMessage.parse("c/o/job7")).isEqualTo(new FirmwareOffer("job7"));
        assertThat(CloudMessage.parse("c/o/job7/4096")).isEqualTo(new FirmwareChunk("job7", 4096));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "c", "c/", "c/e/", "x/f/a/b", "c/f/a", "c/f/a/b/c", "c/f//r1", "c/v/temp", "c/p", "c/p/r1/x",
            "c/vitals/now", "c/signal/1", "c/o/job/-1", "c/o/job/abc", "c/o/job/1/2", "c/z/1", "e/temp"})
    void anythingElseIsUnknown(String topic) {
        assertThat(CloudMessage.parse(topic)).isEqualTo(new Unknown(topic));
    }
}
