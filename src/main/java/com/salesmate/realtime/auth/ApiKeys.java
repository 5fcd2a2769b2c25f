package com.salesmate.realtime.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** The admin key and tenant API keys, kept as SHA-256 digests and compared in constant time. */
public class ApiKeys {

    /** One tenant key: a name for logs, the tenant it opens, and the key's SHA-256 digest. */
    public record TenantKey(String name, String tenantId, byte[] sha256) {
    }

    private final byte[] adminSha256;
    private final List<TenantKey> tenantKeys;

    public ApiKeys(String adminKey, List<TenantKey> tenantKeys) {
        this.adminSha256 = sha256(adminKey);
        this.tenantKeys = List.copyOf(tenantKeys);
    }

    /** The caller a presented key stands for, or empty when it matches no key. */
    public Optional<Caller> lookup(String presented) {
        byte[] digest = sha256(presented);
        if (MessageDigest.isEqual(digest, adminSha256)) {
            return Optional.of(Caller.admin());
        }
        Caller found = null;
        for (TenantKey key : tenantKeys) { // no early exit: time does not depend on which key matched
            if (MessageDigest.isEqual(digest, key.sha256()) && found == null) {
                found = new Caller(Caller.Kind.TENANT_KEY, key.tenantId(), key.name());
            }
        }
        return Optional.ofNullable(found);
    }

    public static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256Hex(String value) {
        return HexFormat.of().formatHex(sha256(value));
    }
}
