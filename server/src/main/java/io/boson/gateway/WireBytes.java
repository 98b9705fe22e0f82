package io.boson.gateway;

import io.boson.usage.Meter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * First in a connection's pipeline: counts the bytes that cross the wire both ways (MQTT frames,
 * or TLS records on the TLS port) and meters them as cellular data once the connection is known
 * to be a cellular device's. Bytes before that (the CONNECT) are held and then added; for any
 * other device the handler leaves the pipeline.
 */
final class WireBytes extends ChannelDuplexHandler {

    private final Meter meter;
    private String deviceId;
    private long beforeConnect;

    WireBytes(Meter meter) {
        this.meter = meter;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        count(msg);
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        count(msg);
        super.write(ctx, msg, promise);
    }

    private void count(Object msg) {
        long n = msg instanceof ByteBuf b ? b.readableBytes() : msg instanceof ByteBufHolder h ? h.content().readableBytes() : 0;
        if (deviceId != null) meter.cellular(deviceId, n);
        else beforeConnect += n;
    }

    /** On the event loop, when the session is established. */
    static void established(io.netty.channel.Channel channel, String deviceId, boolean cellular) {
        WireBytes w = channel.pipeline().get(WireBytes.class);
        if (w == null) return;
        if (!cellular) {
            channel.pipeline().remove(w);
            return;
        }
        w.deviceId = deviceId;
        w.meter.cellular(deviceId, w.beforeConnect);
        w.beforeConnect = 0;
    }
}
