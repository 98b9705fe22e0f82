package io.boson.gateway;

import io.boson.devices.Device;
import io.boson.devices.DeviceIds;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One device connection (device protocol section 1): CONNECT, subscriptions, keep-alive and the
 * end of the session; what the device publishes is {@link Uplink}. Runs on the channel's event
 * loop; anything that touches the database is handed to a virtual thread with reading paused,
 * so packets of one device are still handled in order and the event loop never blocks.
 */
final class PacketHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(PacketHandler.class);
    static final int MAX_VITALS_BYTES = 16 * 1024;
    /** Vitals are stored as text (device_reports.vitals_json, device_history.payload) of at most this many characters. */
    static final int MAX_VITALS_CHARS = 16_000;
    static final byte PUBACK_OK = 0x00;
    static final byte PUBACK_NOT_AUTHORIZED = (byte) 0x87;
    static final byte PUBACK_TOPIC_INVALID = (byte) 0x90;
    /**
     * The protocol page names 0x96 (Message rate too high), but MQTT 5 does not allow 0x96 in a
     * PUBACK and standard clients (HiveMQ) drop the connection on it; 0x97 (Quota exceeded) is a
     * valid PUBACK code that keeps the device connected, as the protocol intends.
     */
    static final byte PUBACK_RATE_LIMITED = (byte) 0x97;
    static final byte PUBACK_PAYLOAD_INVALID = (byte) 0x99;
    static final byte PUBACK_UNSPECIFIED = (byte) 0x80;
    /** Not a PUBACK code: the describe was refused and the connection ends with 0x87. */
    static final byte NOT_IN_PRODUCT = (byte) 0xFF;

    private final GatewayContext gw;
    private final BooleanSupplier closing;
    private DeviceSession session;
    private Uplink uplink;
    private boolean connectSeen;
    private boolean mqtt5;
    private String closeReason = "connection closed";

    /** Admitted over the node's device connection limit: its CONNECT is refused ({@link ConnectionLimit}). */
    private final boolean overLimit;
    private final Duration connectTimeout;
    /** Closes the connection if no CONNECT came in time; cancelled by the CONNECT. */
    private io.netty.util.concurrent.ScheduledFuture<?> connectTimer;

    /**
     * On the in-process transport ({@link MqttGateway#startLocal}) the CONNECT's client id is the device
     * that the transport in front (Device OS's DTLS endpoint) already authenticated by its key.
     */
    private final boolean transportAuthenticated;

    PacketHandler(GatewayContext gw, BooleanSupplier closing, boolean overLimit, Duration connectTimeout) {
        this(gw, closing, overLimit, connectTimeout, false);
    }

    PacketHandler(GatewayContext gw, BooleanSupplier closing, boolean overLimit, Duration connectTimeout,
                  boolean transportAuthenticated) {
        this.transportAuthenticated = transportAuthenticated;
        this.gw = gw;
        this.closing = closing;
        this.overLimit = overLimit;
        this.connectTimeout = connectTimeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        // A connection that sends no CONNECT in time is closed: idle sockets would otherwise hold files for good.
        connectTimer = ctx.executor().schedule(() -> {
            if (!connectSeen && ctx.channel().isOpen()) {
                closeReason = "no CONNECT in time";
                gw.meters().refused("connect_timeout");
                ctx.close();
            }
        }, connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof MqttMessage m)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (m.decoderResult().isFailure()) {
                decodeFailure(ctx, m.decoderResult().cause());
                return;
            }
            MqttMessageType type = m.fixedHeader().messageType();
            if (type == MqttMessageType.CONNECT) {
                connect(ctx, (MqttConnectMessage) m);
                return;
            }
            if (session == null) {
                // Nothing but CONNECT is allowed before the session is established.
                closeReason = "packet before CONNECT";
                ctx.close();
                return;
            }
            switch (type) {
                case PUBLISH -> uplink.publish(ctx, (MqttPublishMessage) m);
                case SUBSCRIBE -> subscribe(ctx, (MqttSubscribeMessage) m);
                case UNSUBSCRIBE -> unsubscribe(ctx, (MqttUnsubscribeMessage) m);
                case PINGREQ -> ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false,
                        MqttQoS.AT_MOST_ONCE, false, 0)));
                case DISCONNECT -> {
                    reason("device disconnected");
                    ctx.close();
                }
                case PUBACK, PUBREC, PUBREL, PUBCOMP -> { }
                default -> refuse(ctx, Disconnects.PROTOCOL_ERROR);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void decodeFailure(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof MqttUnacceptableProtocolVersionException) {
            closeReason = "unsupported protocol version";
            gw.meters().refused("protocol_version");
            ctx.writeAndFlush(connAck(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION, null))
                    .addListener(f -> ctx.close());
            return;
        }
        refuse(ctx, cause instanceof TooLongFrameException ? Disconnects.PACKET_TOO_LARGE : Disconnects.PROTOCOL_ERROR);
    }

    void refuse(ChannelHandlerContext ctx, byte reason) {
        if (session != null) {
            session.close(reason);
        } else {
            closeReason = Disconnects.describe(reason);
            Disconnects.close(ctx.channel(), mqtt5, reason);
        }
    }

    /** Records why this connection ends: with the session once there is one. */
    private void reason(String why) {
        if (session != null) session.closeReason(why);
        else closeReason = why;
    }

    // --- CONNECT ---------------------------------------------------------------------------

    private void connect(ChannelHandlerContext ctx, MqttConnectMessage m) {
        if (connectSeen) {
            refuse(ctx, Disconnects.PROTOCOL_ERROR);
            return;
        }
        connectSeen = true;
        if (connectTimer != null) connectTimer.cancel(false);
        mqtt5 = m.variableHeader().version() == 5;
        if (closing.getAsBoolean()) {
            refuseConnect(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                    MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY);
            return;
        }
        if (overLimit) {
            refuseConnect(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                    MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY, "connection_limit");
            closeReason = "node connection limit";
            return;
        }
        String clientId = m.payload().clientIdentifier();
        String username = m.payload().userName();
        byte[] password = m.payload().passwordInBytes();
        String ip = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress()
                : transportAuthenticated ? remoteAddressProperty(m) : null;
        if (!gw.pacing().tryConnect(String.valueOf(clientId), String.valueOf(ip))) {
            refuseConnect(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                    MqttConnectReturnCode.CONNECTION_REFUSED_CONNECTION_RATE_EXCEEDED);
            closeReason = "reconnecting too often";
            return;
        }
        // A client certificate from a trusted device CA names the device; else the secret does.
        String certified = transportAuthenticated ? clientId
                : ClientCertificates.deviceId(ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class));
        if (!DeviceIds.valid(clientId) || (username != null && !username.equals(clientId))
                || (certified == null ? password == null : !certified.equals(clientId))) {
            refuseConnect(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                    MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5);
            return;
        }
        String secret = certified != null ? null : new String(password, StandardCharsets.UTF_8);
        int keepAlive = m.variableHeader().keepAliveTimeSeconds();
        ctx.channel().config().setAutoRead(false);
        long queuedAt = gw.clock().millis();
        gw.blocking().execute(() -> {
            // While it waits for the gateway's database work this connection reads nothing, so a client that gave
            // up and closed is not seen. In a reconnect storm the backlog outgrew the clients' patience: every
            // stale CONNECT was still authenticated and marked online (and then offline), its file held meanwhile,
            // and the retries queued behind them until the node ran out of files and ~3 devices/s got back in.
            // A CONNECT that waited longer than the connect timeout is turned away as "server busy" before any of
            // that work, and its client retries.
            if (gw.clock().millis() - queuedAt > connectTimeout.toMillis()) {
                ctx.channel().eventLoop().execute(() -> {
                    refuseConnect(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                            MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY, "connect_backlog");
                    closeReason = "waited too long for the node";
                });
                return;
            }
            try {
                Optional<Device> device = secret == null ? gw.devices().find(clientId) : gw.devices().authenticate(clientId, secret);
                // A device removed from its product, or denied, is refused; nothing about the product is said.
                if (device.isEmpty() || gw.fleet().connectRefusal(device.get()).isPresent()) {
                    ctx.channel().eventLoop().execute(() -> refuseConnect(ctx,
                            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5));
                    return;
                }
                Optional<String> quota = gw.usage().admit(device.get());
                if (quota.isPresent()) {
                    ctx.channel().eventLoop().execute(() -> refuseQuota(ctx, quota.get()));
                    return;
                }
                boolean cellular = io.boson.usage.Platforms.cellular(device.get().platformId());
                gw.meters().connects.increment();
                DeviceSession s = new DeviceSession(gw, ctx.channel(), device.get(), mqtt5);
                gw.presence().connected(clientId, s.sessionId(), ip);
                gw.bus().publish(io.boson.bus.Subjects.devicePresence(clientId), new byte[0]);
                ctx.channel().eventLoop().execute(() -> established(ctx, s, keepAlive, cellular));
            } catch (RuntimeException e) {
                log.warn("device {} could not connect: {}", clientId, e.toString());
                ctx.channel().eventLoop().execute(() -> refuseConnect(ctx,
                        MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                        MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY));
            }
        });
    }

    /** The in-process transport's device address: the CONNECT's user property {@value #REMOTE_ADDRESS}. */
    private static String remoteAddressProperty(MqttConnectMessage m) {
        if (m.variableHeader().properties().getProperty(io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.USER_PROPERTY.value())
                instanceof io.netty.handler.codec.mqtt.MqttProperties.UserProperties users) {
            for (io.netty.handler.codec.mqtt.MqttProperties.StringPair pair : users.value()) {
                if (pair.key.equals(REMOTE_ADDRESS)) return pair.value;
            }
        }
        return null;
    }

    /** The CONNECT user property with which the in-process transport names the device's address. */
    static final String REMOTE_ADDRESS = "boson-remote-address";

    private void refuseConnect(ChannelHandlerContext ctx, MqttConnectReturnCode v3, MqttConnectReturnCode v5) {
        refuseConnect(ctx, v3, v5, switch (v3) {
            case CONNECTION_REFUSED_NOT_AUTHORIZED -> "not_authorized";
            case CONNECTION_REFUSED_SERVER_UNAVAILABLE -> "server_unavailable";
            case CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION -> "protocol_version";
            default -> "other";
        });
    }

    private void refuseConnect(ChannelHandlerContext ctx, MqttConnectReturnCode v3, MqttConnectReturnCode v5, String counted) {
        closeReason = "connect refused";
        gw.meters().refused(counted);
        ctx.writeAndFlush(connAck(mqtt5 ? v5 : v3, null)).addListener(f -> ctx.close());
    }

    private MqttConnAckMessage connAck(MqttConnectReturnCode code, MqttProperties props) {
        MqttMessageBuilders.ConnAckBuilder b = MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false);
        if (props != null) b.properties(props);
        return b.build();
    }

    /** Usage paused or the device limit reached: MQTT 5 hears 0x97 (Quota exceeded) and why; 3.1.1 "not authorized". */
    private void refuseQuota(ChannelHandlerContext ctx, String why) {
        closeReason = why;
        MqttProperties props = mqtt5 ? new MqttMessageBuilders.ConnAckPropertiesBuilder().reasonString(why).build() : null;
        ctx.writeAndFlush(connAck(mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
                : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, props)).addListener(f -> ctx.close());
    }

    private void established(ChannelHandlerContext ctx, DeviceSession s, int keepAlive, boolean cellular) {
        if (!ctx.channel().isActive()) {
            gw.blocking().execute(() -> gw.presence().disconnected(s.deviceId(), s.sessionId(), closeReason, () -> { }));
            return;
        }
        try {
            session = s;
            WireBytes.established(ctx.channel(), s.deviceId(), cellular);
            uplink = new Uplink(gw, this, s, mqtt5);
            s.attach();
            DeviceSession previous = gw.sessions().put(s);
            if (previous != null && previous != s) previous.close(Disconnects.SESSION_TAKEN_OVER);
            // Sessions of this device on other nodes close too.
            gw.bus().publish(io.boson.bus.Subjects.deviceTakeover(s.deviceId()), s.sessionId().getBytes(StandardCharsets.UTF_8));
            MqttProperties props = null;
            if (mqtt5) {
                props = new MqttMessageBuilders.ConnAckPropertiesBuilder().maximumQos((byte) 1).retainAvailable(false)
                        .maximumPacketSize(MqttGateway.MAX_PACKET_BYTES).wildcardSubscriptionAvailable(true)
                        .sharedSubscriptionAvailable(false).subscriptionIdentifiersAvailable(false).build();
            }
            ctx.writeAndFlush(connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, props));
            if (keepAlive > 0) {
                ctx.pipeline().addFirst("idle", new IdleStateHandler(keepAlive * 1500L, 0, 0, TimeUnit.MILLISECONDS));
            }
            ctx.channel().config().setAutoRead(true);
        } catch (RuntimeException e) {
            // The bus refused a subscription or a publish (a NATS client whose output queue is full): say so
            // and close, rather than leave the device waiting for a CONNACK that never comes. Closing ends
            // the session's bookkeeping (channelInactive); the device reconnects.
            log.warn("device {} could not be set up: {}", s.deviceId(), e.toString());
            refuseConnect(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                    MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY);
            return;
        }
        gw.events().system(s.deviceId(), s.scope(), s.ownerScope(), "spark/status", "online");
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            refuse(ctx, Disconnects.KEEP_ALIVE_TIMEOUT);
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        DeviceSession s = session;
        if (s != null) {
            session = null;
            gw.sessions().remove(s);
            s.detach();
            String reason = s.closeReason();
            gw.meters().disconnected(reason);
            gw.blocking().execute(() -> gw.presence().disconnected(s.deviceId(), s.sessionId(), reason, () -> {
                gw.bus().publish(io.boson.bus.Subjects.devicePresence(s.deviceId()), new byte[0]);
                gw.events().system(s.deviceId(), s.scope(), s.ownerScope(), "spark/status", "offline");
            }));
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("device connection error: {}", cause.toString());
        reason("connection error");
        ctx.close();
    }

    // --- PUBLISH ---------------------------------------------------------------------------

    /** Runs database work on a virtual thread with reading paused, then acknowledges. */
    void offload(ChannelHandlerContext ctx, MqttQoS qos, int packetId, java.util.function.Supplier<Byte> work) {
        ctx.channel().config().setAutoRead(false);
        gw.blocking().execute(() -> {
            byte code;
            try {
                code = work.get();
            } catch (RuntimeException e) {
                log.warn("device {} request failed: {}", session == null ? "?" : session.deviceId(), e.toString());
                code = (byte) 0x80;
            }
            byte result = code;
            ctx.channel().eventLoop().execute(() -> {
                if (result == NOT_IN_PRODUCT) {
                    refuse(ctx, Disconnects.NOT_AUTHORIZED);
                    return;
                }
                ack(ctx, qos, packetId, result);
                ctx.channel().config().setAutoRead(true);
            });
        });
    }

    void refuseTopic(ChannelHandlerContext ctx, MqttQoS qos, int packetId) {
        if (!mqtt5) {
            reason("invalid topic");
            ctx.close();
            return;
        }
        ack(ctx, qos, packetId, PUBACK_TOPIC_INVALID);
    }

    void refusePayload(ChannelHandlerContext ctx, MqttQoS qos, int packetId) {
        if (!mqtt5) {
            reason("invalid payload");
            ctx.close();
            return;
        }
        ack(ctx, qos, packetId, PUBACK_PAYLOAD_INVALID);
    }

    void ack(ChannelHandlerContext ctx, MqttQoS qos, int packetId, byte reason) {
        if (qos != MqttQoS.AT_LEAST_ONCE) return;
        ctx.writeAndFlush(MqttMessageBuilders.pubAck().packetId(packetId).reasonCode(reason).build());
    }

    // --- SUBSCRIBE -------------------------------------------------------------------------

    private void subscribe(ChannelHandlerContext ctx, MqttSubscribeMessage m) {
        List<Integer> codes = new ArrayList<>();
        for (MqttTopicSubscription sub : m.payload().topicSubscriptions()) {
            String filter = sub.topicFilter();
            if (!Topics.validSubscription(filter)) {
                codes.add(mqtt5 ? 0x87 : 0x80);
            } else if (!session.subscribed(filter)) {
                codes.add(mqtt5 ? 0x97 : 0x80);
            } else {
                codes.add(Math.min(sub.qualityOfService().value(), 1));
            }
        }
        ctx.writeAndFlush(new MqttSubAckMessage(
                new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(m.variableHeader().messageId(), MqttProperties.NO_PROPERTIES),
                new MqttSubAckPayload(codes)));
    }

    private void unsubscribe(ChannelHandlerContext ctx, MqttUnsubscribeMessage m) {
        MqttMessageBuilders.UnsubAckBuilder ack = MqttMessageBuilders.unsubAck().packetId(m.variableHeader().messageId());
        for (String filter : m.payload().topics()) {
            session.unsubscribed(filter);
            if (mqtt5) ack.addReasonCode((short) 0);
        }
        ctx.writeAndFlush(ack.build());
    }
}
