package com.salesmate.realtime.socketio;

import com.codahale.metrics.MetricRegistry;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.store.MemoryStoreFactory;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.DisconnectReason;
import com.salesmate.realtime.hub.Events;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.metrics.TenantCounters;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PacketGate} on Netty's {@link EmbeddedChannel}: what a client's packets do before the library sees them —
 * Socket.IO packets handled here (CONNECT once per socket, events to the hub, {@code 41} leaving the namespace),
 * Engine.IO control packets passed on, malformed input closing the session, nothing handled once it is closing.
 */
class PacketGateTest {
    private static final EdgeLimits LIMITS = new EdgeLimits(10, 10, 100, 100, 1 << 20, 1_000, 1 << 20, 1 << 20,
            1_500_000_000L, 5_000);

    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    private final EdgeSessions sessions = new EdgeSessions(LIMITS);
    private final EdgeSessionTest.FakeHub hub = new EdgeSessionTest.FakeHub();
    private final MetricRegistry registry = new MetricRegistry();
    private final EmbeddedChannel channel = new EmbeddedChannel(new PacketGate(sessions, hub,
            new MalformedInput(new SocketMetrics(registry, new TenantCounters(), Events.INBOUND))));
    private final ClientHead head = new ClientHead(UUID.randomUUID(), null, null, new MemoryStoreFactory(), null, null,
            Transport.WEBSOCKET, null, null, Map.of());
    private final EdgeSessionTest.FakeLibrary library = new EdgeSessionTest.FakeLibrary(head.getSessionId());
    private final EdgeSession session = new EdgeSession(library,
            ((Admission.Admitted) sessions.admit("10.0.0.1")).slot(), sessions, LIMITS, hub, timers);

    PacketGateTest() {
        sessions.add(session);
        session.open(null);
    }

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void aConnectIsAnsweredOnceAndEventsGoToTheHub() {
        send("40");
        assertThat(library.calls).contains("connected");
        assertThat(hub.connected).containsExactly(session.connection());
        send("42[\"location:update\",{\"latitude\":1}]");
        send("421[\"typing\",{\"to\":\"managers\"}]");
        assertThat(hub.events).containsExactly("location:update", "typing#1");
        assertThat((Object) channel.readInbound()).as("nothing of Socket.IO reaches the library").isNull();
        assertThat(library.calls.stream().filter("heard"::equals)).as("each packet moves the heartbeat").hasSize(3);
    }

    @Test
    void aSecondConnectOnTheConnectedNamespaceClosesTheSession() {
        send("40");
        Connection c = session.connection();
        send("40");
        assertThat(c.closeReason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
        assertThat(registry.meter(SocketMetrics.MALFORMED).getCount()).isEqualTo(1);
        send("42[\"typing\",{\"to\":\"managers\"}]");
        assertThat(hub.events).as("nothing after the decision").isEmpty();
    }

    @Test
    void anUnknownNamespaceGetsAConnectErrorAndTheSessionStays() {
        send("40/admin,");
        assertThat(library.calls).contains("connect_error");
        assertThat(session.isClosing()).isFalse();
        send("40");
        assertThat(hub.connected).hasSize(1);
    }

    @Test
    void aLeaveEndsTheSocketAndTheSessionMayConnectAgain() {
        send("40");
        Connection first = session.connection();
        send("41");
        assertThat(first.closeReason()).isEqualTo(DisconnectReason.CLIENT_DISCONNECT);
        assertThat(session.isClosing()).isFalse();
        send("40");
        assertThat(hub.connected).hasSize(2);
        assertThat(hub.connected.get(1)).isNotSameAs(first);
        send("42[\"typing\",{\"to\":\"managers\"}]");
        assertThat(hub.events).containsExactly("typing");
    }

    @Test
    void anEventOfASocketThatLeftIsAProtocolError() {
        send("40");
        send("41");
        send("42[\"typing\",{\"to\":\"managers\"}]");
        assertThat(hub.events).isEmpty();
        assertThat(session.isClosing()).isTrue();
    }

    @Test
    void controlPacketsGoOnToTheLibraryAndAnUpgradeCompletesTheSessions() {
        assertThat(session.upgrading(new EmbeddedChannel())).isTrue();
        send("2probe");
        assertThat(forwarded()).isEqualTo("2probe");
        send("5");
        assertThat(forwarded()).isEqualTo("5");
        assertThat(session.state()).isEqualTo(EdgeSession.State.OPEN);
        assertThat(session.upgrading(new EmbeddedChannel())).as("upgraded: no other websocket").isFalse();
        send("3");
        assertThat(forwarded()).isEqualTo("3");
    }

    @Test
    void aPollingPayloadIsSplitIntoItsPacketsAndOnlyTheControlOnesGoOn() {
        channel.writeInbound(new PacketsMessage(head,
                Unpooled.copiedBuffer("3\u001e40\u001e42[\"typing\",{\"to\":\"managers\"}]", StandardCharsets.UTF_8),
                Transport.POLLING));
        assertThat(forwarded()).isEqualTo("3");
        assertThat(hub.events).containsExactly("typing");
    }

    @Test
    void malformedInputClosesTheSessionAndNothingAfterItIsHandled() {
        send("40");
        Connection c = session.connection();
        send("42{}");
        assertThat(c.closeReason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
        send("3");
        assertThat((Object) channel.readInbound()).as("not even a pong once closing").isNull();
    }

    private void send(String packet) {
        channel.writeInbound(new PacketsMessage(head, Unpooled.copiedBuffer(packet, StandardCharsets.UTF_8),
                Transport.WEBSOCKET));
    }

    private String forwarded() {
        PacketsMessage m = channel.readInbound();
        assertThat(m).as("passed on").isNotNull();
        try {
            return m.getContent().toString(StandardCharsets.UTF_8);
        } finally {
            m.getContent().release();
        }
    }
}
