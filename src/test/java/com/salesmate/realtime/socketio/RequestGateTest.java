package com.salesmate.realtime.socketio;

import com.codahale.metrics.MetricRegistry;
import com.salesmate.realtime.hub.Events;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.metrics.TenantCounters;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RequestGate} on Netty's {@link EmbeddedChannel}: each refusal of the {@link Refusal} table reached by the
 * request that earns it, answered with its exact body and {@code Connection: close}, counted where it refuses a new
 * session; what it lets through reaches the next handler (the library) unchanged. No port, no sleep.
 */
class RequestGateTest {
    private static final String ALLOWED = "https://app.example";

    private final MetricRegistry registry = new MetricRegistry();
    private final SocketMetrics metrics = new SocketMetrics(registry, new TenantCounters(), Events.INBOUND);
    private final EdgeLimits limits = new EdgeLimits(2, 2, 1_000, 1_000, 1 << 20, 1_000, 1 << 20, 1 << 20,
            1_500_000_000L, 5_000);
    private final EdgeSessions sessions = new EdgeSessions(limits);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    private EmbeddedChannel channel() {
        ClientAddresses addresses = new ClientAddresses(List.of());
        return new EmbeddedChannel(new RequestGate("/socket.io/", new Origins(List.of(ALLOWED), addresses), addresses,
                sessions, metrics, running::get, 1 << 20));
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("GET", "/socket.io/x/?EIO=4&transport=polling", null, Refusal.NOT_FOUND, 404, 3,
                        "Not found"),
                Arguments.of("GET", "/socket.io/?EIO=4", null, Refusal.UNKNOWN_TRANSPORT, 400, 0, "Transport unknown"),
                Arguments.of("GET", "/socket.io/?EIO=4&transport=flash", null, Refusal.UNKNOWN_TRANSPORT, 400, 0,
                        "Transport unknown"),
                Arguments.of("POST", "/socket.io/?EIO=4&transport=polling", null, Refusal.BAD_HANDSHAKE_METHOD, 400, 2,
                        "Bad handshake method"),
                Arguments.of("GET", "/socket.io/?EIO=3&transport=polling", null,
                        Refusal.UNSUPPORTED_PROTOCOL_VERSION, 400, 5, "Unsupported protocol version"),
                Arguments.of("GET", "/socket.io/?EIO=4&transport=websocket", null, Refusal.BAD_REQUEST, 400, 3,
                        "Bad request"), // websocket handshake without Upgrade
                Arguments.of("GET", "/socket.io/?EIO=4&transport=polling", "https://evil.example", Refusal.FORBIDDEN,
                        403, 4, "Forbidden"),
                Arguments.of("GET", "/socket.io/?EIO=4&transport=polling&sid=" + java.util.UUID.randomUUID(), null,
                        Refusal.UNKNOWN_SID, 400, 1, "Session ID unknown"),
                Arguments.of("GET", "/socket.io/?EIO=4&transport=polling&sid=not-a-sid", null, Refusal.UNKNOWN_SID,
                        400, 1, "Session ID unknown"));
    }

    @ParameterizedTest(name = "{0} {1} -> {4}")
    @MethodSource("refusals")
    void eachRefusalIsAnsweredFromTheTable(String method, String uri, String origin, Refusal refusal, int status,
                                           int code, String message) {
        EmbeddedChannel ch = channel();
        FullHttpRequest req = request(method, uri);
        if (origin != null) {
            req.headers().set(HttpHeaderNames.ORIGIN, origin);
        }
        ch.writeInbound(req);
        assertThat((Object) ch.readInbound()).as("nothing reaches the library").isNull();
        assertRefused(ch, status, "{\"code\":" + code + ",\"message\":\"" + message + "\"}");
        assertThat(req.refCnt()).as("the request is released").isZero();
        if (refusal.metric() != null) {
            assertThat(registry.meter(SocketMetrics.HANDSHAKES_REFUSED + "." + refusal.metric()).getCount())
                    .isEqualTo(1);
        }
        assertThat(sessions.admit("10.9.9.9")).as("no slot was taken").isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void anAdmittedHandshakeGoesOnToTheLibraryWithItsSlotHeld() {
        EmbeddedChannel ch = channel();
        FullHttpRequest req = request("GET", "/socket.io/?EIO=4&transport=polling");
        req.headers().set(HttpHeaderNames.ORIGIN, ALLOWED);
        ch.writeInbound(req);
        FullHttpRequest passed = ch.readInbound();
        assertThat(passed).isSameAs(req);
        assertThat((Object) ch.readOutbound()).as("no answer from the gate").isNull();
        passed.release();
    }

    @Test
    void aFullNodeAndAFullAddressAreRefusedAndCounted() {
        for (int i = 0; i < 2; i++) {
            assertThat(sessions.admit("embedded")).isInstanceOf(Admission.Admitted.class); // the channel's address
        }
        EmbeddedChannel ch = channel();
        ch.writeInbound(request("GET", "/socket.io/?EIO=4&transport=polling"));
        assertRefused(ch, 503, "{\"code\":4,\"message\":\"Too many connections on this node\"}");
        assertThat(registry.meter(SocketMetrics.HANDSHAKES_REFUSED + ".node_full").getCount()).isEqualTo(1);
    }

    @Test
    void aNodeThatIsStoppingRefusesNewSessions() {
        running.set(false);
        EmbeddedChannel ch = channel();
        ch.writeInbound(request("GET", "/socket.io/?EIO=4&transport=polling"));
        assertRefused(ch, 503, "{\"code\":4,\"message\":\"Server is shutting down\"}");
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnsweredAndMakesNoSession() {
        EmbeddedChannel ch = channel();
        FullHttpRequest req = request("OPTIONS", "/socket.io/?EIO=4&transport=polling");
        req.headers().set(HttpHeaderNames.ORIGIN, ALLOWED);
        req.headers().set(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS, "content-type");
        ch.writeInbound(req);
        FullHttpResponse res = ch.readOutbound();
        assertThat(res.status().code()).isEqualTo(204);
        assertThat(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(ALLOWED);
        assertThat(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)).isEqualTo("GET, POST");
        res.release();
        assertThat((Object) ch.readInbound()).isNull();

        EmbeddedChannel other = channel();
        FullHttpRequest evil = request("OPTIONS", "/socket.io/?EIO=4&transport=polling");
        evil.headers().set(HttpHeaderNames.ORIGIN, "https://evil.example");
        other.writeInbound(evil);
        assertRefused(other, 403, "{\"code\":4,\"message\":\"Forbidden\"}");
    }

    @Test
    void requestsWithTheSidOfASessionAreRoutedByItsState() {
        FakeSession s = new FakeSession(sessions, limits, timers);
        s.session.open(null);
        String sid = s.session.sessionId().toString();

        EmbeddedChannel firstPoll = channel();
        FullHttpRequest get = request("GET", "/socket.io/?EIO=4&transport=polling&sid=" + sid);
        firstPoll.writeInbound(get);
        assertThat((Object) firstPoll.readInbound()).as("the poll goes on to the library").isSameAs(get);
        get.release();
        assertThat(ChannelUse.of(firstPoll).kind()).isEqualTo(ChannelUse.Kind.POLL);

        EmbeddedChannel secondPoll = channel(); // while the first waits: the official server ends the session
        secondPoll.writeInbound(request("GET", "/socket.io/?EIO=4&transport=polling&sid=" + sid));
        assertRefused(secondPoll, 400, "{\"code\":3,\"message\":\"Bad request\"}");
        assertThat(s.session.isClosing()).isTrue();

        EmbeddedChannel later = channel(); // finished: the sid is unknown
        s.session.finish();
        later.writeInbound(request("POST", "/socket.io/?EIO=4&transport=polling&sid=" + sid));
        assertRefused(later, 400, "{\"code\":1,\"message\":\"Session ID unknown\"}");
    }

    @Test
    void aSessionSilentPastItsHeartbeatIsOverAtTheRequest() {
        EdgeLimits brief = new EdgeLimits(2, 2, 1_000, 1_000, 1 << 20, 1_000, 1 << 20, 1 << 20, 1, 5_000);
        FakeSession s = new FakeSession(sessions, brief, timers); // silent for more than 1 ns by the time it is asked
        s.session.open(null);
        EmbeddedChannel ch = channel();
        ch.writeInbound(request("GET", "/socket.io/?EIO=4&transport=polling&sid=" + s.session.sessionId()));
        assertRefused(ch, 400, "{\"code\":1,\"message\":\"Session ID unknown\"}");
        assertThat(s.session.state()).isEqualTo(EdgeSession.State.CLOSED);

        FakeSession alive = new FakeSession(sessions, limits, timers); // the same request within the heartbeat goes on
        alive.session.open(null);
        EmbeddedChannel ok = channel();
        FullHttpRequest get = request("GET", "/socket.io/?EIO=4&transport=polling&sid=" + alive.session.sessionId());
        ok.writeInbound(get);
        assertThat((Object) ok.readInbound()).isSameAs(get);
        get.release();
    }

    @Test
    void pollingAfterTheUpgradeIsRefused() {
        FakeSession s = new FakeSession(sessions, limits, timers);
        s.session.open(null);
        s.session.upgrading(new EmbeddedChannel());
        s.library.upgraded = true;
        s.session.upgraded();
        for (String method : List.of("GET", "POST")) {
            EmbeddedChannel ch = channel();
            ch.writeInbound(request(method, "/socket.io/?EIO=4&transport=polling&sid=" + s.session.sessionId()));
            assertRefused(ch, 400, "{\"code\":3,\"message\":\"Bad request\"}");
        }
        assertThat(s.session.isClosing()).as("a stray poll does not end an upgraded session").isFalse();
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static FullHttpRequest request(String method, String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri, Unpooled.buffer());
    }

    private static void assertRefused(EmbeddedChannel ch, int status, String body) {
        FullHttpResponse res = ch.readOutbound();
        assertThat(res).as("an answer").isNotNull();
        try {
            assertThat(res.status().code()).isEqualTo(status);
            assertThat(res.content().toString(StandardCharsets.UTF_8)).isEqualTo(body);
            assertThat(res.headers().get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("close");
            assertThat(res.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("application/json");
        } finally {
            res.release();
        }
        assertThat(ch.isOpen()).as("closed after the answer").isFalse();
    }

    /** A session in the table, on a library session of the test's own. */
    private static final class FakeSession {
        final EdgeSessionTest.FakeLibrary library = new EdgeSessionTest.FakeLibrary();
        final EdgeSession session;

        FakeSession(EdgeSessions sessions, EdgeLimits limits, ScheduledThreadPoolExecutor timers) {
            Admission admitted = sessions.admit("10.1.1." + System.nanoTime() % 200);
            session = new EdgeSession(library, ((Admission.Admitted) admitted).slot(), sessions, limits,
                    new EdgeSessionTest.FakeHub(), timers);
            sessions.add(session);
        }
    }
}
