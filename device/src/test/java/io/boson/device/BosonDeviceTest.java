package io.boson.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The protocol logic of a device, against a stub session (see BosonDeviceMqttTest for the wire). */
class BosonDeviceTest {

    private static final String ID = "0123456789abcdef01234567";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> doorEvents = new ArrayList<>();
    private StubLink link;
    private final BosonDevice device = BosonDevice.builder()
            .deviceId(ID)
            .secret("s3cret")
            .function("led", arg -> arg.equals("on") ? 1 : 0)
            .variable("count", VariableType.INT32, () -> 3)
            .subscribe("door", (name, data) -> doorEvents.add(name + "=" + new String(data)))
            .subscribe("window/+", (name, data) -> doorEvents.add("window handler got " + name))
            .vitals(() -> Map.of("battery_charge", 87))
            .build(settings -> link = new StubLink(settings));

    @Test
    void connectSubscribesToRequestsAndEventsThenDescribes() throws Exception {
        device.connect().join();

        assertThat(device.isConnected()).isTrue();
        assertThat(link.subscribed).containsExactly(
                "c/f/#", "c/v/#", "c/p/#", "c/o/#", "c/vitals", "c/signal", "c/e/door", "c/e/window/+");
        assertThat(link.last().topic()).isEqualTo("d");
        JsonNode describe = JSON.readTree(link.last().payload());
        assertThat(describe.get("f").toString()).isEqualTo("[\"led\"]");
        assertThat(describe.get("v").toString()).isEqualTo("{\"count\":\"int32\"}");
        assertThat(describe.get("updates_enabled").asBoolean()).isTrue();
    }

    @Test
    void aRefusedDescribeFailsTheConnectAndEndsTheSession() {
        link.ack = new PublishAck(0x87, "NOT_AUTHORIZED");

        assertThatThrownBy(() -> device.connect().join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(ConnectRefusedException.class)
                .satisfies(e -> assertThat(((ConnectRefusedException) e).reasonCode()).isEqualTo(0x87));
        assertThat(device.isConnected()).isFalse();
        assertThat(link.disconnects).isEqualTo(1);
    }

    @Test
    void aRefusedConnectReachesTheCaller() {
        link.refuseConnect = new ConnectRefusedException(0x97, "QUOTA_EXCEEDED");

        assertThatThrownBy(() -> device.connect().join()).cause().isSameAs(link.refuseConnect);
        assertThat(device.isConnected()).isFalse();
    }

    @Test
    void connectingTwiceIsRefused() {
        device.connect().join();

        assertThatThrownBy(() -> device.connect().join()).cause().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void answersFunctionCallsVariableReadsAndPings() {
        link.deliver("c/f/led/A1", "on");
        assertThat(link.last()).extracting(StubLink.Sent::topic, StubLink.Sent::text).containsExactly("r/A1", "1");

        link.deliver("c/v/count/A2", "");
        assertThat(link.last()).extracting(StubLink.Sent::topic, StubLink.Sent::text).containsExactly("r/A2", "3");

        link.deliver("c/p/A3", "");
        assertThat(link.last()).extracting(StubLink.Sent::topic, StubLink.Sent::text).containsExactly("r/A3", "");

        link.deliver("c/f/fly/A4", "");
        assertThat(link.last()).extracting(StubLink.Sent::topic, StubLink.Sent::text)
                .containsExactly("r/A4/err", "unknown function: fly");
    }

    @Test
    void sendsVitalsWhenAsked() throws Exception {
        device.connect().join();

        link.deliver("c/vitals", "");

        assertThat(link.last().topic()).isEqualTo("v");
        JsonNode vitals = JSON.readTree(link.last().payload());
        assertThat(vitals.get("connect_attempts").asLong()).isEqualTo(1);
        assertThat(vitals.get("disconnects").asLong()).isZero();
        assertThat(vitals.get("battery_charge").asInt()).isEqualTo(87);
        assertThat(vitals.has("uptime")).isTrue();
    }

    @Test
    void recordsSignalling() {
        link.deliver("c/signal", "1");
        assertThat(device.isSignaling()).isTrue();

        link.deliver("c/signal", "0");
        assertThat(device.isSignaling()).isFalse();

        link.deliver("c/signal", "maybe");
        assertThat(device.isSignaling()).isFalse();
    }

    @Test
    void deliversEventsToMatchingHandlersOnly() {
        link.deliver("c/e/doorbell", "ding");
        link.deliver("c/e/window/kitchen", "open");
        link.deliver("c/e/window/kitchen/left", "open");

        assertThat(doorEvents).containsExactly("doorbell=ding", "window handler got window/kitchen");
        assertThat(device.eventsReceived()).isEqualTo(3);
    }

    @Test
    void publishesEventsAndCountsTheCloudsAnswers() {
        assertThat(device.publish("temperature", "21.5").join()).isEqualTo(PublishAck.SUCCESS);
        assertThat(link.last()).extracting(StubLink.Sent::topic, StubLink.Sent::text).containsExactly("e/temperature", "21.5");

        link.ack = new PublishAck(0x97, "QUOTA_EXCEEDED");
        assertThat(device.publish("temperature", "21.6").join().isRateLimited()).isTrue();

        link.ack = new PublishAck(0x90, "TOPIC_NAME_INVALID");
        assertThat(device.publish("spark/nope", "x").join().isAccepted()).isFalse();

        assertThat(device.eventsPublished()).isEqualTo(1);
        assertThat(device.eventsRateLimited()).isEqualTo(1);
        assertThat(device.eventsRefused()).isEqualTo(1);
    }

    @Test
    void claimsWithACode() {
        device.claim("CLAIM123").join();

        assertThat(link.last()).extracting(StubLink.Sent::topic, StubLink.Sent::text).containsExactly("k", "CLAIM123");
    }

    @Test
    void rejectsMalformedFirmwareOffers() throws Exception {
        link.deliver("c/o/job42", "{\"version\":2,\"size\":10,\"sha256\":\"00\",\"chunk\":512}");

        assertThat(link.last().topic()).isEqualTo("o/job42/s");
        assertThat(JSON.readTree(link.last().payload()).get("state").asText()).isEqualTo("rejected");
    }

    @Test
    void downloadsVerifiesAppliesAndReconnectsWithTheNewVersion() throws Exception {
        BosonDevice product = BosonDevice.builder().deviceId(ID).secret("s").productId(4021).productVersion(1)
                .build(settings -> link = new StubLink(settings));
        product.connect().join();
        String image = "0123456789";
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(image.getBytes()));
        link.deliver("c/o/j1", "{\"version\":2,\"size\":10,\"sha256\":\"" + sha + "\",\"chunk\":6}");
        assertThat(link.last()).extracting(StubLink.Sent::topic, StubLink.Sent::text).containsExactly("o/j1/get", "0");
        link.deliver("c/o/j1/0", "012345");
        assertThat(link.last()).extracting(StubLink.Sent::topic, StubLink.Sent::text).containsExactly("o/j1/get", "6");
        link.deliver("c/o/j1/0", "012345"); // a duplicate is ignored
        link.deliver("c/o/j1/6", "6789");

        assertThat(link.sent).extracting(StubLink.Sent::topic).contains("o/j1/s");
        assertThat(product.productVersion()).isEqualTo(2);
        assertThat(link.disconnects).isEqualTo(1);
        assertThat(JSON.readTree(link.last().payload()).get("product_version").asInt()).isEqualTo(2);
        assertThat(product.isConnected()).isTrue();
    }

    @Test
    void reportsACorruptImageAsFailed() throws Exception {
        String image = "0123456789";
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(image.getBytes()));
        link.deliver("c/o/j2", "{\"version\":2,\"size\":10,\"sha256\":\"" + sha + "\",\"chunk\":10}");
        link.deliver("c/o/j2/0", "0123456780");

        assertThat(link.last().topic()).isEqualTo("o/j2/s");
        assertThat(JSON.readTree(link.last().payload()).get("state").asText()).isEqualTo("failed");
        assertThat(device.firmwareFailed()).isEqualTo(1);
    }

    @Test
    void redescribesWhenUpdatesAreToggledWhileConnected() throws Exception {
        device.connect().join();

        device.updatesEnabled(false).join();

        assertThat(link.last().topic()).isEqualTo("d");
        assertThat(JSON.readTree(link.last().payload()).get("updates_enabled").asBoolean()).isFalse();
    }

    @Test
    void reportsTheEndOfAnEstablishedSessionOnce() {
        List<String> reasons = new ArrayList<>();
        device.onDisconnected(reasons::add);

        link.drop("SERVER: before connecting"); // a failed attempt is reported by connect(), not here
        device.connect().join();
        link.drop("SERVER: SESSION_TAKEN_OVER");
        link.drop("SERVER: again");

        assertThat(reasons).containsExactly("SERVER: SESSION_TAKEN_OVER");
        assertThat(device.isConnected()).isFalse();
        assertThat(device.vitals()).containsEntry("disconnects", 1L);
    }

    @Test
    void ignoresTopicsItDoesNotKnow() {
        link.deliver("c/whatever/1", "");
        link.deliver("c/o/job/0", "chunk");

        assertThat(link.sent).isEmpty();
    }
}
