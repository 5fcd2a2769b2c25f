package com.salesmate.realtime.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.persistence.SightingRecorder;
import io.dropwizard.jersey.validation.Validators;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Sessions}: a socket's life on one node, with the real registry, publisher, presence and typing. Timers are
 * queued on an executor whose delays (seconds to hours) do not come due during a test: the test runs them by hand.
 */
class SessionsTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration AUTH_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final Duration TYPING_TIMEOUT = Duration.ofHours(5);
    private static final String TENANT = Rooms.tenant("t1");
    private static final String MANAGERS = Rooms.managers("t1");
    private static final String S1_ROOM = Rooms.salesman("t1", "s1");

    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final SocketMetrics metrics = HubFakes.metrics();
    private final LocalPublisher publisher = new LocalPublisher(registry, metrics, new WireJson(), Fanout.EACH);
    private final LocalPresence presence = new LocalPresence(publisher, new SightingRecorder(null, Duration.ofHours(1)),
            timers, GRACE, clock);
    private final RecordingMembership membership = new RecordingMembership();
    private final TypingHandler typing = new TypingHandler(new Payloads(Validators.newValidator(), metrics), publisher,
            timers, TYPING_TIMEOUT);
    private final Sessions sessions = new Sessions(new Sessions.Tracking(registry, membership, presence, typing, Recovery.off()),
            publisher, new HubSettings(AUTH_TIMEOUT, GRACE, TYPING_TIMEOUT, 100, Duration.ofDays(1)),
            new RealtimeHub.Services(metrics, null, null, timers, clock));

    SessionsTest() {
        timers.setRemoveOnCancelPolicy(true); // a cancelled timer leaves the queue: the queue shows what is pending
    }

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void openRegistersTheSocketAndASocketNotAuthenticatedInTimeIsToldAndClosed() {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = sessions.open(link);
        assertThat(registry.contains(c)).isTrue();
        assertThat(c.isOpen()).isTrue();
        assertThat(pendingSeconds()).containsExactly(10L);

        timerDueIn(AUTH_TIMEOUT).run();

        assertThat(link.sent).containsExactly(new OutboundEvent(Events.AUTH_ERROR, "{\"success\":false,\"error\":"
                + "{\"code\":\"unauthenticated\",\"message\":\"not authenticated within PT10S\"}}"));
        assertThat(link.closes).containsExactly(new HubFakes.FakeLink.Closed(DisconnectReason.AUTH_TIMEOUT, true));
        assertThat(c.closeReason()).isEqualTo(DisconnectReason.AUTH_TIMEOUT);
        assertThat(registry.contains(c)).isFalse();
    }

    @Test
    void aSocketAuthenticatedInTimeOutlivesTheAuthTimeout() {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = sessions.open(link);
        RunnableScheduledFuture<?> authTimeout = timerDueIn(AUTH_TIMEOUT);

        assertThat(sessions.admit(c, salesman("s1", Duration.ofHours(1)))).isTrue();
        assertThat(pendingSeconds()).as("the auth timeout is cancelled, the expiry armed").containsExactly(3600L);
        authTimeout.run(); // were it to run anyway

        assertThat(c.isOpen()).isTrue();
        assertThat(link.eventNames()).doesNotContain(Events.AUTH_ERROR);
        assertThat(link.closes).isEmpty();
    }

    @Test
    void admitJoinsTheAutomaticRoomsAndTellsMembershipAndPresenceOnce() {
        Connection manager = admittedManager();
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection s = sessions.open(link);

        assertThat(sessions.admit(s, salesman("s1", Duration.ofHours(1)))).isTrue();

        assertThat(s.rooms()).containsExactlyInAnyOrder(TENANT, S1_ROOM);
        assertThat(registry.inRoom(TENANT)).containsExactlyInAnyOrder(manager, s);
        assertThat(registry.inRoom(S1_ROOM)).containsExactly(s);
        assertThat(registry.inRoom(MANAGERS)).containsExactly(manager);
        assertThat(membership.admitted).containsExactly(manager, s);
        assertThat(presence.online("s1")).hasValueSatisfying(o -> assertThat(o.connections()).isEqualTo(1));
        assertThat(managerLink(manager).payloadsOf(Events.SALESMAN_ONLINE))
                .containsExactly("{\"tenantId\":\"t1\",\"salesmanId\":\"s1\",\"at\":" + NOW.toEpochMilli() + "}");
    }

    @Test
    void aSecondAdmitOfTheSameSocketDoesNotAnnounceItAgain() {
        Connection manager = admittedManager();
        Connection s = sessions.open(new HubFakes.FakeLink());
        sessions.admit(s, salesman("s1", Duration.ofHours(1)));

        assertThat(sessions.admit(s, salesman("s1", Duration.ofHours(2)))).as("a refreshed token").isFalse();

        assertThat(s.rooms()).containsExactlyInAnyOrder(TENANT, S1_ROOM);
        assertThat(registry.inRoom(S1_ROOM)).containsExactly(s);
        assertThat(membership.admitted).containsExactly(manager, s);
        assertThat(presence.online("s1")).hasValueSatisfying(o -> assertThat(o.connections()).isEqualTo(1));
        assertThat(managerLink(manager).payloadsOf(Events.SALESMAN_ONLINE)).hasSize(1);

        // another socket of the same salesman is a first admission: it is counted
        Connection second = sessions.open(new HubFakes.FakeLink());
        assertThat(sessions.admit(second, salesman("s1", Duration.ofHours(1)))).isTrue();
        assertThat(membership.admitted).containsExactly(manager, s, second);
        assertThat(presence.online("s1")).hasValueSatisfying(o -> assertThat(o.connections()).isEqualTo(2));
    }

    @Test
    void anExpiredTokenClosesTheSocketWithTokenExpired() {
        Connection manager = admittedManager();
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection s = sessions.open(link);
        sessions.admit(s, salesman("s1", Duration.ofHours(1)));

        timerDueIn(Duration.ofHours(1)).run();

        assertThat(link.payloadsOf(Events.AUTH_ERROR)).containsExactly(
                "{\"success\":false,\"error\":{\"code\":\"expired_token\",\"message\":\"token has expired\"}}");
        assertThat(link.closes).containsExactly(new HubFakes.FakeLink.Closed(DisconnectReason.TOKEN_EXPIRED, true));
        assertThat(s.closeReason()).isEqualTo(DisconnectReason.TOKEN_EXPIRED);
        assertThat(registry.contains(s)).isFalse();
        assertThat(registry.inRoom(TENANT)).containsExactly(manager);
        assertThat(membership.left).containsExactly(s);
    }

    @Test
    void aRefreshedTokenReplacesTheExpiryOfTheOldOne() {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection s = sessions.open(link);
        sessions.admit(s, salesman("s1", Duration.ofHours(1)));
        RunnableScheduledFuture<?> oldExpiry = timerDueIn(Duration.ofHours(1));

        sessions.admit(s, salesman("s1", Duration.ofHours(2)));
        assertThat(pendingSeconds()).containsExactly(7200L);
        oldExpiry.run(); // the old token's time comes

        assertThat(s.isOpen()).isTrue();
        assertThat(link.closes).isEmpty();

        timerDueIn(Duration.ofHours(2)).run();
        assertThat(s.closeReason()).isEqualTo(DisconnectReason.TOKEN_EXPIRED);
        assertThat(link.closes).containsExactly(new HubFakes.FakeLink.Closed(DisconnectReason.TOKEN_EXPIRED, true));
    }

    @Test
    void closeForgetsTheSocketEverywhereExactlyOnce() throws Exception {
        Connection manager = admittedManager();
        HubFakes.FakeLink managerLink = managerLink(manager);
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection s = sessions.open(link);
        sessions.admit(s, salesman("s1", Duration.ofHours(1)));
        typing.onTyping(s, new ObjectMapper().readTree("{\"to\":\"managers\"}"), Ack.NONE);
        assertThat(managerLink.eventNames()).containsExactly(Events.SALESMAN_ONLINE, Events.TYPING);
        assertThat(registry.contains(s)).isTrue();
        assertThat(pendingSeconds()).containsExactlyInAnyOrder(10800L, 3600L, 18000L); // two expiries, typing

        s.close(DisconnectReason.ADMIN);

        assertThat(link.closes).containsExactly(new HubFakes.FakeLink.Closed(DisconnectReason.ADMIN, true));
        assertThat(registry.contains(s)).isFalse();
        assertThat(s.rooms()).isEmpty();
        assertThat(registry.rooms()).containsExactlyInAnyOrder(TENANT, MANAGERS);
        assertThat(registry.inRoom(TENANT)).containsExactly(manager);
        assertThat(membership.left).containsExactly(s);
        assertThat(managerLink.eventNames()).as("what it was typing ends")
                .containsExactly(Events.SALESMAN_ONLINE, Events.TYPING, Events.STOP_TYPING);
        assertThat(presence.online("s1")).as("online through the grace period")
                .hasValueSatisfying(o -> assertThat(o.connections()).isZero());
        assertThat(pendingSeconds()).as("its expiry and typing timers are gone, the grace is pending")
                .containsExactlyInAnyOrder(10800L, 30L);

        s.close(DisconnectReason.ADMIN);
        s.closed(DisconnectReason.TRANSPORT_CLOSE);
        assertThat(membership.left).containsExactly(s);
        assertThat(pendingSeconds()).containsExactlyInAnyOrder(10800L, 30L);
        assertThat(s.closeReason()).isEqualTo(DisconnectReason.ADMIN);

        timerDueIn(GRACE).run();
        assertThat(presence.online("s1")).isEmpty();
        assertThat(managerLink.payloadsOf(Events.SALESMAN_OFFLINE))
                .containsExactly("{\"tenantId\":\"t1\",\"salesmanId\":\"s1\",\"at\":" + NOW.toEpochMilli() + "}");
        assertThat(managerLink.eventNames()).containsExactly(Events.SALESMAN_ONLINE, Events.TYPING,
                Events.STOP_TYPING, Events.SALESMAN_OFFLINE);
    }

    @Test
    void aSocketClosedByItsClientIsForgottenWithoutBeingTold() {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection s = sessions.open(link);
        sessions.admit(s, salesman("s1", Duration.ofHours(1)));

        s.closed(DisconnectReason.CLIENT_DISCONNECT);

        assertThat(link.closes).containsExactly(new HubFakes.FakeLink.Closed(DisconnectReason.CLIENT_DISCONNECT, false));
        assertThat(registry.contains(s)).isFalse();
        assertThat(registry.rooms()).isEmpty();
        assertThat(membership.left).containsExactly(s);
        assertThat(pendingSeconds()).containsExactly(30L);
    }

    @Test
    void aSocketThatLeavesBeforeAuthenticatingIsForgottenWithoutPresenceOrMembership() {
        Connection c = sessions.open(new HubFakes.FakeLink());
        assertThat(registry.size()).isEqualTo(1);

        c.closed(DisconnectReason.TRANSPORT_CLOSE);

        assertThat(registry.size()).isZero();
        assertThat(membership.left).isEmpty();
        assertThat(pendingSeconds()).as("its auth timeout is cancelled, no grace begins").isEmpty();
    }

    @Test
    void aSocketThatLeftIsNotAdmittedAfterwards() {
        Connection manager = admittedManager();
        Connection s = sessions.open(new HubFakes.FakeLink());
        s.closed(DisconnectReason.TRANSPORT_CLOSE);

        assertThat(sessions.admit(s, salesman("s1", Duration.ofHours(1)))).isFalse();

        assertThat(s.rooms()).isEmpty();
        assertThat(registry.inRoom(TENANT)).containsExactly(manager);
        assertThat(membership.admitted).containsExactly(manager);
        assertThat(presence.online("s1")).isEmpty();
        assertThat(managerLink(manager).eventNames()).doesNotContain(Events.SALESMAN_ONLINE);
    }

    private Connection admittedManager() {
        Connection manager = sessions.open(new HubFakes.FakeLink());
        sessions.admit(manager, new Identity("m1", "t1", Role.MANAGER, null, NOW.plus(Duration.ofHours(3))));
        assertThat(manager.rooms()).containsExactlyInAnyOrder(TENANT, MANAGERS);
        return manager;
    }

    private static HubFakes.FakeLink managerLink(Connection manager) {
        return (HubFakes.FakeLink) manager.link();
    }

    private static Identity salesman(String salesmanId, Duration validFor) {
        return new Identity("u-" + salesmanId, "t1", Role.SALESMAN, salesmanId, NOW.plus(validFor));
    }

    /** The pending timers' delays, in whole seconds (rounded up: up to a second may pass while the test runs). */
    private List<Long> pendingSeconds() {
        return timers.getQueue().stream().map(t -> seconds((RunnableScheduledFuture<?>) t)).toList();
    }

    private static long seconds(RunnableScheduledFuture<?> timer) {
        return (long) Math.ceil(timer.getDelay(TimeUnit.MILLISECONDS) / 1000.0);
    }

    /** The one pending timer due in about {@code delay}, to be run by hand. */
    private RunnableScheduledFuture<?> timerDueIn(Duration delay) {
        List<RunnableScheduledFuture<?>> due = timers.getQueue().stream()
                .<RunnableScheduledFuture<?>>map(t -> (RunnableScheduledFuture<?>) t)
                .filter(t -> seconds(t) == delay.toSeconds())
                .toList();
        assertThat(due).as("timers due in " + delay).hasSize(1);
        return due.get(0);
    }

    /** Records what the cluster would be told. */
    private static final class RecordingMembership implements Membership {
        final List<Connection> admitted = new CopyOnWriteArrayList<>();
        final List<Connection> left = new CopyOnWriteArrayList<>();

        @Override
        public void admitted(Connection connection) {
            admitted.add(connection);
        }

        @Override
        public void joined(Connection connection, String room) {
        }

        @Override
        public void left(Connection connection) {
            left.add(connection);
        }
    }
}
