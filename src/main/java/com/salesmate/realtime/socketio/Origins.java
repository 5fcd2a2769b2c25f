package com.salesmate.realtime.socketio;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Which handshake Origins are let in (SPEC 1): none sent (native clients that send nothing), one on the allow-list
 * ({@code CORS_ORIGINS}, {@code *} for any), and the endpoint's own origin. React Native (iOS SocketRocket, Android's
 * WebSocket module), Swift's Starscream and Python's websocket-client send the URL they connect to as their Origin:
 * that is same-origin, not cross-origin. The endpoint's origin is the request's {@code Host}, or, from a trusted proxy,
 * its {@code X-Forwarded-Host} (and {@code X-Forwarded-Proto}); hosts compare case-insensitively and a missing port is
 * the scheme's default. A page of another site cannot pass: its browser sends that site's Origin and our Host.
 */
final class Origins {
    private final List<String> allowed;
    private final boolean any;
    private final ClientAddresses addresses;

    Origins(List<String> allowed, ClientAddresses addresses) {
        this.allowed = List.copyOf(allowed);
        this.any = allowed.contains("*");
        this.addresses = addresses;
    }

    /** True when a request with this Origin (null: none sent) may make or use a session. */
    boolean allowed(String origin, HttpHeaders headers, SocketAddress peer) {
        return origin == null || any || allowed.contains(origin) || sameOrigin(origin, headers, peer);
    }

    boolean sameOrigin(String origin, HttpHeaders headers, SocketAddress peer) {
        URI from = parse(origin);
        if (from == null || from.getHost() == null || from.getRawPath() != null && !from.getRawPath().isEmpty()) {
            return false;
        }
        int fromPort = from.getPort() != -1 ? from.getPort() : defaultPort(from.getScheme());
        if (fromPort == -1) {
            return false;
        }
        String host = headers.get(HttpHeaderNames.HOST);
        String proto = null;
        if (addresses.isTrustedProxy(peer) && headers.get("X-Forwarded-Host") != null) {
            host = first(headers.get("X-Forwarded-Host"));
            proto = headers.get("X-Forwarded-Proto") == null ? null : first(headers.get("X-Forwarded-Proto"));
        }
        URI to = host == null ? null : parse("http://" + host.trim());
        if (to == null || to.getHost() == null || !to.getHost().equalsIgnoreCase(from.getHost())) {
            return false;
        }
        if (to.getPort() != -1) {
            return fromPort == to.getPort();
        }
        // no port in the Host: the scheme's default, the proxy's scheme if it says, else the Origin's own scheme
        int expected = defaultPort(proto != null ? proto : from.getScheme());
        return fromPort == expected;
    }

    private static URI parse(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static String first(String list) {
        int comma = list.indexOf(',');
        return (comma < 0 ? list : list.substring(0, comma)).trim();
    }

    private static int defaultPort(String scheme) {
        if (scheme == null) {
            return -1;
        }
        return switch (scheme.toLowerCase(Locale.ROOT)) {
            case "http", "ws" -> 80;
            case "https", "wss" -> 443;
            default -> -1;
        };
    }
}
