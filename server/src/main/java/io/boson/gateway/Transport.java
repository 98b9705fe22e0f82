package io.boson.gateway;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.util.Locale;

/**
 * The gateway's socket transport: Netty's native epoll transport on Linux (packets read and written
 * straight from native code, without the JDK selector's bookkeeping per wake-up), the JDK's NIO
 * elsewhere or when the operator asks for it with {@code -Dboson.mqtt.transport=nio} (docs/operations.md).
 */
public enum Transport {
    EPOLL, NIO;

    public static final String PROPERTY = "boson.mqtt.transport";

    /** The transport this process uses: {@code boson.mqtt.transport} ({@code auto}, {@code epoll}, {@code nio}). */
    public static Transport chosen() {
        String asked = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        return switch (asked) {
            case "nio" -> NIO;
            case "epoll" -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException(PROPERTY + "=epoll, but the native epoll transport cannot load here: "
                            + Epoll.unavailabilityCause());
                }
                yield EPOLL;
            }
            case "auto" -> Epoll.isAvailable() ? EPOLL : NIO;
            default -> throw new IllegalArgumentException(PROPERTY + " must be auto, epoll or nio, not '" + asked + "'");
        };
    }

    IoHandlerFactory handlers() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
