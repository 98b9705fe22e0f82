package io.boson.webhooks;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DestinationsTest {

    static InetAddress[] at(String... addresses) throws Exception {
        InetAddress[] out = new InetAddress[addresses.length];
        for (int i = 0; i < addresses.length; i++) out[i] = InetAddress.getByName(addresses[i]);
        return out;
    }

    @Test
    void privateRangesAreBlockedUnlessAllowed() throws Exception {
        Destinations none = new Destinations(List.of());
        for (String a : List.of("127.0.0.1", "10.9.8.7", "172.31.255.255", "192.168.0.1", "169.254.169.254", "0.0.0.0",
                "100.100.100.100", "224.0.0.1", "::1", "fe80::1", "fd12::1", "::ffff:10.0.0.1", "255.255.255.255")) {
            assertThat(none.refused(at(a))).as(a).isNotNull();
        }
        for (String a : List.of("8.8.8.8", "203.0.113.7", "172.32.0.1", "100.128.0.1", "2001:db8::1")) {
            assertThat(none.refused(at(a))).as(a).isNull();
        }
        // One blocked address among a host's answers is enough to refuse it.
        assertThat(none.refused(at("8.8.8.8", "10.0.0.1"))).isEqualTo("10.0.0.1");

        Destinations some = new Destinations(List.of("127.0.0.0/8", "10.20.0.0/16", "fd00::/8", "192.168.1.5"));
        assertThat(some.refused(at("127.5.5.5", "10.20.3.4", "fd12::1", "192.168.1.5"))).isNull();
        assertThat(some.refused(at("10.21.0.1"))).isEqualTo("10.21.0.1");
        assertThat(some.refused(at("192.168.1.6"))).isEqualTo("192.168.1.6");
        assertThat(some.refused(at("::1"))).as("an IPv4 range does not open IPv6 loopback").isNotNull();
    }

    @Test
    void malformedRangesAreRejected() {
        for (String bad : List.of("10.0.0.0/33", "example.com/8", "10.0.0/x", "")) {
            assertThatThrownBy(() -> new Destinations(List.of(bad))).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(WebhookSettings.parseAllow(" 10.0.0.0/8, ,127.0.0.1/32 ")).containsExactly("10.0.0.0/8", "127.0.0.1/32");
    }
}
