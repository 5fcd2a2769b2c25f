package com.salesmate.realtime.socket;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** RS256 tokens are accepted when the configuration names a public key file (auth.rsaPublicKeyFile), as the README says. */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class Rs256AuthenticationTest {
    static final KeyPair KEYS = rsaKeyPair();
    static final KeyPair OTHER_KEYS = rsaKeyPair();
    static final TestApp APP = TestApp.create(ConfigOverride.config("auth.rsaPublicKeyFile", pemFile(KEYS)));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    private static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pemFile(KeyPair keys) {
        try {
            Path file = Files.createTempFile("rs256", ".pem");
            String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded());
            Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String rs256(KeyPair keys, String salesmanId) {
        return JWT.create()
                .withSubject("user-" + salesmanId)
                .withClaim("tenantId", "tenant-rsa")
                .withClaim("role", "salesman")
                .withClaim("salesmanId", salesmanId)
                .withExpiresAt(Instant.now().plusSeconds(600))
                .sign(Algorithm.RSA256((RSAPublicKey) keys.getPublic(), (RSAPrivateKey) keys.getPrivate()));
    }

    @Test
    void anRs256TokenSignedWithTheConfiguredKeyAuthenticates() throws Exception {
        try (SioClient client = SioClient.authenticated(APP.socketUrl(), rs256(KEYS, "rsa-1"))) {
            JSONObject ack = client.emitAck("join:salesman", new JSONObject().put("salesmanId", "rsa-1"));
            assertThat(ack.getString("room")).isEqualTo("tenant:tenant-rsa:salesman:rsa-1");
        }
    }

    @Test
    void anRs256TokenSignedWithAnotherKeyIsRefused() throws Exception {
        try (SioClient client = SioClient.anonymous(APP.socketUrl())) {
            JSONObject ack = client.emitAck("authenticate", new JSONObject().put("token", rs256(OTHER_KEYS, "rsa-2")));
            assertThat(ack.getBoolean("success")).isFalse();
            assertThat(ack.getJSONObject("error").getString("code")).isEqualTo("invalid_token");
        }
    }

    @Test
    void hs256TokensStillWorkBesideRs256() {
        try (SioClient client = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-rsa", "hs-1"))) {
            assertThat(client.isConnected()).isTrue();
        }
    }
}
