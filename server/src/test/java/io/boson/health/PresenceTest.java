package io.boson.health;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.boson.testing.Api;
import io.boson.testing.BlackholeProxy;
import io.boson.testing.CloudTest;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A device whose network path dies without a DISCONNECT (no FIN, no reset: a relay that goes
 * silent) is offline within 1.5 × its keep-alive, with {@code spark/status offline} and the reason
 * recorded with the device and in its history.
 */
class PresenceTest extends CloudTest {

    @Test
    void aSilentlyDeadConnectionIsOfflineWithinOneAndAHalfKeepAlives() throws Exception {
        Api owner = cloud.newUser();
        TestCloud.Credentials c = cloud.registerDevice();
        try (BlackholeProxy path = new BlackholeProxy(cloud.mqttPort());
             SseStream status = SseStream.open(cloud.baseUrl(), "/v1/devices/events/spark/status", owner.token())) {
            Mqtt5AsyncClient device = MqttClient.builder().useMqttVersion5().identifier(c.id()).serverHost("127.0.0.1")
                    .serverPort(path.port()).buildAsync();
            device.connectWith().simpleAuth().username(c.id()).password(c.secret().getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth().keepAlive(1).send().get(10, TimeUnit.SECONDS);
            assertThat(owner.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
            assertThat(owner.get("/v1/devices/" + c.id()).json().get("online").asBoolean()).isTrue();

            long cutAt = System.nanoTime();
            path.cut();
            SseStream.Received offline = status.next("spark/status", Duration.ofSeconds(10));
            long tookMillis = (System.nanoTime() - cutAt) / 1_000_000;
            System.out.println("keep-alive 1 s: offline " + tookMillis + " ms after the path went silent");
            assertThat(offline.data().get("data").asText()).isEqualTo("offline");
            assertThat(offline.data().get("coreid").asText()).isEqualTo(c.id());
            // 1.5 × keep-alive after the last packet, which came at most one keep-alive before the cut;
            // the slack is for a loaded 2-core machine.
            assertThat(tookMillis).isLessThan(1_500 + 750);
            var d = owner.get("/v1/devices/" + c.id()).json();
            assertThat(d.get("online").asBoolean()).isFalse();
            assertThat(d.get("last_disconnect_reason").asText()).isEqualTo("keep-alive timeout");
            cloud.boson().health().flush();
            assertThat(owner.get("/v1/diagnostics/" + c.id() + "/connections").json().get("disconnects").get(0)
                    .get("reason").asText()).isEqualTo("keep-alive timeout");
            device.disconnect();
        }
    }

}
