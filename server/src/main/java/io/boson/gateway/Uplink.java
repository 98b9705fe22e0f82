package io.boson.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.devices.Describe;
import io.boson.errors.DomainException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What an established device publishes (device protocol sections 2, 3 and 5-7): events, replies,
 * describe, vitals, claim codes and OTA requests, each checked and rate-limited, with database work
 * handed off by the connection ({@link PacketHandler}) that owns this device's channel.
 */
final class Uplink {

    private static final Logger log = LoggerFactory.getLogger(Uplink.class);

    private final GatewayContext gw;
    private final PacketHandler conn;
    private final DeviceSession session;
    private final boolean mqtt5;
    private final TokenBucket eventRate;
    private final TokenBucket controlRate;
    /** Made at the first chunk request: most sessions never download firmware (48 bytes each otherwise). */
    private TokenBucket firmwareRate;

    Uplink(GatewayContext gw, PacketHandler conn, DeviceSession session, boolean mqtt5) {
        this.gw = gw;
        this.conn = conn;
        this.session = session;
        this.mqtt5 = mqtt5;
        this.eventRate = TokenBucket.forEvents(gw.clock());
        this.controlRate = TokenBucket.forControl(gw.clock());
    }

    void publish(ChannelHandlerContext ctx, MqttPublishMessage m) {
        MqttQoS qos = m.fixedHeader().qosLevel();
        int packetId = m.variableHeader().packetId();
        if (qos == MqttQoS.EXACTLY_ONCE) {
            conn.refuse(ctx, Disconnects.QOS_NOT_SUPPORTED);
            return;
        }
        String topic = m.variableHeader().topicName();
        ByteBuf payload = m.payload();
        DeviceSession s = session;
        s.heard(gw.clock().millis(), gw.presence().lastHeardInterval());
        if (topic.startsWith("e/")) {
            event(ctx, s, topic.substring(2), payload, qos, packetId);
        } else if (topic.startsWith("r/")) {
            String rest = topic.substring(2);
            boolean error = rest.endsWith("/err");
            String rid = error ? rest.substring(0, rest.length() - 4) : rest;
            if (!Topics.validRid(rid)) {
                conn.refuseTopic(ctx, qos, packetId);
                return;
            }
            s.answered(rid, payload.toString(StandardCharsets.UTF_8), error);
            conn.ack(ctx, qos, packetId, PacketHandler.PUBACK_OK);
        } else if ((topic.equals("d") || topic.equals("v") || topic.equals("k")) && !controlRate.tryAcquire()) {
            conn.ack(ctx, qos, packetId, mqtt5 ? PacketHandler.PUBACK_RATE_LIMITED : PacketHandler.PUBACK_OK);
        } else if (topic.equals("d")) {
            describe(ctx, s, ByteBufUtil.getBytes(payload), qos, packetId);
        } else if (topic.equals("v")) {
            vitals(ctx, s, ByteBufUtil.getBytes(payload), qos, packetId);
        } else if (topic.equals("k")) {
            claim(ctx, s, payload.toString(StandardCharsets.UTF_8), qos, packetId);
        } else if (topic.startsWith("o/")) {
            firmware(ctx, s, topic.substring(2), ByteBufUtil.getBytes(payload), qos, packetId);
        } else {
            conn.refuseTopic(ctx, qos, packetId);
        }
    }

    private void event(ChannelHandlerContext ctx, DeviceSession s, String name, ByteBuf payload, MqttQoS qos, int packetId) {
        if (!Topics.validEventName(name)) {
            conn.refuseTopic(ctx, qos, packetId);
            return;
        }
        if (payload.readableBytes() > Topics.MAX_EVENT_BYTES) {
            conn.refuse(ctx, Disconnects.PACKET_TOO_LARGE);
            return;
        }
        if (!eventRate.tryAcquire()) {
            gw.presence().rateLimited(s.deviceId());
            gw.meters().rateLimited.increment();
            gw.fleetCounters().count(s.deviceId(), io.boson.health.FleetMetric.RATE_LIMITED, 1);
            conn.ack(ctx, qos, packetId, mqtt5 ? PacketHandler.PUBACK_RATE_LIMITED : PacketHandler.PUBACK_OK);
            return;
        }
        byte[] bytes = ByteBufUtil.getBytes(payload);
        gw.usage().meter().event(s.deviceId(), name, bytes.length);
        gw.meters().eventsIn.increment();
        gw.fleetCounters().count(s.deviceId(), io.boson.health.FleetMetric.EVENTS_PUBLISHED, 1);
        String text = utf8(bytes);
        if (text != null) {
            gw.events().publishFromDevice(s.deviceId(), s.scope(), s.ownerScope(), name, text, false);
        } else {
            gw.events().publishFromDevice(s.deviceId(), s.scope(), s.ownerScope(), name, Base64.getEncoder().encodeToString(bytes), true);
        }
        conn.ack(ctx, qos, packetId, PacketHandler.PUBACK_OK);
    }

    private void describe(ChannelHandlerContext ctx, DeviceSession s, byte[] bytes, MqttQoS qos, int packetId) {
        Describe d;
        try {
            d = Describe.parse(gw.json(), bytes);
        } catch (DomainException e) {
            conn.refusePayload(ctx, qos, packetId);
            return;
        }
        String json = new String(bytes, StandardCharsets.UTF_8);
        // Offers built from this describe say this chunk size, and this session serves chunks of it.
        s.otaChunk(io.boson.firmware.OtaDelivery.chunkBytes(d));
        conn.offload(ctx, qos, packetId, () -> {
            // Firmware naming a product the device is not in: disconnect (the device is listed for approval).
            if (!gw.fleet().acceptsDescribe(s.deviceId(), d)) return PacketHandler.NOT_IN_PRODUCT;
            gw.presence().describe(s.deviceId(), json, d);
            gw.bus().publish(io.boson.bus.Subjects.devicePresence(s.deviceId()), new byte[0]);
            try {
                gw.ota().described(s.deviceId(), s.firstDescribe()).ifPresent(s::offer);
            } catch (RuntimeException e) {
                log.warn("device {}: firmware check failed: {}", s.deviceId(), e.toString());
            }
            return PacketHandler.PUBACK_OK;
        });
    }

    /** OTA (device protocol section 3): {@code o/{job}/get} with an offset, {@code o/{job}/s} with the outcome. */
    private void firmware(ChannelHandlerContext ctx, DeviceSession s, String rest, byte[] payload, MqttQoS qos, int packetId) {
        int slash = rest.indexOf('/');
        String job = slash < 0 ? "" : rest.substring(0, slash);
        String kind = slash < 0 ? "" : rest.substring(slash + 1);
        if (!Topics.validRid(job) || !(kind.equals("get") || kind.equals("s"))) {
            conn.refuseTopic(ctx, qos, packetId);
            return;
        }
        if (kind.equals("get")) {
            if (firmwareRate == null) firmwareRate = TokenBucket.forFirmware(gw.clock());
            if (!firmwareRate.tryAcquire()) {
                // Far more than any download needs: a device in a loop, disconnected before it costs others.
                conn.refuse(ctx, Disconnects.MESSAGE_RATE_TOO_HIGH);
                return;
            }
            long offset;
            try {
                offset = Long.parseLong(new String(payload, StandardCharsets.US_ASCII).trim());
            } catch (NumberFormatException e) {
                conn.refusePayload(ctx, qos, packetId);
                return;
            }
            // Most chunks come from memory on the event loop; the first of a job (or one after a
            // restart) goes to a worker, which may read the database.
            java.util.Optional<io.boson.firmware.OtaDelivery.Chunk> cached = gw.ota().cachedChunk(s.deviceId(), job, offset, s.otaChunk());
            if (cached.isPresent()) {
                s.chunk(job, offset, cached.get());
                conn.ack(ctx, qos, packetId, PacketHandler.PUBACK_OK);
                return;
            }
            conn.offload(ctx, qos, packetId, () -> {
                java.util.Optional<io.boson.firmware.OtaDelivery.Chunk> chunk = gw.ota().chunk(s.deviceId(), job, offset, s.otaChunk());
                chunk.ifPresent(c -> s.chunk(job, offset, c));
                return chunk.isPresent() || !mqtt5 ? PacketHandler.PUBACK_OK : PacketHandler.PUBACK_UNSPECIFIED;
            });
            return;
        }
        JsonNode report;
        try {
            report = payload.length > PacketHandler.MAX_VITALS_BYTES ? null : gw.json().readTree(payload);
        } catch (IOException e) {
            report = null;
        }
        if (report == null || !report.isObject() || !report.path("state").isTextual()
                || !java.util.Set.of("applied", "failed", "rejected").contains(report.get("state").asText())) {
            conn.refusePayload(ctx, qos, packetId);
            return;
        }
        String state = report.get("state").asText();
        String error = report.hasNonNull("error") ? report.get("error").asText() : null;
        conn.offload(ctx, qos, packetId, () -> {
            gw.ota().reported(s.deviceId(), job, state, error);
            return PacketHandler.PUBACK_OK;
        });
    }

    private void vitals(ChannelHandlerContext ctx, DeviceSession s, byte[] bytes, MqttQoS qos, int packetId) {
        JsonNode node = null;
        if (bytes.length <= PacketHandler.MAX_VITALS_BYTES) {
            try {
                node = gw.json().readTree(bytes);
            } catch (IOException e) {
                node = null;
            }
        }
        if (node == null || !node.isObject()) {
            conn.refusePayload(ctx, qos, packetId);
            return;
        }
        String json = node.toString();
        // Stored as text of at most MAX_VITALS_CHARS; Jackson's rewrite can be longer than what was sent (1e5 -> 100000.0).
        if (json.length() > PacketHandler.MAX_VITALS_CHARS) {
            conn.refusePayload(ctx, qos, packetId);
            return;
        }
        conn.offload(ctx, qos, packetId, () -> {
            gw.presence().vitals(s.deviceId(), json);
            return PacketHandler.PUBACK_OK;
        });
    }

    private void claim(ChannelHandlerContext ctx, DeviceSession s, String code, MqttQoS qos, int packetId) {
        conn.offload(ctx, qos, packetId, () -> {
            try {
                gw.devices().claimWithCode(s.deviceId(), code);
                return PacketHandler.PUBACK_OK;
            } catch (DomainException e) {
                log.info("device {} presented a claim code that was refused: {}", s.deviceId(), e.getMessage());
                return mqtt5 ? PacketHandler.PUBACK_NOT_AUTHORIZED : PacketHandler.PUBACK_OK;
            }
        });
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
