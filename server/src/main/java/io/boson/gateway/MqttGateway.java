package io.boson.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.bus.Bus;
import io.boson.devices.DeviceService;
import io.boson.devices.Presence;
import io.boson.events.EventCodec;
import io.boson.events.EventService;
import io.boson.firmware.OtaDelivery;
import io.boson.products.ProductDevices;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The MQTT device gateway: Netty's MQTT codec on a TCP port (and the same over TLS on a second
 * port when a certificate is configured), one {@link PacketHandler} per connection. Event loops never block; database work runs on virtual threads.
 */
public final class MqttGateway implements AutoCloseable {

    /** Largest packet accepted: a describe with 100 functions and 100 variables fits easily. */
    public static final int MAX_PACKET_BYTES = 64 * 1024;
    /**
     * What the cloud may have queued for one device beyond the socket: past the high mark the
     * connection is unwritable and messages for it are dropped (see DeviceSession); one full-size
     * packet always fits.
     */
    static final int WRITE_BUFFER_HIGH = 128 * 1024;
    static final int WRITE_BUFFER_LOW = 64 * 1024;
    /**
     * What a queued message costs beyond its payload (the message, its headers and the write task
     * hold a few hundred bytes of heap): counted toward the write buffer, so that the bound holds in
     * memory and not only in payload bytes. Without it a device that does not read could have
     * thousands of tiny events queued (128 KiB of 13-byte payloads), and a thousand such devices
     * gigabytes; with it, at most about 256 small messages each.
     */
    static final int QUEUED_MESSAGE_OVERHEAD = 512;
    private static final io.netty.channel.MessageSizeEstimator QUEUED_SIZE = () -> msg -> QUEUED_MESSAGE_OVERHEAD
            + (msg instanceof io.netty.buffer.ByteBufHolder h ? h.content().readableBytes()
            : msg instanceof io.netty.buffer.ByteBuf b ? b.readableBytes() : 0);
    private static final long SHUTDOWN_WAIT_MILLIS = 5_000;

    private final Transport transport = Transport.chosen();
    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, transport.handlers());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0, transport.handlers());
    private final DatabaseWork blocking = new DatabaseWork(DatabaseWork.DEFAULT_PERMITS);
    private final GatewayContext context;
    private volatile boolean closing;
    private final ConnectionLimit limit;
    private final ConnectionLimit.Counter connections;
    private Channel server;
    private Channel tlsServer;
    private Channel localServer;
    private EventLoopGroup local;

    public MqttGateway(DeviceService devices, ProductDevices fleet, Presence presence, EventService events, EventCodec codec, Bus bus,
                       ObjectMapper json, Clock clock, Duration requestTimeout, OtaDelivery ota, io.boson.usage.UsageService usage,
                       io.micrometer.core.instrument.MeterRegistry registry, io.boson.health.FleetCounters fleetCounters,
                       ConnectionLimit limit) {
        this.limit = limit;
        this.connections = new ConnectionLimit.Counter(limit.maxConnections());
        io.micrometer.core.instrument.Gauge.builder("boson.device.connections.open", connections, ConnectionLimit.Counter::open)
                .description("Device connections open on this node (before and after CONNECT)").register(registry);
        Sessions sessions = new Sessions(bus, codec);
        this.context = new GatewayContext(devices, fleet, presence, events, codec, bus, json, clock, requestTimeout, blocking,
                sessions, ota, new ConnectPacing(clock), usage, new GatewayMeters(registry, sessions), fleetCounters);
        usage.onPause(this::closeOwner);
    }

    /** Meters bytes of a cellular device's connection that crossed another transport (Device OS's UDP). */
    public void cellularBytes(String deviceId, long bytes) {
        context.usage().meter().cellular(deviceId, bytes);
    }

    /** The devices with a session on this node now (fleet health's online gauge). */
    public java.util.Collection<String> connectedDeviceIds() {
        return context.sessions().all().stream().map(DeviceSession::deviceId).toList();
    }

    /**
     * This node was taken for dead by another (it did not beat for the node timeout) while it still
     * held its sessions: that node recorded its devices offline. Records each session still open
     * online again, with its {@code spark/status online}; a session that closed meanwhile is
     * recorded offline as its close would have (one presence notice either way).
     */
    public void reassertSessions() {
        for (DeviceSession s : context.sessions().all()) {
            if (!context.presence().reasserted(s.deviceId(), s.sessionId(), s.remoteIp())) continue;
            if (s.open()) {
                context.events().system(s.deviceId(), s.scope(), s.ownerScope(), "spark/status", "online");
            } else {
                // It closed while this ran, and its close found nothing to record: record it now.
                context.presence().lost(s.deviceId(), s.sessionId(), s.closeReason());
            }
            context.bus().publish(io.boson.bus.Subjects.devicePresence(s.deviceId()), new byte[0]);
        }
    }

    /** Ends the sessions on this node of the devices of an owner whose communication is paused. */
    private void closeOwner(String owner) {
        for (DeviceSession s : context.sessions().all()) {
            io.boson.usage.Meter.Billing b = context.usage().meter().billingOf(s.deviceId());
            if (b != null && owner.equals(b.owner())) s.close(Disconnects.QUOTA_EXCEEDED);
        }
    }

    /** The socket transport of this gateway's event loops ({@link Transport#chosen()}). */
    public Transport transport() {
        return transport;
    }

    public MqttGateway start(String host, int port) throws InterruptedException {
        server = bootstrap(null).bind(host, port).sync().channel();
        return this;
    }

    /**
     * Also serves MQTT over TLS on {@code port} with a PEM certificate chain and PKCS#8 PEM key. With
     * {@code deviceCa} (PEM certificates; null for none), a device may present a client certificate
     * issued by one of them instead of its secret: its CN is the device ID (device protocol section 1).
     */
    public MqttGateway startTls(String host, int port, java.nio.file.Path cert, java.nio.file.Path key,
                                java.nio.file.Path deviceCa) throws InterruptedException {
        SslContext ssl;
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(cert.toFile(), key.toFile());
            if (deviceCa != null) builder.trustManager(deviceCa.toFile()).clientAuth(io.netty.handler.ssl.ClientAuth.OPTIONAL);
            ssl = builder.build();
        } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use TLS certificate " + cert + " and key " + key
                    + (deviceCa == null ? "" : " with device CA " + deviceCa) + ": " + e.getMessage(), e);
        }
        tlsServer = bootstrap(ssl).bind(host, port).sync().channel();
        return this;
    }

    private ServerBootstrap bootstrap(SslContext ssl) {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(WRITE_BUFFER_LOW, WRITE_BUFFER_HIGH))
                .childOption(ChannelOption.MESSAGE_SIZE_ESTIMATOR, QUEUED_SIZE)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (context.usage().meter().on()) ch.pipeline().addLast("wire-bytes", new WireBytes(context.usage().meter()));
                        if (ssl != null) ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()));
                        ch.pipeline().addLast("decoder", new MqttDecoder(MAX_PACKET_BYTES));
                        ch.pipeline().addLast("encoder", MqttEncoder.INSTANCE);
                        boolean admitted = connections.admit();
                        ch.closeFuture().addListener(f -> connections.release());
                        ch.pipeline().addLast("device", new PacketHandler(context, () -> closing, !admitted, limit.connectTimeout()));
                    }
                });
    }

    /**
     * Also serves the device protocol in-process, for gateways of other device protocols (Device OS's
     * CoAP over DTLS): they connect a {@link io.netty.channel.local.LocalChannel} per device to the
     * address returned and exchange Netty's MQTT message objects (no encoding) with the same
     * session code as a socket's. Only code in this process can open such a channel, and it has
     * authenticated the device itself: the CONNECT's client id is taken as proven.
     */
    public synchronized io.netty.channel.local.LocalAddress startLocal() throws InterruptedException {
        if (localServer != null) return (io.netty.channel.local.LocalAddress) localServer.localAddress();
        local = new MultiThreadIoEventLoopGroup(1, io.netty.channel.local.LocalIoHandler.newFactory());
        localServer = new ServerBootstrap()
                .group(local)
                .channel(io.netty.channel.local.LocalServerChannel.class)
                .childHandler(new ChannelInitializer<io.netty.channel.local.LocalChannel>() {
                    @Override
                    protected void initChannel(io.netty.channel.local.LocalChannel ch) {
                        boolean admitted = connections.admit();
                        ch.closeFuture().addListener(f -> connections.release());
                        ch.pipeline().addLast("device", new PacketHandler(context, () -> closing, !admitted, limit.connectTimeout(),
                                true));
                    }
                })
                .bind(new io.netty.channel.local.LocalAddress("boson-gateway-" + java.util.UUID.randomUUID())).sync().channel();
        return (io.netty.channel.local.LocalAddress) localServer.localAddress();
    }

    /** The in-process transport's event loops, for the client ends of its channels. */
    public EventLoopGroup localGroup() {
        return local;
    }

    /** The gateway's database work, for tests that hold it busy. */
    DatabaseWork databaseWork() {
        return blocking;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The TLS port, or -1 when TLS is not configured. */
    public int tlsPort() {
        return tlsServer == null ? -1 : ((InetSocketAddress) tlsServer.localAddress()).getPort();
    }

    /**
     * Stops accepting, tells every device the server is going away, and waits until their
     * sessions are recorded as ended, so a clean shutdown leaves no device "online".
     */
    @Override
    public void close() {
        closing = true;
        if (server != null) server.close().syncUninterruptibly();
        if (tlsServer != null) tlsServer.close().syncUninterruptibly();
        if (localServer != null) localServer.close().syncUninterruptibly();
        List<Channel> channels = new ArrayList<>();
        for (DeviceSession s : context.sessions().all()) {
            channels.add(s.channel());
            s.close(Disconnects.SERVER_SHUTTING_DOWN);
        }
        for (Channel c : channels) c.closeFuture().awaitUninterruptibly(SHUTDOWN_WAIT_MILLIS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        if (local != null) local.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        blocking.shutdown();
        try {
            blocking.awaitTermination(SHUTDOWN_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
