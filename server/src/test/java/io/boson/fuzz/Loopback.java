package io.boson.fuzz;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;

import java.util.Set;

/** Network connections a fuzz run may make: to this machine's loopback (the test server), nowhere else. */
final class Loopback {

    private static final Set<String> HOSTS = Set.of("127.0.0.1", "localhost", "::1", "0:0:0:0:0:0:0:1");

    private Loopback() {
    }

    static SilentCloseable only() {
        return BugDetectors.allowNetworkConnections((host, port) -> HOSTS.contains(host));
    }
}
