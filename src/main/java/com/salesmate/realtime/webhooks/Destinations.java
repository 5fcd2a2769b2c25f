package com.salesmate.realtime.webhooks;

import com.salesmate.realtime.core.ApiException;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;

/**
 * Where webhooks may go (an SSRF guard): http(s) URLs with a host and no user info, and unless private destinations
 * are allowed ({@code WEBHOOKS_ALLOW_PRIVATE}), none of whose addresses is loopback, private, link-local, unique-local,
 * carrier-grade NAT, multicast or unspecified. Checked when an endpoint is saved and again before every delivery (a
 * name may resolve elsewhere later); redirects are never followed.
 */
public final class Destinations {
    private static final String NOT_ALLOWED = "url's host must resolve to public addresses only (loopback and private "
            + "ones need WEBHOOKS_ALLOW_PRIVATE=true)";
    private final boolean allowPrivate;

    public Destinations(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** The URL, parsed; refused with {@code invalid_payload} (field {@code url}) saying why. */
    public URI check(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw refused("url is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw refused("url must be http or https");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw refused("url must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw refused("url must not carry credentials");
        }
        if (!allowPrivate) {
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(uri.getHost());
            } catch (UnknownHostException e) {
                throw refused(NOT_ALLOWED); // the same words: no oracle on which internal names exist
            }
            for (InetAddress a : addresses) {
                if (isPrivate(a)) {
                    throw refused(NOT_ALLOWED);
                }
            }
        }
        return uri;
    }

    static boolean isPrivate(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second <= 127) // carrier-grade NAT 100.64/10
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    || (first == 198 && (second == 18 || second == 19)) // benchmarking 198.18/15
                    || first >= 240; // reserved, broadcast
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) { // unique local fc00::/7
                return true;
            }
            boolean zeros = true; // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) name an IPv4 address
            for (int i = 0; i < 10; i++) {
                zeros &= b[i] == 0;
            }
            boolean mapped = zeros && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            boolean compatible = zeros && b[10] == 0 && b[11] == 0;
            boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff
                    && (b[3] & 0xff) == 0x9b; // 64:ff9b::/96 and 64:ff9b:1::/48 carry one in their last bytes
            if (mapped || compatible || nat64) {
                return isPrivate(v4(b[12], b[13], b[14], b[15]));
            }
            if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) { // 6to4 2002:a.b.c.d::/48
                return isPrivate(v4(b[2], b[3], b[4], b[5]));
            }
        }
        return false;
    }

    private static InetAddress v4(byte a, byte b, byte c, byte d) {
        try {
            return InetAddress.getByAddress(new byte[] {a, b, c, d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
    }

    private static ApiException refused(String why) {
        return ApiException.invalid("url", why);
    }
}
