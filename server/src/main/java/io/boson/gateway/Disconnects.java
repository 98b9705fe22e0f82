package io.boson.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;

/** Closing a device connection, with an MQTT 5 DISCONNECT reason where the device speaks MQTT 5. */
final class Disconnects {

    static final byte NOT_AUTHORIZED = (byte) 0x87;
    static final byte SERVER_SHUTTING_DOWN = (byte) 0x8B;
    static final byte KEEP_ALIVE_TIMEOUT = (byte) 0x8D;
    static final byte SESSION_TAKEN_OVER = (byte) 0x8E;
    static final byte TOPIC_NAME_INVALID = (byte) 0x90;
    static final byte PACKET_TOO_LARGE = (byte) 0x95;
    static final byte MESSAGE_RATE_TOO_HIGH = (byte) 0x96;
    static final byte QOS_NOT_SUPPORTED = (byte) 0x9B;
    /** The owner's usage limit is reached and its devices' communication is paused. */
    static final byte QUOTA_EXCEEDED = (byte) 0x97;
    static final byte PROTOCOL_ERROR = (byte) 0x82;

    private Disconnects() {
    }

    static void close(Channel channel, boolean mqtt5, byte reason) {
        if (!channel.isActive()) return;
        if (mqtt5) {
            channel.writeAndFlush(MqttMessageBuilders.disconnect().reasonCode(reason).build())
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    /**
     * Closes at once, without waiting for what is queued to be written: for a device that does not
     * read, whose DISCONNECT would wait behind its full buffer forever.
     */
    static void closeNow(Channel channel, boolean mqtt5, byte reason) {
        if (!channel.isActive()) return;
        if (mqtt5) channel.writeAndFlush(MqttMessageBuilders.disconnect().reasonCode(reason).build());
        channel.close();
    }

    static String describe(byte reason) {
        return switch (reason) {
            case NOT_AUTHORIZED -> "not authorized";
            case SERVER_SHUTTING_DOWN -> "server shutting down";
            case KEEP_ALIVE_TIMEOUT -> "keep-alive timeout";
            case SESSION_TAKEN_OVER -> "session taken over";
            case TOPIC_NAME_INVALID -> "invalid topic";
            case PACKET_TOO_LARGE -> "packet too large";
            case MESSAGE_RATE_TOO_HIGH -> "message rate too high";
            case QOS_NOT_SUPPORTED -> "QoS 2 not supported";
            case QUOTA_EXCEEDED -> "usage limit reached: communication paused";
            default -> "protocol error";
        };
    }
}
