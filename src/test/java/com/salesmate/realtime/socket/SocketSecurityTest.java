package com.salesmate.realtime.socket;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.socket.client.IO;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Session ids are the server's to choose, and a handshake from an Origin outside the allow-list is refused. Checked
 * with raw Engine.IO 4 long-polling over java.net.http (the Java client hides those details) and with the real client.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class SocketSecurityTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    @Test
    void aClientCannotChooseItsSessionIdWithTheIoHeader() throws Exception {
        RawPolling raw = new RawPolling(APP.socketUrl());
        String chosen = UUID.randomUUID().toString();
        HttpResponse<String> res = raw.handshake(Map.of("io", chosen));
        assertThat(res.statusCode()).isEqualTo(200);
        String sid = RawPolling.sid(res);
        assertThat(sid).isNotBlank().isNotEqualTo(chosen);
    }

    @Test
    void aClientCannotChooseItsSessionIdWithTheIoCookie() throws Exception {
        RawPolling raw = new RawPolling(APP.socketUrl());
        String chosen = UUID.randomUUID().toString();
        HttpResponse<String> res = raw.handshake(Map.of("Cookie", "io=" + chosen));
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(RawPolling.sid(res)).isNotBlank().isNotEqualTo(chosen);
    }

    @Test
    void aSecondClientPresentingAVictimsSessionIdGetsItsOwnSession() throws Exception {
        RawPolling victim = new RawPolling(APP.socketUrl());
        String victimSid = RawPolling.sid(victim.handshake(Map.of()));

        RawPolling attacker = new RawPolling(APP.socketUrl());
        HttpResponse<String> res = attacker.handshake(Map.of("io", victimSid, "Cookie", "io=" + victimSid));
        assertThat(res.statusCode()).isEqualTo(200);
        String attackerSid = RawPolling.sid(res);
        assertThat(attackerSid).isNotEqualTo(victimSid);

        // The victim's session is untouched: it still connects to the namespace and authenticates.
        victim.post(victimSid, "40" + new JSONObject().put("token", APP.salesmanToken("sec-t", "victim")));
        List<String> packets = victim.readUntil(victimSid, p -> p.startsWith("42[\"authenticated\""), Duration.ofSeconds(5));
        assertThat(packets).anyMatch(p -> p.startsWith("40{"));
        JSONObject welcome = RawPolling.eventData(packets, "authenticated");
        assertThat(welcome.getString("salesmanId")).isEqualTo("victim");
        // and the opaque sessionId it is shown is neither Engine.IO session id
        assertThat(welcome.getString("sessionId")).isNotEqualTo(victimSid).isNotEqualTo(attackerSid);
    }

    @Test
    void aHandshakeFromAnOriginOutsideTheAllowListIsRefused() throws Exception {
        RawPolling raw = new RawPolling(APP.socketUrl());
        HttpResponse<String> res = raw.handshake(Map.of("Origin", "https://evil.example"));
        assertThat(res.statusCode()).isEqualTo(403);
        JSONObject body = new JSONObject(res.body());
        assertThat(body.length()).as(res.body()).isEqualTo(2);
        assertThat(body.getInt("code")).as(res.body()).isEqualTo(4);
        assertThat(body.getString("message")).as(res.body()).isEqualTo("Forbidden");
        assertThat(res.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void aHandshakeFromTheAllowedOriginIsAcceptedWithCorsForThatOriginOnly() throws Exception {
        RawPolling raw = new RawPolling(APP.socketUrl());
        HttpResponse<String> res = raw.handshake(Map.of("Origin", TestApp.ALLOWED_ORIGIN));
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(RawPolling.sid(res)).isNotBlank();
        assertThat(res.headers().firstValue("Access-Control-Allow-Origin")).contains(TestApp.ALLOWED_ORIGIN);
    }

    @Test
    void aHandshakeWithoutOriginIsAccepted() throws Exception {
        RawPolling raw = new RawPolling(APP.socketUrl());
        HttpResponse<String> res = raw.handshake(Map.of());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(RawPolling.sid(res)).isNotBlank();
    }

    @Test
    void theJavaClientFromAForeignOriginCannotConnectOverEitherTransport() throws Exception {
        for (String transport : List.of("websocket", "polling")) {
            IO.Options options = SioClient.options(APP.salesmanToken("sec-t", "s-evil"), transport);
            options.extraHeaders = Map.of("Origin", List.of("https://evil.example"));
            try (SioClient evil = SioClient.open(APP.socketUrl(), options)) {
                assertThat(evil.awaitConnectError()).as(transport).isNotNull();
                assertThat(evil.isConnected()).isFalse();
            }
        }
        for (String transport : List.of("websocket", "polling")) {
            IO.Options options = SioClient.options(APP.salesmanToken("sec-t", "s-good"), transport);
            options.extraHeaders = Map.of("Origin", List.of(TestApp.ALLOWED_ORIGIN));
            try (SioClient good = SioClient.open(APP.socketUrl(), options)) {
                good.awaitConnected();
                assertThat(good.awaitObject("authenticated").getBoolean("success")).as(transport).isTrue();
            }
        }
    }

    /** Engine.IO 4 long-polling by hand: handshake, post packets, poll packets (separated by U+001E). */
    static final class RawPolling {
        private static final String SEPARATOR = "\u001e";
        private final String base;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        RawPolling(String socketUrl) {
            this.base = socketUrl + "/socket.io/?EIO=4&transport=polling";
        }

        HttpResponse<String> handshake(Map<String, String> headers) throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base)).timeout(Duration.ofSeconds(5)).GET();
            headers.forEach(b::header);
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        /** The sid of an Engine.IO OPEN packet ({@code 0{...}}). */
        static String sid(HttpResponse<String> handshake) throws Exception {
            String body = handshake.body();
            assertThat(body).as("handshake answer").startsWith("0{");
            return new JSONObject(body.substring(1)).getString("sid");
        }

        HttpResponse<String> post(String sid, String... packets) throws IOException, InterruptedException {
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "&sid=" + sid))
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "text/plain;charset=UTF-8")
                    .POST(HttpRequest.BodyPublishers.ofString(String.join(SEPARATOR, packets)))
                    .build();
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as("POST answer %s", res.body()).isEqualTo(200);
            return res;
        }

        HttpResponse<String> poll(String sid, Duration timeout) throws IOException, InterruptedException {
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "&sid=" + sid)).timeout(timeout).GET().build();
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        }

        /** Polls until a packet matches; returns every packet read. */
        List<String> readUntil(String sid, Predicate<String> done, Duration within) throws Exception {
            List<String> all = new ArrayList<>();
            long deadline = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < deadline) {
                HttpResponse<String> res;
                try {
                    res = poll(sid, Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
                } catch (java.net.http.HttpTimeoutException e) {
                    break; // nothing came: the server holds a poll open until it has something to send
                }
                // what came before a refusal tells why the session ended (its last packets carry the reason)
                assertThat(res.statusCode()).as("poll answer %s after %s", res.body(), all).isEqualTo(200);
                List<String> packets = Arrays.asList(res.body().split(SEPARATOR));
                all.addAll(packets);
                if (packets.stream().anyMatch(done)) {
                    return all;
                }
            }
            throw new AssertionError("no matching packet within " + within + "; read " + all);
        }

        /** The data of the first {@code 42["event",data]} packet. */
        static JSONObject eventData(List<String> packets, String event) throws Exception {
            for (String p : packets) {
                if (p.startsWith("42[")) {
                    JSONArray a = new JSONArray(p.substring(2));
                    if (event.equals(a.getString(0))) {
                        return a.getJSONObject(1);
                    }
                }
            }
            throw new AssertionError("no '" + event + "' in " + packets);
        }
    }
}
