package com.salesmate.realtime.edge;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.RawEngineIo;
import com.salesmate.realtime.support.RawHttp;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.socket.client.IO;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static com.salesmate.realtime.edge.ProtocolConformanceTest.assertError;
import static com.salesmate.realtime.edge.ProtocolConformanceTest.fresh;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What real phones and fleets do to the edge, with the shipped defaults: native websocket libraries send the URL they
 * connect to as their Origin (same-origin, admitted; another site's Origin still 403); hundreds of phones behind one
 * carrier-NAT address connect at once (all admitted); and requests under odd paths below {@code /socket.io/} are
 * answered by the gate, never served by the library.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(180)
class FieldClientsTest {
    // 60 s to authenticate: the test config's 2 s is short for 200 clients starting together on 2 cores, and the
    // 3,000 raw sessions below must all be held at once (they never authenticate)
    static final TestApp APP = TestApp.create(io.dropwizard.testing.ConfigOverride.config("socketio.authTimeout", "60s"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final String TENANT = "field";

    private static String ownOrigin() {
        return "http://127.0.0.1:" + APP.socketPort();
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void aNativeAppSendingItsOwnUrlAsOriginConnectsWithoutACorsEntry(String transport) throws Exception {
        assertThat(APP.app()).isNotNull();
        assertThat(EXT.getConfiguration().getSocketio().allowedOriginList()).doesNotContain(ownOrigin());
        String salesman = fresh("rn");
        IO.Options options = SioClient.options(APP.salesmanToken(TENANT, salesman), transport);
        // what React Native, Starscream and websocket-client send
        options.extraHeaders = Map.of("Origin", List.of(ownOrigin()));
        try (SioClient phone = SioClient.open(APP.socketUrl(), options)) {
            phone.awaitConnected();
            phone.await("authenticated");
            JSONObject ack = phone.emitAck("location:update", new JSONObject().put("latitude", 12.97)
                    .put("longitude", 77.59).put("timestamp", System.currentTimeMillis()));
            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
        }
        // the same client with another site's Origin is refused (the positive control of the rule)
        IO.Options foreign = SioClient.options(APP.salesmanToken(TENANT, salesman), transport);
        foreign.extraHeaders = Map.of("Origin", List.of("http://127.0.0.1.evil.example:" + APP.socketPort()));
        try (SioClient page = SioClient.open(APP.socketUrl(), foreign)) {
            assertThat(page.awaitConnectError()).isNotNull();
            assertThat(page.isConnected()).isFalse();
        }
    }

    @Test
    void sameOriginIsTheEndpointsHostNeverAHeaderAnUntrustedPeerWrites() {
        int port = APP.socketPort();
        String handshake = "/socket.io/?EIO=4&transport=polling";
        // the Host this client sent (127.0.0.1:port), the scheme's default port written out or not
        assertThat(RawHttp.once(port, RawHttp.get(handshake, port, Map.of("Origin", ownOrigin()))).status())
                .isEqualTo(200);
        assertThat(RawHttp.once(port, RawHttp.get(handshake, port, Map.of("Origin", "HTTP://127.0.0.1:" + port)))
                .status()).isEqualTo(200);
        // another port of the same host is another origin
        assertError(RawHttp.once(port, RawHttp.get(handshake, port, Map.of("Origin", "http://127.0.0.1:1"))),
                403, 4, "Forbidden");
        // X-Forwarded-Host counts only from a trusted proxy (none is configured here)
        assertError(RawHttp.once(port, RawHttp.get(handshake, port, Map.of("Origin", "https://evil.example",
                "X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https"))), 403, 4, "Forbidden");
    }

    @Test
    void twoHundredPhonesBehindOneAddressConnectAtOnceWithTheShippedDefaults() throws Exception {
        int phones = 200;
        List<SioClient> clients = new ArrayList<>();
        ExecutorService starter = Executors.newFixedThreadPool(50);
        // the Java client's default OkHttp dispatcher runs at most 64 calls at once (a websocket holds one): one
        // client per phone needs its own allowance, as 200 phones would have
        okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
        dispatcher.setMaxRequests(1000);
        dispatcher.setMaxRequestsPerHost(1000);
        okhttp3.OkHttpClient http = new okhttp3.OkHttpClient.Builder().dispatcher(dispatcher).build();
        try {
            List<CompletableFuture<SioClient>> opening = new ArrayList<>();
            for (int i = 0; i < phones; i++) {
                String salesman = fresh("nat" + i);
                opening.add(CompletableFuture.supplyAsync(() -> {
                    IO.Options options = SioClient.options(APP.salesmanToken(TENANT, salesman), "websocket");
                    options.callFactory = http;
                    options.webSocketFactory = http;
                    return SioClient.open(APP.socketUrl(), options);
                }, starter));
            }
            int connected = 0;
            int refused = 0;
            for (CompletableFuture<SioClient> f : opening) {
                SioClient c = f.get(30, TimeUnit.SECONDS);
                clients.add(c);
            }
            for (SioClient c : clients) {
                try {
                    c.awaitConnected();
                    connected++;
                } catch (RuntimeException e) {
                    refused++;
                }
                if (refused > 5) {
                    break; // no point waiting 10 s for each of the rest
                }
            }
            System.out.printf("[field] %d phones from 127.0.0.1 at once: %d connected, %d refused%n",
                    phones, connected, refused);
            assertThat(connected).isEqualTo(phones);
            assertThat(APP.meter("socketio.handshakes.refused.rate")).isZero();
        } finally {
            clients.forEach(SioClient::close);
            starter.shutdownNow();
            http.dispatcher().executorService().shutdown();
        }
    }

    /**
     * 3,000 phones behind one address (its own, 127.0.0.9, so the other tests' handshakes do not share its bucket),
     * each retrying a 429 after a pause as the official clients' reconnection does: all are in at once at the end.
     * The first 1,000 get in at once (the burst), the rest at the refill rate (100/s).
     */
    @Test
    void threeThousandSessionsFromOneAddressAreAllHeldAtOnce() throws Exception {
        int port = APP.socketPort();
        String handshake = RawHttp.get("/socket.io/?EIO=4&transport=polling", port, Map.of());
        List<String> sids = new ArrayList<>();
        int refusedThenRetried = 0;
        long start = System.nanoTime();
        try {
            while (sids.size() < 3000) {
                RawHttp.Response r;
                try (RawHttp c = RawHttp.connect("127.0.0.9", port)) {
                    r = c.exchange(handshake);
                }
                if (r.status() == 429) {
                    refusedThenRetried++;
                    Thread.sleep(50);
                    continue;
                }
                assertThat(r.status()).as("handshake %d: %s", sids.size(), r).isEqualTo(200);
                sids.add(new JSONObject(r.text().substring(1)).getString("sid"));
            }
            System.out.printf("[field] 3000 sessions from one address held at once after %.1f s (%d handshakes "
                    + "answered 429 and retried)%n", (System.nanoTime() - start) / 1e9, refusedThenRetried);
            assertThat(sids).doesNotHaveDuplicates().hasSize(3000);
            // the first thousand came in without a single refusal: the burst of a fleet reconnecting together
            assertThat(refusedThenRetried).isLessThan(3000);
        } finally {
            for (String sid : sids) { // a close packet ends a polling session
                try (RawHttp c = RawHttp.connect("127.0.0.9", port)) {
                    c.exchange(RawHttp.request("POST", "/socket.io/?EIO=4&transport=polling&sid=" + sid, port,
                            Map.of("Content-Type", "text/plain;charset=UTF-8"), "1"));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/socket.io/x", "/socket.io/x/", "/socket.io//", "/socket.io/socket.io/", "/socket.io",
            "/socket.io/../socket.io/", "/elsewhere/"})
    void anyOtherPathIsAnsweredByTheGateAndTheSessionIsUntouched(String odd) throws Exception {
        int port = APP.socketPort();
        try (RawEngineIo session = RawEngineIo.open(APP.socketUrl(), "polling")) {
            session.authenticate(APP.salesmanToken(TENANT, fresh("odd")));
            String sid = session.sid();
            // a poll, a post and a websocket upgrade of the real session, under the odd path
            assertError(RawHttp.once(port, RawHttp.get(odd + "?EIO=4&transport=polling&sid=" + sid, port, Map.of())),
                    404, 3, "Not found");
            assertError(RawHttp.once(port, RawHttp.request("POST", odd + "?EIO=4&transport=polling&sid=" + sid, port,
                    Map.of("Content-Type", "text/plain;charset=UTF-8"), "1")), 404, 3, "Not found");
            assertError(RawHttp.once(port, RawHttp.get(odd + "?EIO=4&transport=websocket&sid=" + sid, port,
                    RawHttp.websocketHeaders(Map.of()))), 404, 3, "Not found");
            // unknown sids there: 404, never the library's 500
            assertError(RawHttp.once(port, RawHttp.get(odd + "?EIO=4&transport=polling&sid=nope", port, Map.of())),
                    404, 3, "Not found");
            // the session is as it was: still open on the exact path, the close packet above never reached it
            session.emit("location:update", new JSONObject().put("latitude", 1).put("longitude", 2)
                    .put("timestamp", System.currentTimeMillis()), 7);
            JSONObject ack = session.awaitAck(7, Duration.ofSeconds(10));
            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
        }
    }
}
