package com.salesmate.realtime.edge;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.RawEngineIo;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Engine.IO session's life at the edges of its states, asserted on the raw exchange as the Socket.IO maintainers'
 * protocol test-suite does (with a short heartbeat: pingInterval 1 s, pingTimeout 0.5 s): a polling session is over
 * exactly at pingInterval + pingTimeout of silence; a client close answers the poll it left waiting with a noop; a poll
 * waiting while the session upgrades gets a noop when {@code 5} arrives and later polls get 400; a websocket for a
 * session that has one opens and is closed; after a client {@code 41} the session stays and keeps pinging.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class EngineIoLifecycleTest {
    static final long PING_INTERVAL_MS = 1_000;
    static final long PING_TIMEOUT_MS = 500;
    static final int HANDSHAKE_BURST = 30;
    static final TestApp APP = TestApp.create(
            ConfigOverride.config("socketio.pingInterval", PING_INTERVAL_MS + "ms"),
            ConfigOverride.config("socketio.pingTimeout", PING_TIMEOUT_MS + "ms"),
            ConfigOverride.config("socketio.authTimeout", "5s"),
            // a CONNECT after a 41 costs a handshake: a small bucket shows the bound (this class makes ~20 handshakes)
            ConfigOverride.config("socketio.handshakesPerAddressPerSecond", "5"),
            ConfigOverride.config("socketio.handshakeBurstPerAddress", String.valueOf(HANDSHAKE_BURST)));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aSilentPollingSessionIsOverExactlyAtPingIntervalPlusPingTimeout() throws Exception {
        long opened = System.nanoTime(); // before the server made the session: its silence is at most what we count
        String sid = handshake();
        long answered = System.nanoTime(); // after it made the session: its silence is at least what we count
        sleepUntil(opened, 800);
        HttpResponse<String> alive = poll(sid); // 0.8 s of silence: alive (it answers with the first ping)
        assertThat(alive.statusCode()).as("at 0.8 s: %s", alive.body()).isEqualTo(200);
        assertThat(alive.body()).isEqualTo("2");
        sleepUntil(opened, 1_200);
        // still alive at 1.2 s of silence (a server that gave up at pingInterval would refuse this); the GET is
        // parked and answered when the session ends
        CompletableFuture<HttpResponse<String>> stillAlive = pollAsync(sid);
        // no pong: at pingInterval + pingTimeout (1.5 s) the session is over, not up to a timer tick (0.1 s) later
        sleepUntil(answered, PING_INTERVAL_MS + PING_TIMEOUT_MS + 20);
        HttpResponse<String> over = poll(sid);
        assertThat(over.statusCode()).as("at 1.52 s: %s", over.body()).isEqualTo(400);
        assertThat(over.body()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
        HttpResponse<String> parked = stillAlive.get(5, TimeUnit.SECONDS);
        assertThat(parked.statusCode()).as("the poll at 1.2 s was taken: %s", parked.body()).isEqualTo(200);
    }

    @Test
    void aPollingSessionThatAnswersPingsStaysOpenPastTheTimeout() throws Exception {
        String sid = handshake();
        assertThat(post(sid, "40" + RawEngineIo.object("token", APP.salesmanToken("lifecycle-t", "pong-" + sid)))
                .statusCode()).isEqualTo(200);
        long start = System.nanoTime();
        int pongs = 0;
        while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(3 * (PING_INTERVAL_MS + PING_TIMEOUT_MS))) {
            HttpResponse<String> res = poll(sid);
            assertThat(res.statusCode()).as("after %d pongs: %s", pongs, res.body()).isEqualTo(200);
            if (List.of(res.body().split(RawEngineIo.SEPARATOR)).contains("2")) {
                assertThat(post(sid, "3").statusCode()).isEqualTo(200);
                pongs++;
            }
        }
        assertThat(pongs).as("pings answered over 4.5 s").isGreaterThanOrEqualTo(3);
    }

    @Test
    void aClientCloseAnswersThePollItLeftWaitingWithANoop() throws Exception {
        String sid = handshake();
        CompletableFuture<HttpResponse<String>> waiting = pollAsync(sid);
        // nothing tells a client when its GET is parked on the server; well inside the ping interval (the next
        // packet that could answer it)
        Thread.sleep(300);
        assertThat(waiting).as("the poll waits for packets").isNotDone();
        assertThat(post(sid, "1").statusCode()).isEqualTo(200);
        HttpResponse<String> answered = waiting.get(3, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(answered.body()).isEqualTo("6");
        HttpResponse<String> after = poll(sid);
        assertThat(after.statusCode()).isEqualTo(400);
        assertThat(after.body()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
    }

    @Test
    void aPollWaitingDuringTheUpgradeGetsANoopWhenItCompletesAndLaterPollsGet400() throws Exception {
        String sid = handshake();
        Frames probe = websocket(sid);
        probe.socket().sendText("2probe", true).get(5, TimeUnit.SECONDS);
        probe.await("3probe");
        // the library answers the poll that waited when the probe came; the next one is sent during the upgrade
        HttpResponse<String> first = poll(sid);
        assertThat(first.body().split(RawEngineIo.SEPARATOR)).contains("6");
        CompletableFuture<HttpResponse<String>> during = pollAsync(sid);
        Thread.sleep(300); // parked, as above
        assertThat(during).as("the poll waits for packets").isNotDone();
        probe.socket().sendText("5", true).get(5, TimeUnit.SECONDS);
        HttpResponse<String> answered = during.get(3, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(answered.body()).isEqualTo("6");
        HttpResponse<String> after = poll(sid);
        assertThat(after.statusCode()).isEqualTo(400);
        assertThat(after.body()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
        probe.assertOpen(); // the upgraded session lives on: it still gets pings
        probe.await("2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"upgraded from polling", "opened on websocket", "upgrading"})
    void aSecondWebsocketForASessionThatHasOneOpensAndIsClosed(String kind) throws Exception {
        Frames first;
        String sid;
        if (kind.equals("opened on websocket")) {
            first = websocket(null);
            sid = RawEngineIo.parseObject(first.await(p -> p.startsWith("0{")).substring(1)).getString("sid");
        } else {
            sid = handshake();
            first = websocket(sid);
            first.socket().sendText("2probe", true).get(5, TimeUnit.SECONDS);
            first.await("3probe");
            if (kind.equals("upgraded from polling")) {
                first.socket().sendText("5", true).get(5, TimeUnit.SECONDS);
            }
        }
        Frames second = websocket(sid); // opened: the handshake succeeded (an HTTP 400 would fail here)
        assertThat(second.closed().get(5, TimeUnit.SECONDS)).as("close code").isEqualTo(1000);
        assertThat(second.frames()).as("nothing of the session reaches it").isEmpty();
        first.assertOpen();
        if (kind.equals("upgrading")) {
            first.socket().sendText("5", true).get(5, TimeUnit.SECONDS); // the first websocket still completes it
        }
        first.await("2"); // the session's own websocket gets its pings
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void afterAClient41TheSessionStaysKeepsPingingAndMayConnectAgain(String transport) throws Exception {
        String salesman = "leave-" + transport + "-" + System.nanoTime();
        String token = APP.salesmanToken("lifecycle-t", salesman);
        try (RawEngineIo c = RawEngineIo.open(APP.socketUrl(), transport)) {
            c.authenticate(token);
            await().atMost(5, TimeUnit.SECONDS).until(() -> connections(salesman) == 1);
            c.send("41");
            await().atMost(3, TimeUnit.SECONDS).until(() -> connections(salesman) == 0); // the socket left at once
            int pings = count(c.received(), "2");
            await().atMost(5, TimeUnit.SECONDS).until(() -> count(c.received(), "2") >= pings + 2);
            assertThat(c.isClosed()).as("still open after two more pings: %s", c.received()).isFalse();
            assertThat(c.received()).as("the server did not answer the client's 41").doesNotContain("41");
            JSONObject again = c.authenticate(token); // the same session CONNECTs again: another socket
            assertThat(again.getString("salesmanId")).isEqualTo(salesman);
            await().atMost(5, TimeUnit.SECONDS).until(() -> connections(salesman) == 1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void afterAClient41ASessionThatDoesNotConnectAgainEndsAtTheAuthenticationTimeout(String transport)
            throws Exception {
        String salesman = "linger-" + transport + "-" + System.nanoTime();
        try (RawEngineIo c = RawEngineIo.open(APP.socketUrl(), transport)) {
            c.authenticate(APP.salesmanToken("lifecycle-t", salesman));
            long left = System.nanoTime();
            c.send("41");
            // authTimeout (5 s here) is the bound on a session without a connected socket
            assertThat(c.awaitClosed(Duration.ofSeconds(10))).as("ended; received %s", c.received()).isTrue();
            long endedMs = (System.nanoTime() - left) / 1_000_000;
            assertThat(endedMs).as("ended %d ms after 41", endedMs).isGreaterThanOrEqualTo(4_500);
            assertThat(count(c.received(), "2")).as("pinged meanwhile: %s", c.received()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aClientCyclingLeaveAndConnectIsHeldToTheHandshakeRate() throws Exception {
        try (RawEngineIo c = RawEngineIo.open(APP.socketUrl(), "websocket")) {
            int answered = 0;
            for (int i = 0; i < 3 * HANDSHAKE_BURST && !c.isClosed(); i++) {
                c.send("40");
                try {
                    String answer = c.awaitPacket(RawEngineIo::isConnectAnswer, Duration.ofSeconds(2));
                    assertThat(answer).startsWith("40{");
                    answered++;
                } catch (AssertionError closedMeanwhile) {
                    break;
                }
                c.send("41");
            }
            assertThat(answered).as("re-CONNECTs served before the bound").isGreaterThanOrEqualTo(3);
            assertThat(c.awaitClosed(Duration.ofSeconds(5))).as("closed past the bucket; %d answered", answered)
                    .isTrue();
            assertThat(answered).as("no more than the bucket (one handshake already taken)")
                    .isLessThanOrEqualTo(HANDSHAKE_BURST + 5);
            assertThat(c.closeCode()).as(c.closeDescription()).isEqualTo(1008);
        }
        // the address's bucket refills (5/s) before the next test opens sessions from it
        await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<String> open = http.send(HttpRequest.newBuilder(URI.create(endpoint(null, "polling"))).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            return open.statusCode() == 200;
        });
    }

    // ---- raw exchange ------------------------------------------------------------------------------------------------

    private String handshake() throws Exception {
        HttpResponse<String> open = http.send(HttpRequest.newBuilder(URI.create(endpoint(null, "polling"))).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(open.statusCode()).as(open.body()).isEqualTo(200);
        return RawEngineIo.parseObject(open.body().substring(1)).getString("sid");
    }

    private HttpResponse<String> poll(String sid) throws Exception {
        return pollAsync(sid).get(10, TimeUnit.SECONDS);
    }

    private CompletableFuture<HttpResponse<String>> pollAsync(String sid) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(endpoint(sid, "polling"))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String sid, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(endpoint(sid, "polling")))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String endpoint(String sid, String transport) {
        return RawEngineIo.endpoint(APP.socketUrl(), transport, sid);
    }

    private Frames websocket(String sid) throws Exception {
        Frames frames = new Frames();
        WebSocket ws = http.newWebSocketBuilder()
                .buildAsync(URI.create(endpoint(sid, "websocket").replaceFirst("^http", "ws")), frames)
                .get(5, TimeUnit.SECONDS);
        frames.socket = ws;
        return frames;
    }

    private static int connections(String salesman) {
        var res = APP.get("/salesmen/" + salesman + "/status", TestApp.ADMIN_KEY);
        if (res.getStatus() != 200) {
            return 0;
        }
        return RawEngineIo.parseObject(res.readEntity(String.class)).optInt("connections");
    }

    private static int count(List<String> packets, String packet) {
        return (int) packets.stream().filter(packet::equals).count();
    }

    private static void sleepUntil(long start, long millis) throws InterruptedException {
        long left = start + TimeUnit.MILLISECONDS.toNanos(millis) - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** A JDK websocket's text frames and close code. */
    private static final class Frames implements WebSocket.Listener {
        private final List<String> frames = new CopyOnWriteArrayList<>();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private volatile WebSocket socket;

        WebSocket socket() {
            return socket;
        }

        List<String> frames() {
            return frames;
        }

        CompletableFuture<Integer> closed() {
            return closed;
        }

        String await(String exactly) {
            return await(exactly::equals);
        }

        String await(java.util.function.Predicate<String> p) {
            org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> frames.stream().anyMatch(p));
            String found = frames.stream().filter(p).findFirst().orElseThrow();
            frames.remove(found);
            return found;
        }

        void assertOpen() {
            assertThat(closed).as("open; frames %s", frames).isNotDone();
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                frames.add(frame);
                if (frame.equals("2")) {
                    ws.sendText("3", true); // alive, as every client is
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
