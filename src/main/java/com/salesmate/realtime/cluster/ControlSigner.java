package com.salesmate.realtime.cluster;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signs the nodes' control messages (revocations, disconnects) so that whoever may PUBLISH to Redis cannot revoke a
 * tenant or disconnect its sockets. The key is derived from the JWT secret, which every node of a cluster shares
 * already (tokens must verify on every node). Wire form: {@code <base64url HMAC-SHA256>.<json>}; the JSON carries a
 * time and a nonce, and a receiver takes a message only within {@link #WINDOW_MILLIS} of its time and only once.
 */
final class ControlSigner {
    static final long WINDOW_MILLIS = 60_000;
    private static final int MAX_NONCES = 100_000;

    private final byte[] key;
    /** Nonces seen within the window, with their message time; bounded. */
    private final Map<String, Long> seen = new LinkedHashMap<>();

    ControlSigner(String sharedSecret) {
        this.key = hmac(sharedSecret.getBytes(StandardCharsets.UTF_8),
                "salesmate-realtime cluster control v1".getBytes(StandardCharsets.UTF_8));
    }

    byte[] sign(byte[] json) {
        String sig = Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(key, json));
        byte[] head = (sig + ".").getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(head, head.length + json.length);
        System.arraycopy(json, 0, out, head.length, json.length);
        return out;
    }

    /** The JSON of a genuinely signed message; null when unsigned or forged. */
    byte[] verify(byte[] wire) {
        int dot = -1;
        for (int i = 0; i < Math.min(wire.length, 64); i++) {
            if (wire[i] == '.') {
                dot = i;
                break;
            }
        }
        if (dot <= 0) {
            return null;
        }
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(Arrays.copyOf(wire, dot));
        } catch (IllegalArgumentException e) {
            return null;
        }
        byte[] json = Arrays.copyOfRange(wire, dot + 1, wire.length);
        return MessageDigest.isEqual(given, hmac(key, json)) ? json : null;
    }

    /** True the first time a nonce is seen with a time within the window of {@code now}; false for old or replayed. */
    synchronized boolean fresh(String nonce, long time, long now) {
        if (nonce == null || nonce.isEmpty() || Math.abs(now - time) > WINDOW_MILLIS) {
            return false;
        }
        seen.values().removeIf(t -> Math.abs(now - t) > WINDOW_MILLIS);
        if (seen.containsKey(nonce) || seen.size() >= MAX_NONCES) {
            return false;
        }
        seen.put(nonce, time);
        return true;
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
