package com.salesmate.realtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Identity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link InboundEvents}, the gate of every client event, with handlers registered as {@link RealtimeHub} registers
 * them: what the client gets back (its ack, or an {@code error} event) and whether the event's handler ran.
 */
class InboundEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Identity SALESMAN = HubFakes.salesman("t1", "s1");
    private static final String RATE_LIMITED =
            "{\"success\":false,\"error\":{\"code\":\"rate_limited\",\"message\":\"too many events; slow down\"}}";

    /** The events of each bucket used here, as RealtimeHub draws them. */
    private static final Map<Connection.Limit, String> EVENT_OF = Map.of(
            Connection.Limit.LOCATION, Events.LOCATION_UPDATE,
            Connection.Limit.CONTROL, Events.AUTHENTICATE,
            Connection.Limit.JOIN, Events.JOIN_TENANT);

    /** A handler's answer. */
    record Done(boolean success, String handled) {
    }

    private final HubFakes.RecordingPublisher publisher = new HubFakes.RecordingPublisher();
    private final QueueExecutor executor = new QueueExecutor(1);
    /** Each handler run, as {@code event payload}. */
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private RuntimeException failure;

    private final InboundEvents inbound = new InboundEvents(publisher, HubFakes.metrics(),
            new BlockingWork(executor, HubFakes.metrics()), new WireJson())
            .on(Events.AUTHENTICATE, Connection.Limit.CONTROL, (c, payload, ack) -> {
                if (c.identity() == null) {
                    c.identity(SALESMAN);
                }
                answer(Events.AUTHENTICATE, payload, ack);
            })
            .on(Events.JOIN_TENANT, Connection.Limit.JOIN, (c, payload, ack) -> answer(Events.JOIN_TENANT, payload, ack))
            .on(Events.TYPING, Connection.Limit.LOCATION, (c, payload, ack) -> answer(Events.TYPING, payload, ack))
            .on(Events.LOCATION_UPDATE, Connection.Limit.LOCATION, (c, payload, ack) -> {
                if (failure != null) {
                    throw failure;
                }
                answer(Events.LOCATION_UPDATE, payload, ack);
            })
            .onBlocking(Events.NOTIFICATION_ACK, Connection.Limit.CONTROL,
                    (c, payload, ack) -> answer(Events.NOTIFICATION_ACK, payload, ack));

    private void answer(String event, JsonNode payload, Ack ack) {
        handled.add(event + " " + payload);
        Replies.ack(ack, new Done(true, event));
    }

    @Test
    void eachEventRunsTheHandlerRegisteredUnderItsNameWithItsPayload() throws Exception {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = authenticated(link);
        inbound.handle(c, Events.LOCATION_UPDATE, json("{\"lat\":1.5}"), 1L);
        inbound.handle(c, Events.JOIN_TENANT, json("{\"tenantId\":\"t1\"}"), 2L);
        inbound.handle(c, Events.TYPING, null, 3L);

        assertThat(handled).containsExactly(
                "location:update {\"lat\":1.5}", "join:tenant {\"tenantId\":\"t1\"}", "typing null");
        assertThat(link.acks).containsExactly(
                new HubFakes.FakeLink.Acked(1, "{\"success\":true,\"handled\":\"location:update\"}"),
                new HubFakes.FakeLink.Acked(2, "{\"success\":true,\"handled\":\"join:tenant\"}"),
                new HubFakes.FakeLink.Acked(3, "{\"success\":true,\"handled\":\"typing\"}"));
    }

    @Test
    void withAnAckIdTheClientGetsTheAnswerWithoutOneNothing() throws Exception {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = authenticated(link);
        inbound.handle(c, Events.LOCATION_UPDATE, json("{}"), null);
        assertThat(handled).hasSize(1);
        assertThat(link.acks).isEmpty();
        assertThat(publisher.emits).isEmpty();

        inbound.handle(c, Events.LOCATION_UPDATE, json("{}"), 0L);
        assertThat(handled).hasSize(2);
        assertThat(link.acks).containsExactly(
                new HubFakes.FakeLink.Acked(0, "{\"success\":true,\"handled\":\"location:update\"}"));
    }

    @Test
    void anAckIsAnsweredOnceEvenWhenTheHandlerAnswersTwice() {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = authenticated(link);
        InboundEvents twice = new InboundEvents(publisher, HubFakes.metrics(),
                new BlockingWork(executor, HubFakes.metrics()), new WireJson())
                .on(Events.TYPING, Connection.Limit.LOCATION, (conn, payload, ack) -> {
                    Replies.ack(ack, new Done(true, "first"));
                    Replies.ack(ack, new Done(true, "second"));
                });
        twice.handle(c, Events.TYPING, null, 9L);
        assertThat(link.acks).containsExactly(new HubFakes.FakeLink.Acked(9, "{\"success\":true,\"handled\":\"first\"}"));
    }

    @Test
    void aRefusalIsTheAckWhenTheClientAskedForOneElseAnErrorEvent() throws Exception {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = authenticated(link);
        failure = new ApiException(ErrorCode.INVALID_PAYLOAD, "lat must be between -90 and 90", "lat");

        inbound.handle(c, Events.LOCATION_UPDATE, json("{\"lat\":91}"), 4L);
        assertThat(link.acks).containsExactly(new HubFakes.FakeLink.Acked(4, "{\"success\":false,\"error\":"
                + "{\"code\":\"invalid_payload\",\"message\":\"lat must be between -90 and 90\",\"field\":\"lat\"}}"));
        assertThat(publisher.toSocket(c)).isEmpty();

        inbound.handle(c, Events.LOCATION_UPDATE, json("{\"lat\":91}"), null);
        assertThat(link.acks).hasSize(1);
        assertThat(publisher.toSocket(c)).containsExactly("error {\"event\":\"location:update\","
                + "\"code\":\"invalid_payload\",\"message\":\"lat must be between -90 and 90\",\"field\":\"lat\"}");
    }

    @Test
    void aHandlerThatFailsUnexpectedlyAnswersUnavailableWithoutItsMessage() throws Exception {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = authenticated(link);
        failure = new IllegalStateException("connection pool exhausted at db-7");

        inbound.handle(c, Events.LOCATION_UPDATE, json("{}"), 5L);
        inbound.handle(c, Events.LOCATION_UPDATE, json("{}"), null);

        assertThat(link.acks).containsExactly(new HubFakes.FakeLink.Acked(5, "{\"success\":false,\"error\":"
                + "{\"code\":\"unavailable\",\"message\":\"the server could not handle this event\"}}"));
        assertThat(publisher.toSocket(c)).containsExactly("error {\"event\":\"location:update\","
                + "\"code\":\"unavailable\",\"message\":\"the server could not handle this event\"}");
    }

    @ParameterizedTest
    @EnumSource(Connection.Limit.class)
    void anEventOverItsBucketIsRefusedAndNotHandledWhileTheOtherBucketsStillServe(Connection.Limit limit)
            throws Exception {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = authenticated(link, 2); // two tokens per bucket, next one in 1000 s
        String event = EVENT_OF.get(limit);

        inbound.handle(c, event, json("{}"), 1L);
        inbound.handle(c, event, json("{}"), 2L);
        assertThat(handled).hasSize(2);
        assertThat(link.acks).extracting(HubFakes.FakeLink.Acked::json)
                .containsOnly("{\"success\":true,\"handled\":\"" + event + "\"}");

        inbound.handle(c, event, json("{}"), 3L);
        inbound.handle(c, event, json("{}"), null);
        assertThat(handled).as("a refused event's handler does not run").hasSize(2);
        assertThat(link.acks).last().isEqualTo(new HubFakes.FakeLink.Acked(3, RATE_LIMITED));
        assertThat(publisher.toSocket(c)).containsExactly(
                "error {\"event\":\"" + event + "\",\"code\":\"rate_limited\",\"message\":\"too many events; slow down\"}");

        for (Connection.Limit other : Connection.Limit.values()) {
            if (other != limit) {
                inbound.handle(c, EVENT_OF.get(other), json("{}"), 10L + other.ordinal());
                assertThat(link.acks).last().isEqualTo(new HubFakes.FakeLink.Acked(10L + other.ordinal(),
                        "{\"success\":true,\"handled\":\"" + EVENT_OF.get(other) + "\"}"));
            }
        }
        assertThat(handled).hasSize(4);
    }

    @Test
    void eventsOfOneBucketShareIt() throws Exception {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = authenticated(link, 2);
        inbound.handle(c, Events.TYPING, json("{}"), 1L);
        inbound.handle(c, Events.TYPING, json("{}"), 2L);
        inbound.handle(c, Events.LOCATION_UPDATE, json("{}"), 3L); // typing and locations draw from LOCATION
        assertThat(handled).containsExactly("typing {}", "typing {}");
        assertThat(link.acks).last().isEqualTo(new HubFakes.FakeLink.Acked(3, RATE_LIMITED));
    }

    @Test
    void anUnknownEventIsIgnoredAndCostsNoToken() throws Exception {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = authenticated(link, 2);
        for (long ack = 1; ack <= 5; ack++) {
            inbound.handle(c, "no-such-event", json("{}"), ack);
        }
        assertThat(handled).isEmpty();
        assertThat(link.acks).isEmpty();
        assertThat(publisher.emits).isEmpty();

        inbound.handle(c, Events.LOCATION_UPDATE, json("{}"), 6L);
        inbound.handle(c, Events.LOCATION_UPDATE, json("{}"), 7L);
        assertThat(link.acks).extracting(HubFakes.FakeLink.Acked::json)
                .containsExactly("{\"success\":true,\"handled\":\"location:update\"}",
                        "{\"success\":true,\"handled\":\"location:update\"}");
    }

    @Test
    void beforeAuthenticationOnlyAuthenticateIsHandledTheRestAnswersUnauthenticated() throws Exception {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = HubFakes.connection(link);

        inbound.handle(c, Events.LOCATION_UPDATE, json("{}"), 1L);
        inbound.handle(c, Events.JOIN_TENANT, json("{\"tenantId\":\"t1\"}"), null);
        assertThat(handled).isEmpty();
        assertThat(link.acks).containsExactly(new HubFakes.FakeLink.Acked(1, "{\"success\":false,\"error\":"
                + "{\"code\":\"unauthenticated\",\"message\":\"authenticate first\"}}"));
        assertThat(publisher.toSocket(c)).containsExactly(
                "error {\"event\":\"join:tenant\",\"code\":\"unauthenticated\",\"message\":\"authenticate first\"}");

        inbound.handle(c, Events.AUTHENTICATE, json("{\"token\":\"t\"}"), 2L);
        assertThat(c.identity()).isEqualTo(SALESMAN);
        inbound.handle(c, Events.LOCATION_UPDATE, json("{}"), 3L);
        assertThat(handled).containsExactly("authenticate {\"token\":\"t\"}", "location:update {}");
        assertThat(link.acks).extracting(HubFakes.FakeLink.Acked::json).containsSubsequence(
                "{\"success\":true,\"handled\":\"authenticate\"}", "{\"success\":true,\"handled\":\"location:update\"}");
    }

    @Test
    void aBlockingEventBeforeAuthenticationIsAnsweredUnauthenticatedFromTheExecutor() throws Exception {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = HubFakes.connection(link);
        inbound.handle(c, Events.NOTIFICATION_ACK, json("{\"notificationId\":\"n1\"}"), 1L);
        assertThat(link.acks).isEmpty();
        executor.runAll();
        assertThat(handled).isEmpty();
        assertThat(link.acks).containsExactly(new HubFakes.FakeLink.Acked(1, "{\"success\":false,\"error\":"
                + "{\"code\":\"unauthenticated\",\"message\":\"authenticate first\"}}"));
    }

    @Test
    void aClosedSessionsEventsAreNotHandledNorAnswered() throws Exception {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = authenticated(link);
        inbound.handle(c, Events.LOCATION_UPDATE, json("{}"), 1L);
        assertThat(handled).hasSize(1);
        assertThat(link.acks).hasSize(1);

        c.closed(DisconnectReason.CLIENT_DISCONNECT);
        inbound.handle(c, Events.LOCATION_UPDATE, json("{}"), 2L);
        inbound.handle(c, Events.LOCATION_UPDATE, json("{}"), null);
        assertThat(handled).hasSize(1);
        assertThat(link.acks).hasSize(1);
        assertThat(publisher.emits).isEmpty();
    }

    @Test
    void aBlockingEventRunsOnTheExecutorAndIsAnsweredFromThere() throws Exception {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = authenticated(link);
        inbound.handle(c, Events.NOTIFICATION_ACK, json("{\"notificationId\":\"n1\"}"), 4L);
        assertThat(handled).as("not on the caller's thread").isEmpty();
        assertThat(link.acks).isEmpty();

        executor.runAll();
        assertThat(handled).containsExactly("notification:ack {\"notificationId\":\"n1\"}");
        assertThat(link.acks).containsExactly(
                new HubFakes.FakeLink.Acked(4, "{\"success\":true,\"handled\":\"notification:ack\"}"));
    }

    @Test
    void aBlockingEventThatFindsTheQueueFullIsAnsweredUnavailableAndNeverHandled() throws Exception {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = authenticated(link);
        inbound.handle(c, Events.NOTIFICATION_ACK, json("{\"notificationId\":\"n1\"}"), 1L); // fills the queue
        inbound.handle(c, Events.NOTIFICATION_ACK, json("{\"notificationId\":\"n2\"}"), 2L);
        inbound.handle(c, Events.NOTIFICATION_ACK, json("{\"notificationId\":\"n3\"}"), null);

        assertThat(link.acks).containsExactly(new HubFakes.FakeLink.Acked(2, "{\"success\":false,\"error\":"
                + "{\"code\":\"unavailable\",\"message\":\"the server is busy; retry shortly\"}}"));
        assertThat(publisher.toSocket(c)).containsExactly("error {\"event\":\"notification:ack\","
                + "\"code\":\"unavailable\",\"message\":\"the server is busy; retry shortly\"}");

        executor.runAll();
        assertThat(handled).containsExactly("notification:ack {\"notificationId\":\"n1\"}");
        assertThat(link.acks).last().isEqualTo(
                new HubFakes.FakeLink.Acked(1, "{\"success\":true,\"handled\":\"notification:ack\"}"));
    }

    @Test
    void aBlockingEventWhoseSessionEndedWhileItWaitedIsDropped() throws Exception {
        HubFakes.FakeLink link = new HubFakes.FakeLink();
        Connection c = authenticated(link);
        inbound.handle(c, Events.NOTIFICATION_ACK, json("{\"notificationId\":\"n1\"}"), 1L);
        c.closed(DisconnectReason.TRANSPORT_CLOSE);
        executor.runAll();
        assertThat(handled).isEmpty();
        assertThat(link.acks).isEmpty();
        assertThat(publisher.emits).isEmpty();
    }

    private static Connection authenticated(HubFakes.FakeLink link) {
        Connection c = HubFakes.connection(link);
        c.identity(SALESMAN);
        return c;
    }

    /** Authenticated, with {@code burst} tokens in each bucket and about none refilled during a test. */
    private static Connection authenticated(HubFakes.FakeLink link, int burst) {
        long now = System.nanoTime();
        Connection c = HubFakes.connection(link, new Connection.Buckets(new RateLimiter(0.001, burst, now),
                new RateLimiter(0.001, burst, now), new RateLimiter(0.001, burst, now)));
        c.identity(SALESMAN);
        return c;
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    /** A bounded work queue the test drains by hand; refuses as a full ThreadPoolExecutor does. */
    private static final class QueueExecutor implements Executor {
        private final int capacity;
        private final Deque<Runnable> queue = new ArrayDeque<>();

        QueueExecutor(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public void execute(Runnable work) {
            if (queue.size() >= capacity) {
                throw new RejectedExecutionException("queue full");
            }
            queue.add(work);
        }

        void runAll() {
            for (Runnable work; (work = queue.poll()) != null; ) {
                work.run();
            }
        }
    }
}
