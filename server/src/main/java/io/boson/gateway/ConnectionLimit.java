package io.boson.gateway;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many device connections one node holds open at once, and how long a connection may stay
 * open without sending its CONNECT.
 *
 * <p>Each connection is an open file. A node whose devices take every file the process may open
 * can accept no API client, open no database file, reach no NATS server (the soak found it: 19,050
 * devices and an API client's connections used up a 20,000 limit, and requests then failed at
 * accept). So by default devices may hold the process's open-files limit less {@link #RESERVE};
 * the next one is refused at CONNECT with "server busy" (MQTT 5 0x89, 3.1.1 "server unavailable")
 * and counted ({@code boson_device_connect_refusals_total{reason="connection_limit"}}), and a device
 * retries later or elsewhere. A connection that sends no CONNECT within the connect timeout is
 * closed: without that, idle TCP connections alone could take every file.
 *
 * @param maxConnections device connections held at once; 0 for no limit
 * @param connectTimeout how long a new connection (TLS handshake included) may take to send CONNECT
 */
public record ConnectionLimit(int maxConnections, Duration connectTimeout) {

    /** Open files kept for everything else when the limit comes from the process's own. */
    public static final int RESERVE = 500;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    public ConnectionLimit {
        if (maxConnections < 0) throw new IllegalArgumentException("the device connection limit is 0 (none) or more");
        if (!connectTimeout.isPositive()) throw new IllegalArgumentException("the connect timeout must be positive");
    }

    /** The process's open-files limit less {@link #RESERVE}; no limit when the platform does not say. */
    public static ConnectionLimit automatic(Duration connectTimeout) {
        long files = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean u
                ? u.getMaxFileDescriptorCount() : 0;
        return new ConnectionLimit(files <= 0 ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, files - RESERVE)),
                connectTimeout);
    }

    /** Counts the connections open now against the limit. */
    static final class Counter {
        private final int max;
        private final AtomicInteger open = new AtomicInteger();

        Counter(int max) {
            this.max = max;
        }

        /** One more connection; false when it is over the limit (it must still be released when it closes). */
        boolean admit() {
            return open.incrementAndGet() <= max || max == 0;
        }

        void release() {
            open.decrementAndGet();
        }

        int open() {
            return open.get();
        }
    }
}
