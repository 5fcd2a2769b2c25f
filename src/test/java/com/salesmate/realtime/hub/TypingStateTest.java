package com.salesmate.realtime.hub;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.metrics.TenantCounters;
import io.dropwizard.jersey.validation.Validators;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TypingHandler} keeps each socket's typing timers itself: one per target, gone on stop or when it leaves. */
class TypingStateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    private final List<String> relayed = new CopyOnWriteArrayList<>();
    private final TypingHandler typing = new TypingHandler(
            new Payloads(Validators.newValidator(),
                    new SocketMetrics(new MetricRegistry(), new TenantCounters(), Events.INBOUND)),
            new Recorder(), timers, Duration.ofHours(1));

    TypingStateTest() {
        timers.setRemoveOnCancelPolicy(true); // a cancelled timer leaves the queue: the queue shows what is pending
    }

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void aRefreshReplacesTheTargetsTimerAndStopTypingCancelsIt() throws Exception {
        Connection salesman = salesman();
        typing.onTyping(salesman, to("managers", "c1"), Ack.NONE);
        typing.onTyping(salesman, to("managers", "c1"), Ack.NONE);
        typing.onTyping(salesman, to("managers", "c2"), Ack.NONE);
        assertThat(timers.getQueue()).hasSize(2);
        typing.onStopTyping(salesman, to("managers", "c1"), Ack.NONE);
        assertThat(timers.getQueue()).hasSize(1);
        assertThat(relayed).containsExactly("typing", "typing", "typing", "stop-typing");
    }

    @Test
    void aSocketThatLeavesEndsWhatItWasTypingWithStopTypingAndItsTimersAreCancelled() throws Exception {
        Connection one = salesman();
        Connection other = salesman();
        typing.onTyping(one, to("managers", "c1"), Ack.NONE);
        typing.onTyping(one, to("managers", null), Ack.NONE);
        typing.onTyping(other, to("managers", "c1"), Ack.NONE);
        relayed.clear();
        typing.forget(one);
        assertThat(timers.getQueue()).hasSize(1);
        assertThat(relayed).containsExactly("stop-typing", "stop-typing"); // one per target it was typing to
        typing.forget(one); // twice is harmless: nothing more
        assertThat(relayed).hasSize(2);
        typing.onStopTyping(other, to("managers", "c1"), Ack.NONE);
        assertThat(timers.getQueue()).isEmpty();
    }

    private static JsonNode to(String to, String conversationId) throws Exception {
        return JSON.readTree(JSON.writeValueAsString(conversationId == null
                ? java.util.Map.of("to", to) : java.util.Map.of("to", to, "conversationId", conversationId)));
    }

    private static Connection salesman() {
        long now = System.nanoTime();
        Connection c = new Connection(new NoLink(), 0, new Connection.Buckets(new RateLimiter(10, now),
                new RateLimiter(10, now), new RateLimiter(10, now)), x -> { });
        c.identity(new Identity("u1", "t1", Role.SALESMAN, "s1", Instant.now().plusSeconds(3600)));
        return c;
    }

    /** Records which events the handler relays. */
    private final class Recorder implements Publisher {
        @Override
        public Delivery toRoom(String tenantId, String room, String event, Object payload) {
            relayed.add(event);
            return Delivery.local(0);
        }

        @Override
        public Delivery toRoomExceptUser(String tenantId, String room, String event, Object payload, String except) {
            return toRoom(tenantId, room, event, payload);
        }

        @Override
        public Delivery toEveryone(String event, Object payload) {
            return Delivery.local(0);
        }

        @Override
        public int toSocket(Connection connection, String event, Object payload) {
            return 0;
        }
    }

    /** A transport that goes nowhere. */
    private static final class NoLink implements Link {
        @Override
        public String transport() {
            return "websocket";
        }

        @Override
        public boolean send(OutboundEvent event) {
            return true;
        }

        @Override
        public void ack(long ackId, String json) {
        }

        @Override
        public void close(DisconnectReason reason, boolean notify) {
        }
    }
}
