package com.salesmate.realtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jersey.validation.Validators;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TypingHandler} keeps each socket's typing timers itself: one per target, gone on stop or when it leaves. */
class TypingStateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    private final HubFakes.RecordingPublisher relayed = new HubFakes.RecordingPublisher();
    private final TypingHandler typing = new TypingHandler(
            new Payloads(Validators.newValidator(), HubFakes.metrics()), relayed, timers, Duration.ofHours(1));

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
        assertThat(relayed.roomEvents()).containsExactly("typing", "typing", "typing", "stop-typing");
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
        // one per target it was typing to, except c1: the same user still types there on another device
        assertThat(relayed.roomEvents()).containsExactly("stop-typing");
        typing.forget(one); // twice is harmless: nothing more
        assertThat(relayed.roomEvents()).hasSize(1);
        typing.forget(other); // the last device typing to c1 leaves: now it ends
        assertThat(relayed.roomEvents()).containsExactly("stop-typing", "stop-typing");
        assertThat(timers.getQueue()).isEmpty();
    }

    private static JsonNode to(String to, String conversationId) throws Exception {
        return JSON.readTree(JSON.writeValueAsString(conversationId == null
                ? java.util.Map.of("to", to) : java.util.Map.of("to", to, "conversationId", conversationId)));
    }

    private static Connection salesman() {
        return HubFakes.authenticated(HubFakes.salesman("t1", "s1"));
    }
}
