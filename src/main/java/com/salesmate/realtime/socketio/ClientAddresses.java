package com.salesmate.realtime.socketio;

import io.netty.handler.codec.http.HttpHeaders;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Set;

/** Which client address a handshake counts against: the peer's, or the one a trusted proxy names in X-Forwarded-For. */
final class ClientAddresses {
    private final Set<String> trustedProxies;

    ClientAddresses(List<String> trustedProxies) {
        this.trustedProxies = Set.copyOf(trustedProxies);
    }

    String of(SocketAddress peer, HttpHeaders headers) {
        String direct = peer instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(peer);
        if (!trustedProxies.contains(direct)) {
            return direct;
        }
        String forwarded = headers.get("X-Forwarded-For");
        if (forwarded == null || forwarded.isBlank()) {
            return direct;
        }
        String[] hops = forwarded.split(",");
        for (int i = hops.length - 1; i >= 0; i--) { // the nearest hop not of our own proxies
            String hop = hops[i].trim();
            if (!hop.isEmpty() && !trustedProxies.contains(hop)) {
                return hop;
            }
        }
        return direct;
    }
}
