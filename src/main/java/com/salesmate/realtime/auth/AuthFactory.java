package com.salesmate.realtime.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.salesmate.realtime.core.Ids;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Secrets and keys: JWT secret, optional RS256 public key, admin key, tenant API keys. */
public class AuthFactory {

    /** One tenant API key: given as its SHA-256 (hex) or, from the environment, as the key itself. */
    public static class TenantKeyFactory {
        @JsonProperty
        @NotNull
        private String name;

        @JsonProperty
        @NotNull
        @Pattern(regexp = Ids.REGEX)
        private String tenantId;

        @JsonProperty
        @Pattern(regexp = "[0-9a-fA-F]{64}")
        private String sha256;

        @JsonProperty
        @Secret
        private String key;

        /** Exactly one of key and sha256: an empty key (its variable unset) must not pass as "no key here". */
        @com.fasterxml.jackson.annotation.JsonIgnore
        @jakarta.validation.constraints.AssertTrue(message = "needs key or sha256, not both and not neither "
                + "(an empty key: is its environment variable set?)")
        public boolean isKeyOrSha256() {
            return (key == null || key.isEmpty()) != (sha256 == null || sha256.isEmpty());
        }

        ApiKeys.TenantKey build() {
            if (key != null && !key.isBlank()) {
                return new ApiKeys.TenantKey(name, tenantId, ApiKeys.sha256(key));
            }
            if (sha256 == null) {
                throw new IllegalStateException("tenant key " + name + " needs sha256 or key");
            }
            return new ApiKeys.TenantKey(name, tenantId, HexFormat.of().parseHex(sha256.toLowerCase()));
        }
    }

    /** Empty: generated into the data folder on first start. */
    @JsonProperty
    @Secret(emptyMeansGenerate = true)
    private String jwtSecret = "";

    /** Empty: generated into the data folder on first start. */
    @JsonProperty
    @Secret(emptyMeansGenerate = true)
    private String adminApiKey = "";

    /** PEM (X.509 SubjectPublicKeyInfo) file of an RSA key; when set, RS256 tokens are accepted too. */
    @JsonProperty
    private String rsaPublicKeyFile = "";

    @JsonProperty
    @Valid
    @NotNull
    private List<TenantKeyFactory> tenantKeys = new ArrayList<>();

    /** Allowed clock difference for {@code exp}, {@code nbf} and {@code iat}: issuers' clocks drift. */
    @JsonProperty
    @NotNull
    private io.dropwizard.util.Duration tokenLeeway = io.dropwizard.util.Duration.seconds(30);

    /** When not empty, tokens must carry this {@code iss}. */
    @JsonProperty
    private String tokenIssuer = "";

    /** When not empty, tokens must carry this {@code aud}. */
    @JsonProperty
    private String tokenAudience = "";

    public TokenService.Policy tokenPolicy() {
        return new TokenService.Policy(tokenLeeway.toJavaDuration(), tokenIssuer, tokenAudience);
    }

    public String getJwtSecret() {
        return jwtSecret;
    }

    public String getAdminApiKey() {
        return adminApiKey;
    }

    public List<ApiKeys.TenantKey> tenantKeys() {
        return tenantKeys.stream().map(TenantKeyFactory::build).toList();
    }

    public Optional<RSAPublicKey> rsaPublicKey() {
        if (rsaPublicKeyFile == null || rsaPublicKeyFile.isBlank()) {
            return Optional.empty();
        }
        try {
            String pem = Files.readString(Path.of(rsaPublicKeyFile))
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            var spec = new X509EncodedKeySpec(Base64.getDecoder().decode(pem));
            return Optional.of((RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(spec));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + rsaPublicKeyFile, e);
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("not an RSA public key: " + rsaPublicKeyFile, e);
        }
    }
}
