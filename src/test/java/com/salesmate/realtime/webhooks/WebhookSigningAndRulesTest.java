package com.salesmate.realtime.webhooks;

import com.salesmate.realtime.core.ApiException;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The signature (the Standard Webhooks test vector), generated secrets, the SSRF rules and the retry schedule. */
class WebhookSigningAndRulesTest {

    @Test
    void theLibrarySignsTheStandardWebhooksTestVector() throws Exception {
        // from the Standard Webhooks specification's reference implementations
        String signature = new com.standardwebhooks.Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}");
        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void generatedSecretsAre32RandomBytesInTheWhsecFormatAndVerifyWhatTheySign() throws Exception {
        String a = Webhooks.newSecret();
        String b = Webhooks.newSecret();
        assertThat(a).startsWith("whsec_").isNotEqualTo(b);
        assertThat(Base64.getDecoder().decode(a.substring(6))).hasSize(32);
        com.standardwebhooks.Webhook wh = new com.standardwebhooks.Webhook(a);
        long now = System.currentTimeMillis() / 1000;
        String sig = wh.sign("msg_1", now, "{}");
        wh.verify("{}", Map.of("webhook-id", List.of("msg_1"), "webhook-timestamp", List.of(Long.toString(now)),
                "webhook-signature", List.of(sig)));
        // positive control for the check: another secret's signature is refused
        assertThatThrownBy(() -> new com.standardwebhooks.Webhook(b).verify("{}", Map.of("webhook-id", List.of("msg_1"),
                "webhook-timestamp", List.of(Long.toString(now)), "webhook-signature", List.of(sig))))
                .isInstanceOf(com.standardwebhooks.exceptions.WebhookVerificationException.class);
    }

    @Test
    void privateAndSpecialAddressesAreRefusedUnlessAllowed() throws Exception {
        for (String ip : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                "0.0.0.0", "224.0.0.1", "198.18.0.1", "::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1",
                "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "2002:a00:1::")) {
            assertThat(Destinations.isPrivate(InetAddress.getByName(ip))).as(ip).isTrue();
        }
        for (String ip : List.of("93.184.216.34", "8.8.8.8", "100.128.0.1", "2606:4700::1111", "64:ff9b::808:808",
                "2002:808:808::")) {
            assertThat(Destinations.isPrivate(InetAddress.getByName(ip))).as(ip).isFalse();
        }
        Destinations guard = new Destinations(false);
        for (String url : List.of("http://127.0.0.1:8080/h", "http://[::1]/h", "http://localhost/h",
                "http://169.254.169.254/latest/meta-data", "ftp://93.184.216.34/h", "file:///etc/passwd",
                "http://user:pw@93.184.216.34/h", "not a url", "http:///nohost")) {
            assertThatThrownBy(() -> guard.check(url)).as(url).isInstanceOf(ApiException.class)
                    .satisfies(e -> assertThat(((ApiException) e).field()).isEqualTo("url"));
        }
        assertThat(guard.check("https://93.184.216.34/hooks").getHost()).isEqualTo("93.184.216.34");
        assertThat(new Destinations(true).check("http://127.0.0.1:8080/h").getPort()).isEqualTo(8080);
    }

    @Test
    void aSecretMustDecodeToWhatTheSignerTakes() {
        Webhooks.checkSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"); // 24 bytes
        Webhooks.checkSecret(Webhooks.newSecret());
        for (String bad : List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwA", "whsec_" + "A".repeat(30) + "==",
                "whsec_" + Base64.getEncoder().encodeToString(new byte[16]),
                "whsec_" + Base64.getEncoder().encodeToString(new byte[65]))) {
            assertThatThrownBy(() -> Webhooks.checkSecret(bad)).as(bad).isInstanceOf(ApiException.class);
        }
    }

    @Test
    void retriesStartWithin10SecondsAndLastMoreThan24Hours() {
        long shortest = 0;
        for (int attempt = 1; attempt <= WebhookSender.RETRIES.size(); attempt++) {
            long least = Long.MAX_VALUE;
            for (int i = 0; i < 200; i++) {
                least = Math.min(least, WebhookSender.nextDelay(attempt, null));
            }
            shortest += least;
        }
        assertThat(Duration.ofMillis(shortest)).as("the shortest a message is tried for")
                .isGreaterThanOrEqualTo(Duration.ofHours(24));
        for (int i = 0; i < 200; i++) {
            long first = WebhookSender.nextDelay(1, null);
            assertThat(first).isBetween(5_000L, 6_000L);
        }
        assertThat(WebhookSender.nextDelay(1, 120_000L)).as("a longer Retry-After").isEqualTo(120_000L);
        assertThat(WebhookSender.nextDelay(1, 1_000L)).as("a shorter one").isBetween(5_000L, 6_000L);
        assertThat(WebhookSender.nextDelay(1, Duration.ofDays(9).toMillis())).isEqualTo(Duration.ofDays(1).toMillis());
        assertThat(WebhookSender.retryAfterMillis("30")).isEqualTo(30_000L);
        assertThat(WebhookSender.retryAfterMillis("soon")).isNull();
        assertThat(WebhookSender.retryAfterMillis("Wed, 21 Oct 2015 07:28:00 GMT")).isZero();
    }
}
