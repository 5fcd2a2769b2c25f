package com.salesmate.realtime.socketio;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Which client address a handshake counts against: the peer's, or the one a trusted proxy names in X-Forwarded-For.
 * Trusted proxies are IP addresses or CIDR blocks, IPv4 or IPv6, compared as addresses (so {@code ::1} is
 * {@code 0:0:0:0:0:0:0:1}), parsed once at start: an entry that is neither stops the start, naming the setting. An
 * IPv6 client counts as its /64 (one subscriber's prefix: a phone may take any address in it).
 */
final class ClientAddresses {
    static final String SETTING = "socketio.trustedProxies";

    /** An address block: the first {@code bits} bits of {@code prefix}. */
    record Block(byte[] prefix, int bits) {
        static Block parse(String entry) {
            String text = entry.trim();
            int slash = text.indexOf('/');
            byte[] address = NetUtil.createByteArrayFromIpAddressString(slash < 0 ? text : text.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException(SETTING + ": '" + text + "' is not an IP address or CIDR block");
            }
            int max = address.length * 8;
            int bits = max;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > max) {
                    throw new IllegalArgumentException(SETTING + ": '" + text + "' has a prefix length outside 0.." + max);
                }
            }
            return new Block(address, bits);
        }

        boolean contains(byte[] address) {
            if (address == null || address.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (prefix[full] & mask);
        }
    }

    private final List<Block> trustedProxies;

    ClientAddresses(List<String> trustedProxies) {
        List<Block> blocks = new ArrayList<>();
        for (String entry : trustedProxies) {
            blocks.add(Block.parse(entry));
        }
        this.trustedProxies = List.copyOf(blocks);
    }

    /** True when the peer is one of the trusted proxies (whose forwarded headers are believed). */
    boolean isTrustedProxy(SocketAddress peer) {
        return peer instanceof InetSocketAddress inet && inet.getAddress() != null
                && trusted(inet.getAddress().getAddress());
    }

    private boolean trusted(byte[] address) {
        for (Block block : trustedProxies) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The address the per-address limits count: an IPv4 address, or an IPv6 /64 prefix. */
    String of(SocketAddress peer, HttpHeaders headers) {
        if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return String.valueOf(peer);
        }
        byte[] direct = inet.getAddress().getAddress();
        if (!trusted(direct)) {
            return key(direct);
        }
        String forwarded = headers.get("X-Forwarded-For");
        if (forwarded == null || forwarded.isBlank()) {
            return key(direct);
        }
        String[] hops = forwarded.split(",");
        for (int i = hops.length - 1; i >= 0; i--) { // the nearest hop not of our own proxies
            byte[] hop = NetUtil.createByteArrayFromIpAddressString(hops[i].trim());
            if (hop == null) {
                return key(direct); // not an address: a proxy of ours would not write that; count the proxy
            }
            if (!trusted(hop)) {
                return key(hop);
            }
        }
        return key(direct);
    }

    private static String key(byte[] address) {
        if (address.length == 4) {
            return NetUtil.bytesToIpAddress(address);
        }
        byte[] prefix = new byte[16];
        System.arraycopy(address, 0, prefix, 0, 8);
        return NetUtil.bytesToIpAddress(prefix) + "/64";
    }
}
