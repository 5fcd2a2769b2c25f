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
                throw refused("url's host does not resolve");
            }
            for (InetAddress a : addresses) {
                if (isPrivate(a)) {
                    throw refused("url resolves to a loopback or private address (" + a.getHostAddress()
                            + "); set WEBHOOKS_ALLOW_PRIVATE=true to allow it");
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
                    || first >= 240; // reserved, broadcast
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) { // unique local fc00::/7
                return true;
            }
            boolean mapped = true; // ::ffff:a.b.c.d names an IPv4 address
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return isPrivate(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }

    private static ApiException refused(String why) {
        return ApiException.invalid("url", why);
    }
}
