package com.salesmate.realtime.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.DisconnectReason;
import com.salesmate.realtime.hub.HubFakes;
import com.salesmate.realtime.hub.Link;
import com.salesmate.realtime.hub.OutboundEvent;
import com.salesmate.realtime.hub.SocketEvents;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EdgeSession}'s states and its one rule for closing, with a library session of the test's own that records what
 * the edge asked of it (what the client would receive), channels that are Netty's {@link EmbeddedChannel}s and timers
 * the test runs by hand: no port, no sleep.
 */
class EdgeSessionTest {
    private static final long HEARTBEAT_NANOS = TimeUnit.MILLISECONDS.toNanos(1_500);
    private static final EdgeLimits LIMITS = new EdgeLimits(10, 10, 100, 100, 1_000, 1_000, 1 << 20, 1 << 20,
            HEARTBEAT_NANOS, 5_000);

    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    private final EdgeSessions table = new EdgeSessions(LIMITS);
    private final FakeLibrary library = new FakeLibrary();
    private final FakeHub hub = new FakeHub();
    private final EdgeSession session = new EdgeSession(library, slot(), table, LIMITS, hub, timers);

    EdgeSessionTest() {
        timers.setRemoveOnCancelPolicy(true);
        table.add(session);
    }

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void openingBecomesOpenWithOneSocketRegisteredWithTheHub() {
        assertThat(session.state()).isEqualTo(EdgeSession.State.OPENING);
        session.open(null);
        assertThat(session.state()).isEqualTo(EdgeSession.State.OPEN);
        assertThat(hub.opened).hasSize(1);
        assertThat(session.connection()).isSameAs(hub.opened.get(0));
    }

    @Test
    void anUpgradeBeginsOnceOnOneWebsocketAndAProbeThatClosesReturnsToPolling() {
        session.open(null);
        EmbeddedChannel probe = new EmbeddedChannel();
        EmbeddedChannel other = new EmbeddedChannel();
        assertThat(session.upgrading(probe)).isTrue();
        assertThat(session.state()).isEqualTo(EdgeSession.State.UPGRADING);
        assertThat(session.upgrading(other)).as("a second websocket while upgrading").isFalse();
        session.websocketClosed(other);
        assertThat(session.state()).as("another channel's close changes nothing").isEqualTo(EdgeSession.State.UPGRADING);
        session.websocketClosed(probe);
        assertThat(session.state()).isEqualTo(EdgeSession.State.OPEN);
        assertThat(session.upgrading(other)).as("polling again: another probe may come").isTrue();
    }

    @Test
    void anUpgradeAnswersTheWaitingPollWithANoopAndLaterPollsAreRefused() {
        session.open(null);
        EmbeddedChannel poll = new EmbeddedChannel();
        assertThat(session.claimPoll(poll)).isEqualTo(EdgeSession.Poll.CLAIMED);
        assertThat(session.upgrading(new EmbeddedChannel())).isTrue();
        library.upgraded = true;
        session.upgraded();
        assertThat(library.calls).containsExactly("noop");
        assertThat(session.state()).isEqualTo(EdgeSession.State.OPEN);
        assertThat(session.claimPoll(new EmbeddedChannel())).isEqualTo(EdgeSession.Poll.UPGRADED);
        assertThat(session.upgrading(new EmbeddedChannel())).as("upgraded: no second upgrade").isFalse();
    }

    @Test
    void anUpgradeWithNoPollWaitingSendsNothingToPolling() {
        session.open(null);
        EmbeddedChannel poll = new EmbeddedChannel();
        session.claimPoll(poll);
        session.pollDone(poll); // answered before the upgrade
        session.upgrading(new EmbeddedChannel());
        session.upgraded();
        assertThat(library.calls).isEmpty();
    }

    @Test
    void oneGetPollWaitsAtATime() {
        session.open(null);
        EmbeddedChannel first = new EmbeddedChannel();
        EmbeddedChannel second = new EmbeddedChannel();
        assertThat(session.claimPoll(first)).isEqualTo(EdgeSession.Poll.CLAIMED);
        assertThat(session.claimPoll(second)).isEqualTo(EdgeSession.Poll.ANOTHER_WAITING);
        first.close(); // its connection went: it no longer waits
        assertThat(session.claimPoll(second)).isEqualTo(EdgeSession.Poll.CLAIMED);
    }

    @Test
    void aServerDecisionOnPollingQueues41ThenCloseAndTheSessionEndsWhenTheyLeave() {
        session.open(null);
        session.socket().connectOnce();
        session.connection().close(DisconnectReason.ADMIN);
        assertThat(library.calls).containsExactly("disconnect", "close");
        assertThat(session.state()).isEqualTo(EdgeSession.State.CLOSING);
        assertThat(table.admit("1.2.3.4")).as("its slot is free once closing").isInstanceOf(Admission.Admitted.class);
        assertThat(table.get(session.sessionId())).as("its sid still carries the last packets").isSameAs(session);
        library.queueEmpty = true;
        session.drained(10); // the poll that carried them
        assertThat(session.state()).isEqualTo(EdgeSession.State.CLOSED);
        assertThat(library.calls).containsExactly("disconnect", "close", "end");
        assertThat(table.get(session.sessionId())).isNull();
    }

    @Test
    void aClosingSessionThatIsNeverPolledAgainEndsAfterTheCloseTimeout() throws Exception {
        session.open(null);
        session.socket().connectOnce();
        session.connection().close(DisconnectReason.ADMIN);
        assertThat(timers.getQueue()).hasSize(1);
        runTimers(); // the close timeout, now
        assertThat(session.state()).isEqualTo(EdgeSession.State.CLOSED);
        assertThat(library.calls).endsWith("end");
    }

    @Test
    void aClientCloseAnswersItsWaitingPollWithANoopAndWithoutOneEndsAtOnce() {
        session.open(null);
        session.socket().connectOnce();
        session.claimPoll(new EmbeddedChannel());
        session.closedByClient(DisconnectReason.CLIENT_DISCONNECT);
        assertThat(library.calls).containsExactly("noop");
        assertThat(session.state()).isEqualTo(EdgeSession.State.CLOSING);

        FakeLibrary other = new FakeLibrary();
        EdgeSession idle = new EdgeSession(other, slot(), table, LIMITS, hub, timers);
        table.add(idle);
        idle.open(null);
        idle.closedByClient(DisconnectReason.CLIENT_DISCONNECT);
        assertThat(other.calls).containsExactly("end");
        assertThat(idle.state()).isEqualTo(EdgeSession.State.CLOSED);
        assertThat(table.get(idle.sessionId())).isNull();
    }

    @Test
    void aSessionClosesOnce() {
        session.open(null);
        session.socket().connectOnce();
        session.close(DisconnectReason.SHUTDOWN, true);
        session.close(DisconnectReason.ADMIN, true);
        session.closedByClient(DisconnectReason.TRANSPORT_CLOSE);
        assertThat(library.calls).containsExactly("disconnect", "close");
    }

    @Test
    void theHeartbeatIsOverExactlyAtPingIntervalPlusPingTimeout() {
        session.open(null);
        long before = System.nanoTime();
        session.heard();
        long after = System.nanoTime();
        assertThat(session.expired(before + HEARTBEAT_NANOS)).isFalse();
        assertThat(session.expired(after + HEARTBEAT_NANOS + 1)).isTrue();
        assertThat(library.calls).as("the library's timer restarted too").containsExactly("heard");
    }

    @Test
    void aClientThatLeavesTheNamespaceKeepsItsSessionWithNoSocketAndMayConnectAgain() {
        session.open(null);
        session.socket().connectOnce();
        Connection first = session.connection();
        session.leaveNamespace();
        assertThat(first.closeReason()).isEqualTo(DisconnectReason.CLIENT_DISCONNECT);
        assertThat(session.socket()).isNull();
        assertThat(session.state()).isEqualTo(EdgeSession.State.OPEN);
        assertThat(library.calls).as("nothing sent, nothing ended").isEmpty();
        assertThat(hub.forgotten).containsExactly(first);

        SocketLink next = session.socketForConnect();
        assertThat(next.connection()).isNotSameAs(first);
        assertThat(hub.opened).hasSize(2);
        runTimers(); // the bound of the leave: connected again meanwhile, so nothing
        assertThat(session.state()).isEqualTo(EdgeSession.State.OPEN);
    }

    @Test
    void aClientThatLeavesAndDoesNotConnectAgainIsEndedAtTheBoundWithout41() {
        session.open(null);
        session.socket().connectOnce();
        session.leaveNamespace();
        runTimers();
        assertThat(session.state()).isIn(EdgeSession.State.CLOSING, EdgeSession.State.CLOSED);
        assertThat(library.calls).doesNotContain("disconnect").contains("close"); // Engine.IO's close, no 41
    }

    @Test
    void twoLeavesAtOnceAreOne() {
        session.open(null);
        session.socket().connectOnce();
        session.leaveNamespace();
        session.leaveNamespace(); // a second 41 from another POST: nothing to leave
        assertThat(hub.forgotten).hasSize(1);
        assertThat(session.state()).isEqualTo(EdgeSession.State.OPEN);
    }

    @Test
    void leavingAndConnectingAgainDoesNotRestartTheAuthenticationBoundOfASessionNeverAuthenticated() {
        EdgeLimits noTime = new EdgeLimits(10, 10, 100, 100, 1_000, 1_000, 1 << 20, 1 << 20, HEARTBEAT_NANOS, 0);
        // the leave's own bound (0 ms here) must not run during the test: its timers wait behind a held task
        ScheduledThreadPoolExecutor held = new ScheduledThreadPoolExecutor(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        held.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            boundNotRestarted(noTime, held);
        } finally {
            release.countDown();
            held.shutdownNow();
        }
    }

    private void boundNotRestarted(EdgeLimits noTime, ScheduledThreadPoolExecutor held) {
        FakeLibrary lib = new FakeLibrary();
        EdgeSession anonymous = new EdgeSession(lib, slot(), table, noTime, hub, held);
        table.add(anonymous);
        anonymous.open(null);
        anonymous.socket().connectOnce();
        anonymous.leaveNamespace();
        assertThat(anonymous.socketForConnect()).as("past the bound, never authenticated").isNull();
        assertThat(anonymous.isClosing()).isTrue();

        FakeLibrary lib2 = new FakeLibrary();
        EdgeSession known = new EdgeSession(lib2, slot(), table, noTime, hub, held);
        table.add(known);
        known.open(null);
        known.socket().connectOnce();
        HubFakes.authenticate(known.connection(), HubFakes.salesman("t1", "s1"));
        known.leaveNamespace();
        assertThat(known.socketForConnect()).as("a socket of it authenticated: it may come back").isNotNull();
        assertThat(known.isClosing()).isFalse();
    }

    @Test
    void nothingIsQueuedForAClosingSessionOrPastTheOutboundLimit() {
        session.open(null);
        session.socket().connectOnce();
        OutboundEvent small = new OutboundEvent("alert", "{\"m\":1}");
        assertThat(session.socket().send(small)).isTrue();
        assertThat(library.calls).containsExactly("event:alert");
        OutboundEvent big = new OutboundEvent("alert", "\"" + "x".repeat(2_000) + "\"");
        Connection c = session.connection();
        SocketLink socket = session.socket();
        assertThat(socket.send(big)).as("past 1,000 bytes queued").isFalse();
        assertThat(socket.send(small)).as("nothing more once found slow, even before it is closed").isFalse();
        // closed by a task of its own (a fan-out never waits for one socket's close)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> c.closeReason() == DisconnectReason.SLOW_CONSUMER);
        assertThat(session.socket() == null || !session.socket().send(small)).isTrue();
        assertThat(library.calls.stream().filter(x -> x.startsWith("event"))).hasSize(1);
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private EdgeSessions.Slot slot() {
        return ((Admission.Admitted) table.admit("10.0.0.1")).slot();
    }

    /** Runs every queued timer now, whatever its delay (the queue's poll() hands out only expired ones). */
    private void runTimers() {
        for (Runnable task : timers.getQueue().toArray(new Runnable[0])) {
            timers.remove(task);
            task.run();
        }
    }

    /** The library's side of the session, recording what the edge asked of it. */
    static final class FakeLibrary implements LibrarySession {
        private final UUID id;
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile boolean upgraded;
        volatile boolean queueEmpty;

        FakeLibrary() {
            this(UUID.randomUUID());
        }

        FakeLibrary(UUID id) {
            this.id = id;
        }

        @Override
        public UUID id() {
            return id;
        }

        @Override
        public boolean upgraded() {
            return upgraded;
        }

        @Override
        public void heard() {
            calls.add("heard");
        }

        @Override
        public String transport() {
            return upgraded ? "websocket" : "polling";
        }

        @Override
        public boolean pollingQueueEmpty() {
            return queueEmpty;
        }

        @Override
        public void event(String name, EncodedEvent encoded) {
            calls.add("event:" + name);
        }

        @Override
        public void queueOnWebsocket(String name, EncodedEvent encoded) {
            calls.add("queued:" + name);
        }

        @Override
        public Object websocketFlush() {
            return "flush";
        }

        @Override
        public void ack(long ackId, String json) {
            calls.add("ack:" + ackId);
        }

        @Override
        public void connected(String sid, String pid) {
            calls.add("connected");
        }

        @Override
        public void connectError(String nsp, Object data) {
            calls.add("connect_error");
        }

        @Override
        public void disconnect() {
            calls.add("disconnect");
        }

        @Override
        public void close() {
            calls.add("close");
        }

        @Override
        public void noop() {
            calls.add("noop");
        }

        @Override
        public void end() {
            calls.add("end");
        }
    }

    /** The hub's side: registers each socket it is told of, and records which it forgot. */
    static final class FakeHub implements SocketEvents {
        final List<Connection> opened = new CopyOnWriteArrayList<>();
        final List<Connection> forgotten = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Connection> connected = new CopyOnWriteArrayList<>();

        @Override
        public Connection opened(Link link) {
            Connection c = HubFakes.connection(link, forgotten::add);
            opened.add(c);
            return c;
        }

        @Override
        public java.util.concurrent.CompletionStage<com.salesmate.realtime.api.ConnectError> connecting(
                Connection connection, JsonNode auth) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public void connected(Connection connection) {
            connected.add(connection);
        }

        @Override
        public void event(Connection connection, String name, JsonNode payload, Long ackId) {
            events.add(name + (ackId == null ? "" : "#" + ackId));
        }
    }
}
