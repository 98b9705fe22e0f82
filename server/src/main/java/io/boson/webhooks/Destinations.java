package io.boson.webhooks;

import io.boson.errors.DomainException;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where webhooks may send: public addresses always; loopback, link-local, private (RFC 1918, IPv6
 * unique-local), carrier-grade NAT, unspecified and multicast addresses only inside a range the
 * operator opened ({@code --webhook-allow}). Checked when a webhook is created (for a literal or
 * resolvable host) and again on every send against every address the host resolves to, so a
 * tenant cannot reach the operator's network by pointing a name at it later.
 */
final class Destinations {

    private final List<Cidr> allowed;

    Destinations(List<String> allowedCidrs) {
        List<Cidr> out = new ArrayList<>();
        for (String c : allowedCidrs) out.add(Cidr.parse(c));
        this.allowed = List.copyOf(out);
    }

    /** Checks a URL at creation: http(s), a host, and no blocked address when the host is known already. */
    void checkUrl(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase();
        if (!scheme.equals("http") && !scheme.equals("https")) throw DomainException.invalid("url must be an http or https URL");
        String host = url.getHost();
        if (host == null || host.isBlank()) throw DomainException.invalid("url must name a host");
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return; // may resolve later; every send checks again
        }
        String refused = refused(addresses);
        if (refused != null) {
            throw DomainException.invalid("url points to " + refused + ", a loopback, link-local or private address "
                    + "that this server does not send webhooks to (the operator can allow it with --webhook-allow)");
        }
    }

    /** Null when every address may be called, else the first one that may not. */
    String refused(InetAddress[] addresses) {
        for (InetAddress a : addresses) {
            if (blocked(a) && allowed.stream().noneMatch(c -> c.contains(a))) return a.getHostAddress();
        }
        return null;
    }

    /** Resolves the host and returns the refused address, or null when sending is allowed. */
    String refusedHost(String host) throws UnknownHostException {
        return refused(InetAddress.getAllByName(host));
    }

    static boolean blocked(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second < 128) || first >= 240;
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) return true; // unique local fc00::/7
            boolean mapped = true; // ::ffff:a.b.c.d
            for (int i = 0; i < 10; i++) mapped &= b[i] == 0;
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return blocked(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }

    /** An address range such as {@code 127.0.0.0/8} or {@code fd00::/8}; a bare address is a range of one. */
    record Cidr(byte[] network, int bits) {
        static Cidr parse(String text) {
            String s = text.trim();
            int slash = s.indexOf('/');
            String addr = slash < 0 ? s : s.substring(0, slash);
            try {
                if (!addr.matches("[0-9a-fA-F:.]+")) throw new IllegalArgumentException();
                byte[] net = InetAddress.getByName(addr).getAddress();
                int bits = slash < 0 ? net.length * 8 : Integer.parseInt(s.substring(slash + 1));
                if (bits < 0 || bits > net.length * 8) throw new IllegalArgumentException();
                return new Cidr(net, bits);
            } catch (UnknownHostException | IllegalArgumentException e) {
                throw new IllegalArgumentException("not an address range (CIDR): " + text);
            }
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) return false;
            int full = bits / 8;
            for (int i = 0; i < full; i++) if (b[i] != network[i]) return false;
            int rest = bits % 8;
            if (rest == 0) return true;
            int mask = (0xff << (8 - rest)) & 0xff;
            return (b[full] & mask) == (network[full] & mask);
        }
    }
}
