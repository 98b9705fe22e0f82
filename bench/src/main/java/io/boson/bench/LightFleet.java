package io.boson.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thousands of simulated devices on one shared Netty event loop with Netty's MQTT codec: a device is
 * a channel, a small handler and a few fields, so that one load-generator process can hold ~9,500 (or
 * ~18,000) connections in a few hundred MiB. Each device speaks the device protocol as the SDK does
 * (MQTT 3.1.1 here): CONNECT with client id = username = device ID and password = secret, SUBSCRIBE to
 * the SDK's request filters, PUBLISH {@code d} (describe, function {@code led}) at QoS 1; it is
 * "connected" once the SUBACK and the describe's PUBACK have arrived. It answers {@code c/f/…} with
 * {@code r/{rid}} = 1 and {@code c/p/…} with an empty reply, and pings at half its keep-alive.
 *
 * <p>A connection that fails (refused, reset, or no CONNACK/SUBACK/PUBACK within 30 s) is retried after 1–4 s, up to
 * {@link #ATTEMPTS} attempts, as a device would; every failed attempt is counted, so "absorbed without
 * errors" can be checked.
 */
final class LightFleet implements AutoCloseable {

    static final List<String> FILTERS = List.of("c/f/#", "c/v/#", "c/p/#", "c/o/#", "c/vitals", "c/signal");
    static final int ATTEMPTS = 6;
    static final int HANDSHAKE_TIMEOUT_SECONDS = 30;
    static final String EVENT = "bench";

    record Credentials(String id, String secret) {
    }

    final AtomicLong connected = new AtomicLong();
    final AtomicLong refusals = new AtomicLong();
    final AtomicLong failedAttempts = new AtomicLong();
    final AtomicLong gaveUp = new AtomicLong();
    final AtomicLong unexpectedCloses = new AtomicLong();
    final AtomicLong callsAnswered = new AtomicLong();
    final AtomicLong eventsSent = new AtomicLong();
    final AtomicLong eventsAcked = new AtomicLong();
    /** Publishes that found their device not connected or not writable and went to the next device. */
    final AtomicLong publishSkipped = new AtomicLong();

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Device[] devices;
    private final int keepAliveSeconds;
    private final byte[] describe;

    LightFleet(List<Credentials> credentials, List<InetSocketAddress> targets, int threads, int keepAliveSeconds,
               long productId) {
        this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        this.keepAliveSeconds = keepAliveSeconds;
        this.describe = ("{\"f\":[\"led\"],\"v\":{},\"platform_id\":13" + (productId > 0 ? ",\"product_id\":" + productId : "")
                + ",\"updates_enabled\":true}").getBytes(StandardCharsets.UTF_8);
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 20_000)
                .option(ChannelOption.SO_RCVBUF, 8 * 1024)
                .option(ChannelOption.SO_SNDBUF, 8 * 1024);
        this.devices = new Device[credentials.size()];
        for (int i = 0; i < devices.length; i++) {
            devices[i] = new Device(credentials.get(i), targets.get(i % targets.size()));
        }
    }

    int size() {
        return devices.length;
    }

    Device device(int i) {
        return devices[i];
    }

    /**
     * Connects every device with at most {@code inFlight} handshakes under way at once (all of them at
     * once when {@code inFlight} ≥ size), and waits until each is connected or gave up.
     */
    void connectAll(int inFlight) throws InterruptedException {
        java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(Math.max(1, inFlight));
        CompletableFuture<?>[] all = new CompletableFuture<?>[devices.length];
        for (int i = 0; i < devices.length; i++) {
            permits.acquire();
            all[i] = devices[i].connect().whenComplete((v, e) -> permits.release());
        }
        for (CompletableFuture<?> f : all) {
            try {
                f.get(5, TimeUnit.MINUTES);
            } catch (Exception ignored) {
                // counted in gaveUp
            }
        }
    }

    /** Drops every connection at once, with a TCP reset (no DISCONNECT): as when a network path dies. */
    void dropAll() {
        List<io.netty.util.concurrent.Future<?>> closes = new java.util.ArrayList<>();
        for (Device d : devices) {
            io.netty.util.concurrent.Future<?> f = d.drop();
            if (f != null) closes.add(f);
        }
        for (io.netty.util.concurrent.Future<?> f : closes) f.awaitUninterruptibly(10_000);
    }

    /** Publishes {@code perSecond} events in total for {@code seconds}, from the devices in turn, QoS 1. */
    void publish(double perSecond, int seconds, String tag) throws InterruptedException {
        long interval = (long) (1e9 / perSecond);
        long count = (long) (perSecond * seconds);
        long begin = System.nanoTime();
        int next = ThreadLocalRandom.current().nextInt(devices.length);
        for (long i = 0; i < count; i++) {
            FanIn.sleepUntil(begin + i * interval);
            for (int tries = 0; tries < devices.length; tries++) {
                Device d = devices[next];
                next = (next + 1) % devices.length;
                if (d.publishEvent(tag + ":" + i + ":" + System.nanoTime())) break;
                publishSkipped.incrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        for (Device d : devices) {
            Channel c = d.channel;
            d.closing = true;
            if (c != null) c.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    final class Device {
        final Credentials credentials;
        private final InetSocketAddress target;
        private volatile Channel channel;
        private volatile boolean ready;
        private volatile boolean closing;
        private int packetIds = 2;

        Device(Credentials credentials, InetSocketAddress target) {
            this.credentials = credentials;
            this.target = target;
        }

        boolean ready() {
            return ready;
        }

        CompletableFuture<Void> connect() {
            closing = false;
            CompletableFuture<Void> done = new CompletableFuture<>();
            attempt(done, 1);
            return done;
        }

        private void attempt(CompletableFuture<Void> done, int n) {
            Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new MqttDecoder(64 * 1024), MqttEncoder.INSTANCE, new Handler(Device.this, done, n));
                }
            });
            ChannelFuture f = b.connect(target);
            channel = f.channel();
            f.addListener(r -> {
                if (!r.isSuccess()) failed(done, n);
            });
        }

        void failed(CompletableFuture<Void> done, int n) {
            if (done.isDone() || closing) return;
            failedAttempts.incrementAndGet();
            if (n >= ATTEMPTS) {
                gaveUp.incrementAndGet();
                done.completeExceptionally(new IllegalStateException("gave up after " + n + " attempts"));
                return;
            }
            group.schedule(() -> attempt(done, n + 1), 1000 + ThreadLocalRandom.current().nextInt(3000), TimeUnit.MILLISECONDS);
        }

        io.netty.util.concurrent.Future<?> drop() {
            Channel c = channel;
            closing = true;
            if (ready) connected.decrementAndGet();
            ready = false;
            if (c == null || !c.isOpen()) return null;
            c.config().setOption(ChannelOption.SO_LINGER, 0);
            return c.close();
        }

        boolean publishEvent(String payload) {
            Channel c = channel;
            if (!ready || c == null || !c.isWritable()) return false;
            c.eventLoop().execute(() -> {
                int id = nextPacketId();
                c.writeAndFlush(MqttMessageBuilders.publish().topicName("e/" + EVENT).qos(MqttQoS.AT_LEAST_ONCE).retained(false)
                        .messageId(id).payload(Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8))).build());
                eventsSent.incrementAndGet();
            });
            return true;
        }

        private int nextPacketId() {
            packetIds = packetIds >= 65535 ? 3 : packetIds + 1;
            return packetIds;
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<MqttMessage> {
        private final Device device;
        private final CompletableFuture<Void> done;
        private final int attempt;
        private boolean subAcked;
        private boolean describeAcked;
        private boolean established;

        Handler(Device device, CompletableFuture<Void> done, int attempt) {
            this.device = device;
            this.done = done;
            this.attempt = attempt;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // As a device would: a handshake that is not answered in time is abandoned and retried.
            ctx.executor().schedule(() -> {
                if (!established) ctx.close();
            }, HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            ctx.writeAndFlush(MqttMessageBuilders.connect().clientId(device.credentials.id()).username(device.credentials.id())
                    .password(device.credentials.secret().getBytes(StandardCharsets.UTF_8)).cleanSession(true)
                    .keepAlive(keepAliveSeconds).protocolVersion(MqttVersion.MQTT_3_1_1).build());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage m) {
            if (m.decoderResult().isFailure()) {
                ctx.close();
                return;
            }
            switch (m.fixedHeader().messageType()) {
                case CONNACK -> {
                    MqttConnectReturnCode code = ((MqttConnAckMessage) m).variableHeader().connectReturnCode();
                    if (code != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                        refusals.incrementAndGet();
                        ctx.close();
                        return;
                    }
                    MqttMessageBuilders.SubscribeBuilder sub = MqttMessageBuilders.subscribe().messageId(1);
                    for (String f : FILTERS) sub.addSubscription(MqttQoS.AT_LEAST_ONCE, f);
                    ctx.write(sub.build());
                    ctx.writeAndFlush(MqttMessageBuilders.publish().topicName("d").qos(MqttQoS.AT_LEAST_ONCE).retained(false)
                            .messageId(2).payload(Unpooled.wrappedBuffer(describe)).build());
                }
                case SUBACK -> {
                    subAcked = true;
                    maybeReady(ctx);
                }
                case PUBACK -> {
                    int id = ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
                    if (id == 2 && !describeAcked) {
                        describeAcked = true;
                        maybeReady(ctx);
                    } else {
                        eventsAcked.incrementAndGet();
                    }
                }
                case PUBLISH -> answer(ctx, (MqttPublishMessage) m);
                default -> { }
            }
        }

        private void maybeReady(ChannelHandlerContext ctx) {
            if (!subAcked || !describeAcked || established) return;
            established = true;
            device.ready = true;
            connected.incrementAndGet();
            if (keepAliveSeconds > 0) {
                long period = keepAliveSeconds * 500L;
                ctx.executor().scheduleAtFixedRate(() -> {
                    if (ctx.channel().isActive()) {
                        ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false,
                                MqttQoS.AT_MOST_ONCE, false, 0)));
                    }
                }, ThreadLocalRandom.current().nextLong(period), period, TimeUnit.MILLISECONDS);
            }
            done.complete(null);
        }

        private void answer(ChannelHandlerContext ctx, MqttPublishMessage p) {
            String topic = p.variableHeader().topicName();
            String[] parts = topic.split("/");
            String reply;
            String body;
            if (topic.startsWith("c/f/") && parts.length == 4) {
                reply = "r/" + parts[3];
                body = "1";
            } else if (topic.startsWith("c/p/") && parts.length == 3) {
                reply = "r/" + parts[2];
                body = "";
            } else if (topic.startsWith("c/v/") && parts.length == 4) {
                reply = "r/" + parts[3] + "/err";
                body = "no variables";
            } else {
                return;
            }
            callsAnswered.incrementAndGet();
            ctx.writeAndFlush(MqttMessageBuilders.publish().topicName(reply).qos(MqttQoS.AT_MOST_ONCE).retained(false)
                    .payload(Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8))).build());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (device.channel != ctx.channel()) return; // an earlier connection of a device that has reconnected since
            if (established) {
                if (!device.closing) {
                    unexpectedCloses.incrementAndGet();
                    if (device.ready) connected.decrementAndGet();
                    device.ready = false;
                }
            } else {
                device.failed(done, attempt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
