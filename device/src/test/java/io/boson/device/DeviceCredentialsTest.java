package io.boson.device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceCredentialsTest {

    @Test
    void readsTheAdminExportInOrderIgnoringExtraFields(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("devices.json");
        Files.writeString(file, """
                {"product": 4021, "devices": [
                  {"id": "0123456789abcdef01234567", "secret": "s1", "name": "first"},
                  {"id": "89abcdef0123456789abcdef", "secret": "s2"}
                ]}""");

        assertThat(DeviceCredentials.read(file)).containsExactly(
                new DeviceCredentials("0123456789abcdef01234567", "s1"),
                new DeviceCredentials("89abcdef0123456789abcdef", "s2"));
    }

    @Test
    void anEmptyFleetIsFine() throws IOException {
        assertThat(parse("{\"devices\":[]}")).isEmpty();
    }

    @Test
    void rejectsOtherShapes() {
        assertThatThrownBy(() -> parse("[]")).hasMessageContaining("expected {\"devices\"");
        assertThatThrownBy(() -> parse("{\"devices\":{}}")).hasMessageContaining("expected {\"devices\"");
        assertThatThrownBy(() -> parse("{\"devices\":[{\"id\":\"a\"}]}"))
                .hasMessage("devices[0] needs a non-empty \"id\" and \"secret\"");
        assertThatThrownBy(() -> parse("{not json")).isInstanceOf(IOException.class);
    }

    @Test
    void namesTheFileWhenItIsWrong(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{}");

        assertThatThrownBy(() -> DeviceCredentials.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void keepsSecretsOutOfToString() {
        assertThat(new DeviceCredentials("0123456789abcdef01234567", "hunter2").toString()).doesNotContain("hunter2");
    }

    private static List<DeviceCredentials> parse(String json) throws IOException {
        return DeviceCredentials.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }
}
