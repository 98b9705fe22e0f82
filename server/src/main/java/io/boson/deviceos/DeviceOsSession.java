package io.boson.deviceos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One Device OS device's session, translated to the device protocol: the device's CoAP messages
 * become what an MQTT device would publish, on an in-process MQTT connection to this node's gateway
 * ({@code MqttGateway.startLocal}); what the gateway publishes to the device becomes CoAP requests.
 * So a Device OS device is, to the cloud, an MQTT device: sessions, presence, takeovers, limits,
 * metering, products and permissions are the gateway's, unchanged.
 *
 * <p>Device OS's rules (docs/protocol.md): every CON of the device is acknowledged; requests carry a
 * one-byte token; the cloud's CON requests are retransmitted until acknowledged (4 tries); the only
 * 2.05 the cloud sends is the time. Runs on the UDP receive thread (CoAP) and the local channel's
 * event loop (MQTT); the state is guarded by the session's lock.
 */
final class DeviceOsSession {

    private static final Logger log = LoggerFactory.getLogger(DeviceOsSession.class);
    static final int MAX_PENDING = 16;
    static final long RETRANSMIT_MILLIS = 2_000;
    static final int MAX_TRANSMITS = 4;
    /**
     * Events (NON, never acknowledged) are dropped while this many of the cloud's CON messages wait for
     * the device's acknowledgement: a device that stops answering stops receiving, as the gateway drops
     * QoS 0 messages for a device that does not read.
     */
    static final int MAX_QUEUED_EVENTS = 32;
    private static final Map<Integer, String> VARIABLE_TYPES = Map.of(1, "bool", 2, "int32", 4, "string", 9, "double");

    private final DtlsServer.Connection conn;
    private final ObjectMapper json;
    private final ScheduledExecutorService timers;
    private final Runnable ended;
    private Channel mqtt;
    private boolean connected;
    private boolean closed;
    private int nextId = new java.util.Random().nextInt(0x10000);
    private int nextToken = new java.util.Random().nextInt(256);
    private int nextPacketId = 1;
    /** Our requests waiting for the device: by message id (until acknowledged) and by token (until answered). */
    private final Map<Integer, Outgoing> byId = new LinkedHashMap<>();
    private final Map<Integer, Outgoing> byToken = new LinkedHashMap<>();
    /** Events from the device waiting for the gateway's PUBACK before their CoAP ACK: by packet id. */
    private final Map<Integer, Integer> eventAcks = new java.util.HashMap<>();
    /** What arrived before the gateway accepted the session (the describe right after the hello). */
    private final Queue<CoapMessage> early = new ArrayDeque<>();
    private final ObjectNode describe;
    /**
     * What outlives this session with the device's DTLS session: Device OS resumes a session without a
     * handshake or a hello, and sends its describe and subscriptions again only when they changed.
     */
    static final class Resume {
        ObjectNode describe;
        final java.util.Set<String> subscriptions = new java.util.LinkedHashSet<>();
        /** The device speaks OTA v3 (its hello's flag 0x80; Device OS's virtual device speaks only the legacy transfer). */
        boolean otaV3;
    }

    private final Resume resume;
    private long lastHeard;
    private final java.time.Clock clock;
    private volatile String closeReason = "connection closed";
    /** A firmware transfer to the device: OTA v3 ({@link DeviceOsUpdate}) or the legacy one ({@link DeviceOsLegacyUpdate}). */
    interface Transfer {
        String job();

        boolean done();

        void begin();

        /** The device's answer (piggybacked or separate) to one of the transfer's requests, by kind. */
        void answered(String kind, CoapMessage m);

        void data(long offset, byte[] bytes);

        void fail(String why);

        void tick(long nowMillis);
    }

    private static boolean transferKind(String kind) {
        return kind.equals("S") || kind.equals("F") || kind.equals("U") || kind.equals("D");
    }

    private Transfer update;
    private ScheduledFuture<?> updateTicks;

    /** A request of ours: what to resend and what its answer means. */
    private final class Outgoing {
        final CoapMessage message;
        final String rid;
        final String kind;
        int transmits = 1;
        ScheduledFuture<?> retransmit;

        Outgoing(CoapMessage message, String rid, String kind) {
            this.message = message;
            this.rid = rid;
            this.kind = kind;
        }
    }

    private final java.util.function.ObjIntConsumer<String> platformNamed;

    private final java.util.function.ObjLongConsumer<String> cellularBytes;
    /** Datagram bytes before the hello named the platform: billed then, if it is a cellular one. */
    private long unbilled;

    DeviceOsSession(DtlsServer.Connection conn, ObjectMapper json, ScheduledExecutorService timers, java.time.Clock clock,
                    java.util.function.ObjIntConsumer<String> platformNamed, java.util.function.ObjLongConsumer<String> cellularBytes,
                    Runnable ended) {
        this.cellularBytes = cellularBytes;
        this.platformNamed = platformNamed;
        this.conn = conn;
        this.json = json;
        this.timers = timers;
        this.clock = clock;
        this.ended = ended;
        Resume kept = conn.resumeState() instanceof Resume r ? r : null;
        this.resume = kept != null ? kept : new Resume();
        this.describe = kept != null && kept.describe != null ? kept.describe : json.createObjectNode();
        resume.describe = describe;
        conn.resumeState(resume);
        this.lastHeard = clock.millis();
    }

    String deviceId() {
        return conn.deviceId();
    }

    long lastHeard() {
        return lastHeard;
    }

    /**
     * Datagram bytes of the device's DTLS session, both ways (handshake and retransmissions included):
     * a cellular device's are metered as cellular data, as the MQTT gateway meters its TCP bytes.
     */
    synchronized void wire(long bytes) {
        var p = describe.get("platform_id");
        if (p == null) {
            unbilled += bytes;
        } else if (io.boson.usage.Platforms.cellular(p.asInt())) {
            cellularBytes.accept(deviceId(), bytes);
        }
    }

    /** How long the device may stay silent: Device OS pings every 25 s on Wi-Fi, every 23 minutes on cellular. */
    java.time.Duration silenceAllowed() {
        var p = describe.get("platform_id");
        return p != null && io.boson.usage.Platforms.cellular(p.asInt()) ? DeviceOsGateway.CELLULAR_SILENCE : DeviceOsGateway.WIFI_SILENCE;
    }

    // --- from the device ---------------------------------------------------------------------------

    synchronized void received(byte[] data, LocalAddress gateway, EventLoopGroup group) {
        if (closed) return;
        lastHeard = clock.millis();
        CoapMessage m;
        try {
            m = CoapMessage.decode(data);
        } catch (CoapMessage.Malformed e) {
            log.debug("device {}: malformed CoAP: {}", deviceId(), e.getMessage());
            return;
        }
        if (m.type() == CoapMessage.ACK || m.type() == CoapMessage.RST) {
            acknowledged(m);
            return;
        }
        List<String> path = m.path();
        String first = path.isEmpty() ? "" : path.get(0);
        if (m.code() == CoapMessage.POST && first.equals("h")) {
            hello(m, gateway, group);
            return;
        }
        if (!connected && mqtt == null) {
            if (!describe.has("platform_id")) {
                // Neither a hello nor an earlier one to resume from: the device must shake hands again.
                reset("no hello");
                return;
            }
            // A resumed session (Device OS sends a ping, or what changed): the cloud session starts again as it was.
            resumed = true;
            connectMqtt(gateway, group);
        }
        if (m.code() == CoapMessage.EMPTY) {
            if (m.type() == CoapMessage.CON) send(CoapMessage.emptyAck(m.id())); // the device's ping
            return;
        }
        if (m.code() >= 0x40) {
            answered(m);
            return;
        }
        if (!connected) {
            // Until the gateway accepted the session (CONNACK): kept, and handled then.
            if (early.size() < 64) early.add(m);
            return;
        }
        request(m, first, path);
    }

    private void request(CoapMessage m, String first, List<String> path) {
        if (m.code() == CoapMessage.GET && first.equals("t")) {
            long now = clock.millis() / 1000;
            byte[] t = {(byte) (now >> 24), (byte) (now >> 16), (byte) (now >> 8), (byte) now};
            send(new CoapMessage(CoapMessage.ACK, CoapMessage.CONTENT, m.id(), m.token(), List.of(), t));
        } else if (m.code() == CoapMessage.POST && (first.equals("E") || first.equals("e")) && path.size() >= 2) {
            event(m, String.join("/", path.subList(1, path.size())));
        } else if (m.code() == CoapMessage.GET && first.equals("e") && path.size() >= 2) {
            String prefix = String.join("/", path.subList(1, path.size()));
            ackIfConfirmable(m);
            if (resume.subscriptions.size() < 32) resume.subscriptions.add(prefix);
            // The gateway refuses (in its SUBACK) a filter it does not take; Device OS never hears of it, as from Particle.
            write(MqttMessageBuilders.subscribe().messageId(packetId()).addSubscription(MqttQoS.AT_MOST_ONCE, "c/e/" + prefix)
                    .build());
        } else if (m.code() == CoapMessage.POST && first.equals("d")) {
            describe(m);
        } else if (m.code() == CoapMessage.POST && first.equals("A")) {
            // UpdateAck (NON, never acknowledged).
            if (update instanceof DeviceOsUpdate v3) v3.acked(m, System.nanoTime() / 1_000_000);
        } else if (m.code() == CoapMessage.GET && first.equals("c")) {
            // ChunkMissed (legacy transfer): the chunks the device lacks.
            ackIfConfirmable(m);
            if (update instanceof DeviceOsLegacyUpdate legacy) legacy.missed(m);
        } else if (m.code() == CoapMessage.POST && first.equals("x")) {
            // Goodbye: the device disconnects on purpose; its DTLS session is kept for it to resume.
            ackIfConfirmable(m);
            end("device disconnected", true);
        } else {
            // Anything else: acknowledged and not acted on (a device must never be left waiting on a CON).
            ackIfConfirmable(m);
        }
    }

    private void hello(CoapMessage m, LocalAddress gateway, EventLoopGroup group) {
        byte[] p = m.payload();
        if (p.length < 22 || (p[9] & 0xFF) != 12) {
            reset("malformed hello");
            return;
        }
        String id = HexFormat.of().formatHex(p, 10, 22);
        if (!id.equals(deviceId())) {
            log.info("device {} said it is {} in its hello: refused", deviceId(), id);
            reset("hello for another device");
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(p);
        int productVersion = b.getShort(2) & 0xFFFF;
        int platform = b.getShort(6) & 0xFFFF;
        int system = p.length >= 24 ? b.getShort(22) & 0xFFFF : 0;
        resume.otaV3 = ((b.getShort(4) & 0xFFFF) & 0x80) != 0;
        // A hello starts the device's session afresh (its subscriptions come again).
        resume.subscriptions.clear();
        // The gateway sends a Device OS device its image 64 KiB at a time (the largest piece it serves).
        describe.put("ota_chunk", 64 * 1024);
        describe.put("platform_id", platform);
        if (unbilled > 0 && io.boson.usage.Platforms.cellular(platform)) cellularBytes.accept(deviceId(), unbilled);
        unbilled = 0;
        // A device registered by its key alone learns its platform here (a database write: not on the UDP thread).
        String device = deviceId();
        Thread.ofVirtual().start(() -> {
            try {
                platformNamed.accept(device, platform);
            } catch (RuntimeException e) {
                log.warn("device {}: could not record its platform: {}", device, e.toString());
            }
        });
        if (productVersion != 0xFFFF && productVersion > 0) describe.put("product_version", productVersion);
        if (system > 0) describe.put("system_version", systemVersion(system));
        send(CoapMessage.emptyAck(m.id()));
        if (mqtt != null) {
            // A hello within a session the cloud holds (the device resumed after a reboot or an update): a new
            // session, as a reconnection is, so that what the device now runs is judged as a handshake.
            Channel old = mqtt;
            mqtt = null;
            connected = false;
            eventAcks.clear();
            old.writeAndFlush(MqttMessageBuilders.disconnect().build()).addListener(f -> old.close());
        }
        resumed = false;
        connectMqtt(gateway, group);
    }

    /** Set for a session the device resumed without a hello: the cloud tells the gateway what the device said before. */
    private boolean resumed;

    /** Device OS's module version as a semantic version (6200 → 6.2.0). */
    static String systemVersion(int module) {
        if (module < 1000) return Integer.toString(module);
        return (module / 1000) + "." + (module % 1000) / 100 + "." + (module % 100);
    }

    private void event(CoapMessage m, String name) {
        if (name.equals("spark/device/claim/code")) {
            publish("k", m.payload(), m);
            return;
        }
        if (name.startsWith("spark") || name.startsWith("particle")) {
            // Device OS's own reports (last_reset, updates/enabled …): not events of the device's.
            ackIfConfirmable(m);
            return;
        }
        publish("e/" + name, m.payload(), m);
    }

    /** Publishes at QoS 1; a confirmable message is acknowledged when the gateway has. */
    private void publish(String topic, byte[] payload, CoapMessage m) {
        int packetId = packetId();
        if (m != null && m.type() == CoapMessage.CON) eventAcks.put(packetId, m.id());
        write(MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_LEAST_ONCE).messageId(packetId)
                .payload(Unpooled.wrappedBuffer(payload)).build());
    }

    private int packetId() {
        int id = nextPacketId;
        nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
        return id;
    }

    private final java.io.ByteArrayOutputStream blocks = new java.io.ByteArrayOutputStream();

    private void describe(CoapMessage m) {
        CoapMessage.Option q = m.option(CoapMessage.URI_QUERY);
        int flags = q == null || q.value().length == 0 ? 0 : q.value()[0] & 0xFF;
        CoapMessage.Option block1 = m.option(CoapMessage.BLOCK1);
        if (block1 != null) {
            long v = block1.unsigned();
            boolean more = (v & 8) != 0;
            if ((v >> 4) == 0) blocks.reset();
            if (blocks.size() + m.payload().length > 64 * 1024) {
                blocks.reset();
                ackIfConfirmable(m);
                return;
            }
            blocks.writeBytes(m.payload());
            if (more) {
                send(new CoapMessage(CoapMessage.ACK, CoapMessage.CONTINUE, m.id(), m.token(), List.of(block1), CoapMessage.NO_PAYLOAD));
                return;
            }
            described(flags, blocks.toByteArray(), m);
            blocks.reset();
            return;
        }
        described(flags, m.payload(), m);
    }

    private void described(int flags, byte[] payload, CoapMessage m) {
        if ((flags & 2) != 0) {
            try {
                var app = json.readTree(payload);
                describe.set("f", app.has("f") ? app.get("f") : json.createArrayNode());
                ObjectNode vars = json.createObjectNode();
                if (app.has("v")) {
                    app.get("v").fields().forEachRemaining(e -> {
                        String type = VARIABLE_TYPES.get(e.getValue().asInt());
                        if (type != null) vars.put(e.getKey(), type);
                    });
                }
                describe.set("v", vars);
            } catch (java.io.IOException e) {
                log.debug("device {}: application describe is not JSON", deviceId());
                send(new CoapMessage(CoapMessage.ACK, CoapMessage.CHANGED, m.id(), m.token(), List.of(), CoapMessage.NO_PAYLOAD));
                return;
            }
            sendDescribe(m);
            return;
        }
        if ((flags & 1) != 0) {
            // The system describe (protobuf modules): the firmware identity Boson keeps is the hello's.
            sendDescribe(m);
            return;
        }
        if ((flags & 4) != 0) {
            publish("v", vitals(json, payload), m);
            return;
        }
        send(new CoapMessage(CoapMessage.ACK, CoapMessage.CHANGED, m.id(), m.token(), List.of(), CoapMessage.NO_PAYLOAD));
    }

    private void sendDescribe(CoapMessage m) {
        try {
            publish("d", json.writeValueAsBytes(describe), m);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Device OS's binary metrics (id, value pairs, little-endian) as vitals JSON. */
    static byte[] vitals(ObjectMapper json, byte[] p) {
        ObjectNode v = json.createObjectNode();
        if (p.length >= 7 && p[0] == 0) {
            ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
            b.position(7);
            while (b.remaining() >= 6) {
                int id = b.getShort() & 0xFFFF;
                int value = b.getInt();
                if ((id & 0x8000) != 0) continue;
                switch (id) {
                    case 6 -> v.put("uptime", value);
                    case 2 -> v.put("mem_free", value);
                    case 3 -> v.put("battery_charge", value / 256.0);
                    case 31 -> v.put("rtt", value);
                    default -> v.put("diag_" + id, value);
                }
            }
        }
        try {
            return json.writeValueAsBytes(v);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void ackIfConfirmable(CoapMessage m) {
        if (m.type() == CoapMessage.CON) send(CoapMessage.emptyAck(m.id()));
    }

    /** An ACK or RST for one of our messages. */
    private void acknowledged(CoapMessage m) {
        Outgoing o = byId.remove(m.id());
        if (o == null) return;
        if (o.retransmit != null) o.retransmit.cancel(false);
        if (m.type() == CoapMessage.RST) {
            byToken.values().remove(o);
            if (o.rid != null) answer(o.rid, "The device refused the request", true);
            if (update != null && transferKind(o.kind)) update.fail("the device refused the update");
            return;
        }
        if (o.kind.equals("p")) {
            answer(o.rid, "", false);
        } else if (o.kind.equals("s")) {
            byToken.values().remove(o);
        } else if (m.code() != CoapMessage.EMPTY) {
            // A piggybacked answer.
            byToken.values().remove(o);
            result(o, m);
        }
    }

    /** A separate response (a CON the device sends when its function returned or its variable was read). */
    private void answered(CoapMessage m) {
        ackIfConfirmable(m);
        if (m.token().length != 1) return;
        Outgoing o = byToken.remove(m.token()[0] & 0xFF);
        if (o == null) return;
        byId.values().remove(o);
        if (o.retransmit != null) o.retransmit.cancel(false);
        result(o, m);
    }

    private void result(Outgoing o, CoapMessage m) {
        if (update != null && transferKind(o.kind)) {
            update.answered(o.kind, m);
            return;
        }
        if (o.rid == null) return;
        int cls = m.code() >> 5;
        if (cls != 2) {
            answer(o.rid, m.code() == CoapMessage.NOT_FOUND ? "The device does not know it" : "The device reported an error", true);
            return;
        }
        byte[] p = m.payload();
        String text;
        if (o.kind.equals("f")) {
            if (p.length != 4) {
                answer(o.rid, "The device's result is not a 4-byte integer", true);
                return;
            }
            text = Integer.toString(ByteBuffer.wrap(p).getInt());
        } else {
            String type = variableType(o);
            text = switch (type) {
                case "bool" -> p.length >= 1 && p[0] != 0 ? "true" : "false";
                case "int32" -> p.length == 4 ? Integer.toString(ByteBuffer.wrap(p).getInt()) : "";
                case "double" -> p.length == 8 ? Double.toString(ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).getDouble()) : "";
                default -> new String(p, StandardCharsets.UTF_8);
            };
        }
        answer(o.rid, text, false);
    }

    private String variableType(Outgoing o) {
        String name = o.message.path().size() >= 2 ? o.message.path().get(1) : "";
        var v = describe.get("v");
        return v != null && v.has(name) ? v.get(name).asText() : "string";
    }

    private void answer(String rid, String text, boolean error) {
        write(MqttMessageBuilders.publish().topicName("r/" + rid + (error ? "/err" : "")).qos(MqttQoS.AT_MOST_ONCE)
                .payload(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8))).build());
    }

    // --- from the cloud ----------------------------------------------------------------------------

    /**
     * Opens the in-process MQTT session and sends its CONNECT once connected. Never waits: the local
     * event loop may itself be waiting for this session's lock (one loop serves every session).
     */
    private void connectMqtt(LocalAddress gateway, EventLoopGroup group) {
        io.netty.channel.ChannelFuture f = new Bootstrap().group(group).channel(LocalChannel.class).handler(new FromGateway())
                .connect(gateway);
        Channel c = f.channel();
        mqtt = c;
        io.netty.handler.codec.mqtt.MqttProperties props = new io.netty.handler.codec.mqtt.MqttProperties();
        props.add(new io.netty.handler.codec.mqtt.MqttProperties.UserProperty("boson-remote-address",
                conn.peer().getAddress().getHostAddress()));
        var connect = MqttMessageBuilders.connect().clientId(deviceId()).protocolVersion(MqttVersion.MQTT_5)
                .cleanSession(true).keepAlive(0).properties(props).build();
        f.addListener(done -> {
            if (done.isSuccess()) {
                c.writeAndFlush(connect);
            } else {
                log.warn("device {}: no session with the gateway: {}", deviceId(), String.valueOf(done.cause()));
                gatewayClosed(c);
            }
        });
    }

    private final class FromGateway extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof MqttMessage m) fromGateway(ctx.channel(), m);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            gatewayClosed(ctx.channel());
        }
    }

    private synchronized void fromGateway(Channel from, MqttMessage m) {
        if (closed || from != mqtt) return; // a session this one replaced
        MqttMessageType type = m.fixedHeader().messageType();
        switch (type) {
            case CONNACK -> {
                MqttConnectReturnCode code = ((MqttConnAckMessage) m).variableHeader().connectReturnCode();
                if (code != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                    log.info("device {}: the cloud refused its session ({})", deviceId(), code);
                    reset("refused: " + code);
                    return;
                }
                connected = true;
                write(MqttMessageBuilders.subscribe().messageId(packetId())
                        .addSubscription(MqttQoS.AT_MOST_ONCE, "c/f/#").addSubscription(MqttQoS.AT_MOST_ONCE, "c/v/#")
                        .addSubscription(MqttQoS.AT_MOST_ONCE, "c/p/#").addSubscription(MqttQoS.AT_MOST_ONCE, "c/signal")
                        .addSubscription(MqttQoS.AT_MOST_ONCE, "c/vitals").build());
                write(MqttMessageBuilders.subscribe().messageId(packetId()).addSubscription(MqttQoS.AT_MOST_ONCE, "c/o/#").build());
                if (resumed) {
                    // Resumed without a hello: the gateway hears the describe and subscriptions of before.
                    sendDescribe(null);
                    for (String prefix : resume.subscriptions) {
                        write(MqttMessageBuilders.subscribe().messageId(packetId()).addSubscription(MqttQoS.AT_MOST_ONCE, "c/e/" + prefix)
                                .build());
                    }
                }
                while (!early.isEmpty() && connected) {
                    CoapMessage e = early.poll();
                    List<String> path = e.path();
                    request(e, path.isEmpty() ? "" : path.get(0), path);
                }
            }
            case PUBACK -> {
                var header = (io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader) m.variableHeader();
                int reason = header instanceof io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader r ? r.reasonCode() : 0;
                Integer coapId = eventAcks.remove(header.messageId());
                if (coapId == null) return;
                // Accepted: an empty ACK. Refused: 5.03 when over a rate or quota (0x97), 4.00 for what the cloud does not take.
                send(reason < 0x80 ? CoapMessage.emptyAck(coapId) : new CoapMessage(CoapMessage.ACK,
                        reason == 0x97 ? CoapMessage.SERVICE_UNAVAILABLE : CoapMessage.BAD_REQUEST, coapId, CoapMessage.NO_TOKEN,
                        List.of(), CoapMessage.NO_PAYLOAD));
            }
            case PUBLISH -> toDevice((MqttPublishMessage) m);
            case DISCONNECT -> reset("the cloud ended the session");
            default -> {
            }
        }
    }

    private void toDevice(MqttPublishMessage p) {
        String topic = p.variableHeader().topicName();
        byte[] payload = ByteBufUtil.getBytes(p.payload());
        if (topic.startsWith("c/e/")) {
            if (byId.size() >= MAX_QUEUED_EVENTS) return;
            CoapMessage m = new CoapMessage(CoapMessage.NON, CoapMessage.POST, id(), CoapMessage.NO_TOKEN,
                    List.of(CoapMessage.path("E"), CoapMessage.path(topic.substring(4))), payload);
            send(m);
        } else if (topic.startsWith("c/f/") || topic.startsWith("c/v/")) {
            String rest = topic.substring(4);
            int slash = rest.lastIndexOf('/');
            String name = rest.substring(0, slash);
            String rid = rest.substring(slash + 1);
            boolean function = topic.charAt(2) == 'f';
            List<CoapMessage.Option> options = function
                    ? List.of(CoapMessage.path("f"), CoapMessage.path(name), CoapMessage.query(payload))
                    : List.of(CoapMessage.path("v"), CoapMessage.path(name));
            request(function ? CoapMessage.POST : CoapMessage.GET, options, rid, function ? "f" : "v");
        } else if (topic.startsWith("c/p/")) {
            CoapMessage ping = new CoapMessage(CoapMessage.CON, CoapMessage.EMPTY, id(), CoapMessage.NO_TOKEN, List.of(),
                    CoapMessage.NO_PAYLOAD);
            track(new Outgoing(ping, topic.substring(4), "p"), false);
        } else if (topic.equals("c/signal")) {
            byte on = payload.length > 0 && payload[0] == '1' ? (byte) 1 : (byte) 0;
            request(CoapMessage.PUT, List.of(CoapMessage.path("s"), CoapMessage.query(new byte[]{on})), null, "s");
        } else if (topic.startsWith("c/o/")) {
            firmware(topic.substring(4), payload);
        } else if (topic.equals("c/vitals")) {
            request(CoapMessage.GET, List.of(CoapMessage.path("d"), CoapMessage.query(new byte[]{4})), null, "d");
        }
    }

    private void request(int code, List<CoapMessage.Option> options, String rid, String kind) {
        request(code, options, CoapMessage.NO_PAYLOAD, rid, kind);
    }

    private void request(int code, List<CoapMessage.Option> options, byte[] payload, String rid, String kind) {
        if (byToken.size() >= MAX_PENDING) {
            if (rid != null) answer(rid, "Too many requests are waiting for this device's answers", true);
            return;
        }
        int token = nextToken;
        do {
            token = (token + 1) & 0xFF;
        } while (byToken.containsKey(token));
        nextToken = token;
        CoapMessage m = new CoapMessage(CoapMessage.CON, code, id(), new byte[]{(byte) token}, options, payload);
        Outgoing o = new Outgoing(m, rid, kind);
        byToken.put(token, o);
        track(o, true);
    }

    private void track(Outgoing o, boolean tokened) {
        byId.put(o.message.id(), o);
        send(o.message);
        o.retransmit = timers.schedule(() -> retransmit(o), RETRANSMIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    private synchronized void retransmit(Outgoing o) {
        if (closed || byId.get(o.message.id()) != o) return;
        if (o.transmits >= MAX_TRANSMITS) {
            byId.remove(o.message.id());
            byToken.values().remove(o);
            if (o.rid != null) answer(o.rid, "The device did not acknowledge the request", true);
            if (update != null && transferKind(o.kind)) update.fail("the device did not acknowledge the update");
            return;
        }
        o.transmits++;
        send(o.message);
        o.retransmit = timers.schedule(() -> retransmit(o), RETRANSMIT_MILLIS << (o.transmits - 1), TimeUnit.MILLISECONDS);
    }

    private int id() {
        nextId = (nextId + 1) & 0xFFFF;
        return nextId;
    }

    private void send(CoapMessage m) {
        conn.send(m.encode());
    }

    private void write(Object message) {
        Channel c = mqtt;
        if (c != null) c.writeAndFlush(message);
    }

    /** An offer ({@code {job}}: JSON) or a piece of the image ({@code {job}/{offset}}) from the gateway. */
    private void firmware(String rest, byte[] payload) {
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            if (update != null && update.job().equals(rest.substring(0, slash))) {
                try {
                    update.data(Long.parseLong(rest.substring(slash + 1)), payload);
                } catch (NumberFormatException e) {
                    // not a piece of this transfer
                }
            }
            return;
        }
        try {
            var offer = json.readTree(payload);
            byte[] sha = HexFormat.of().parseHex(offer.get("sha256").asText());
            long size = offer.get("size").asLong();
            if (update != null && !update.done() && update.job().equals(rest)) return;
            if (update != null) update.fail("replaced by a newer update");
            update = resume.otaV3 ? new DeviceOsUpdate(rest, size, sha, new UpdateLink()) : new DeviceOsLegacyUpdate(rest, size, new UpdateLink());
            if (updateTicks != null) updateTicks.cancel(false);
            Transfer u = update;
            updateTicks = timers.scheduleWithFixedDelay(() -> {
                synchronized (this) {
                    if (update == u && !u.done()) u.tick(System.nanoTime() / 1_000_000);
                }
            }, 1, 1, TimeUnit.SECONDS);
            update.begin();
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("device {}: unusable firmware offer: {}", deviceId(), e.toString());
        }
    }

    private final class UpdateLink implements DeviceOsUpdate.Link {
        @Override
        public void send(CoapMessage m) {
            DeviceOsSession.this.send(m);
        }

        @Override
        public int nextId() {
            return id();
        }

        @Override
        public void fetch(String job, long offset) {
            write(MqttMessageBuilders.publish().topicName("o/" + job + "/get").qos(MqttQoS.AT_LEAST_ONCE).messageId(packetId())
                    .payload(Unpooled.wrappedBuffer(Long.toString(offset).getBytes(StandardCharsets.US_ASCII))).build());
        }

        @Override
        public void request(int code, List<CoapMessage.Option> options, byte[] payload, String kind) {
            DeviceOsSession.this.request(code, options, payload, null, kind);
        }

        @Override
        public void outcome(String job, String state, String error) {
            ObjectNode o = json.createObjectNode().put("state", state);
            if (error != null) o.put("error", error);
            if (updateTicks != null) updateTicks.cancel(false);
            try {
                write(MqttMessageBuilders.publish().topicName("o/" + job + "/s").qos(MqttQoS.AT_LEAST_ONCE).messageId(packetId())
                        .payload(Unpooled.wrappedBuffer(json.writeValueAsBytes(o))).build());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    // --- the end ----------------------------------------------------------------------------------

    /**
     * Ends the session and makes the device drop its DTLS session (any CoAP RST does), so that it
     * shakes hands again, with its current key, instead of resuming.
     */
    synchronized void reset(String why) {
        if (closed) return;
        closeReason = why;
        send(new CoapMessage(CoapMessage.RST, CoapMessage.EMPTY, id(), CoapMessage.NO_TOKEN, List.of(), CoapMessage.NO_PAYLOAD));
        close();
    }

    /** The DTLS connection is gone (or replaced): the gateway session ends. */
    synchronized void close() {
        if (closed) return;
        closed = true;
        for (Outgoing o : byId.values()) if (o.retransmit != null) o.retransmit.cancel(false);
        if (updateTicks != null) updateTicks.cancel(false);
        byId.clear();
        byToken.clear();
        closeMqtt();
        conn.close();
        ended.run();
    }

    private void closeMqtt() {
        Channel c = mqtt;
        if (c != null && c.isActive()) {
            c.writeAndFlush(MqttMessageBuilders.disconnect().build()).addListener(f -> c.close());
        }
    }

    private synchronized void gatewayClosed(Channel which) {
        if (!closed && which == mqtt) reset("the cloud ended the session");
    }

    /**
     * The device went silent past its keep-alive: its cloud session ends (it is offline), and its DTLS
     * session is kept for it to resume (a sleeping device does, without a handshake).
     */
    synchronized void quiet() {
        end("silent past its keep-alive", false);
    }

    /** Ends the cloud session (the device is offline) and keeps the DTLS session for the device to resume. */
    private void end(String reason, boolean disconnect) {
        if (closed) return;
        closed = true;
        closeReason = reason;
        for (Outgoing o : byId.values()) if (o.retransmit != null) o.retransmit.cancel(false);
        byId.clear();
        byToken.clear();
        if (updateTicks != null) updateTicks.cancel(false);
        Channel c = mqtt;
        mqtt = null;
        if (c != null) {
            // A DISCONNECT records "device disconnected"; a bare close the gateway's "connection closed".
            if (disconnect) c.writeAndFlush(MqttMessageBuilders.disconnect().build()).addListener(f -> c.close());
            else c.close();
        }
        ended.run();
    }
}
