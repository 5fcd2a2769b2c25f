package com.salesmate.realtime.hub;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.salesmate.realtime.api.Authenticated;
import com.salesmate.realtime.api.ConnectError;
import com.salesmate.realtime.api.ErrorEvent;
import com.salesmate.realtime.api.JoinReply;
import com.salesmate.realtime.api.LocationBatchReply;
import com.salesmate.realtime.api.LocationReply;
import com.salesmate.realtime.api.LocationUpdated;
import com.salesmate.realtime.api.NotificationAckReply;
import com.salesmate.realtime.api.NotificationEvent;
import com.salesmate.realtime.api.TypingEvent;
import com.salesmate.realtime.api.TypingReply;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each record the hub sends or answers, written by {@link WireJson}, is the exact text the {@code Map} it replaced
 * produced: the same field names, in the same order, with nulls written or left out as before. The expected strings
 * are written by hand from the maps' {@code put} calls.
 */
class OutboundPayloadsTest {
    private final WireJson json = new WireJson();

    @Test
    void anErrorAckIsRestsErrorShapeWithFieldOnlyWhenThereIsOne() {
        assertThat(json.write(Replies.errorBody(new ApiException(ErrorCode.FORBIDDEN, "no"))))
                .isEqualTo("{\"success\":false,\"error\":{\"code\":\"forbidden\",\"message\":\"no\"}}");
        assertThat(json.write(Replies.errorBody(ApiException.invalid("latitude", "latitude must be less than 90"))))
                .isEqualTo("{\"success\":false,\"error\":{\"code\":\"invalid_payload\","
                        + "\"message\":\"latitude must be less than 90\",\"field\":\"latitude\"}}");
    }

    @Test
    void anErrorEventNamesTheEventAndItsFieldOnlyWhenThereIsOne() {
        assertThat(json.write(new ErrorEvent("typing", "rate_limited", "too many events; slow down", null)))
                .isEqualTo("{\"event\":\"typing\",\"code\":\"rate_limited\",\"message\":\"too many events; slow down\"}");
        assertThat(json.write(new ErrorEvent("location:update", "invalid_payload", "bad", "timestamp")))
                .isEqualTo("{\"event\":\"location:update\",\"code\":\"invalid_payload\",\"message\":\"bad\","
                        + "\"field\":\"timestamp\"}");
    }

    @Test
    void authenticatedWritesAManagersNullSalesmanId() {
        assertThat(json.write(new Authenticated("c1", "t1", "s1", "u1", "salesman", List.of("a", "b"))))
                .isEqualTo("{\"success\":true,\"sessionId\":\"c1\",\"tenantId\":\"t1\",\"salesmanId\":\"s1\","
                        + "\"userId\":\"u1\",\"role\":\"salesman\",\"rooms\":[\"a\",\"b\"]}");
        assertThat(json.write(new Authenticated("c2", "t1", null, "boss", "manager", List.of())))
                .isEqualTo("{\"success\":true,\"sessionId\":\"c2\",\"tenantId\":\"t1\",\"salesmanId\":null,"
                        + "\"userId\":\"boss\",\"role\":\"manager\",\"rooms\":[]}");
    }

    @Test
    void connectErrorCarriesTheCodeAsMessageAndBothInData() {
        assertThat(json.write(ConnectError.of("invalid_token", "token is malformed")))
                .isEqualTo("{\"message\":\"invalid_token\",\"data\":{\"code\":\"invalid_token\","
                        + "\"message\":\"token is malformed\"}}");
    }

    @Test
    void typingWritesNullsAndTheAckCountsDeliveries() {
        assertThat(json.write(new TypingEvent(new TypingEvent.From("boss", null, "manager"), "salesman:s1", null)))
                .isEqualTo("{\"from\":{\"userId\":\"boss\",\"salesmanId\":null,\"role\":\"manager\"},"
                        + "\"to\":\"salesman:s1\",\"conversationId\":null}");
        assertThat(json.write(new TypingEvent(new TypingEvent.From("u1", "s1", "salesman"), "managers", "chat-9")))
                .isEqualTo("{\"from\":{\"userId\":\"u1\",\"salesmanId\":\"s1\",\"role\":\"salesman\"},"
                        + "\"to\":\"managers\",\"conversationId\":\"chat-9\"}");
        assertThat(json.write(new TypingReply(3))).isEqualTo("{\"success\":true,\"delivered\":3}");
    }

    @Test
    void joinAndNotificationAcks() {
        assertThat(json.write(new JoinReply("tenant:t1"))).isEqualTo("{\"success\":true,\"room\":\"tenant:t1\"}");
        assertThat(json.write(new NotificationAckReply("n-1"))).isEqualTo("{\"success\":true,\"id\":\"n-1\"}");
    }

    @Test
    void locationAcksAndTheirRejections() {
        assertThat(json.write(new LocationReply("1234567890123", 1733000000123L, false)))
                .isEqualTo("{\"success\":true,\"id\":\"1234567890123\",\"receivedAt\":1733000000123,"
                        + "\"duplicate\":false}");
        assertThat(json.write(new LocationBatchReply(2, 1, List.of(
                new LocationBatchReply.Rejection(0, "invalid_payload"), new LocationBatchReply.Rejection(3, "forbidden")))))
                .isEqualTo("{\"success\":true,\"accepted\":2,\"duplicates\":1,\"rejected\":["
                        + "{\"index\":0,\"code\":\"invalid_payload\"},{\"index\":3,\"code\":\"forbidden\"}]}");
        assertThat(json.write(new LocationBatchReply(0, 0, List.of())))
                .isEqualTo("{\"success\":true,\"accepted\":0,\"duplicates\":0,\"rejected\":[]}");
    }

    @Test
    void locationUpdatedWritesAbsentOptionalsAsNull() {
        assertThat(json.write(new LocationUpdated("t1", "s1", 12.0, 77.5946, null, 3.5, null, 1733000000000L,
                1733000000123L)))
                .isEqualTo("{\"tenantId\":\"t1\",\"salesmanId\":\"s1\",\"latitude\":12.0,\"longitude\":77.5946,"
                        + "\"accuracy\":null,\"speed\":3.5,\"heading\":null,\"timestamp\":1733000000000,"
                        + "\"receivedAt\":1733000000123}");
    }

    @Test
    void presenceEvent() {
        assertThat(json.write(Presence.event("t1", "s1", 1733000000000L)))
                .isEqualTo("{\"tenantId\":\"t1\",\"salesmanId\":\"s1\",\"at\":1733000000000}");
    }

    @Test
    void aNotificationLeavesOutAbsentTitleTypeAndDataButWritesAJsonNull() {
        var data = JsonNodeFactory.instance.objectNode().put("orderId", "o-1");
        assertThat(json.write(new NotificationEvent("n-1", "Hi", "hello", "order", data, 1733000000000L)))
                .isEqualTo("{\"id\":\"n-1\",\"title\":\"Hi\",\"message\":\"hello\",\"type\":\"order\","
                        + "\"data\":{\"orderId\":\"o-1\"},\"createdAt\":1733000000000}");
        assertThat(json.write(new NotificationEvent("n-2", null, "hello", null, null, 1L)))
                .isEqualTo("{\"id\":\"n-2\",\"message\":\"hello\",\"createdAt\":1}");
        assertThat(json.write(new NotificationEvent("n-3", null, null, null, NullNode.getInstance(), 1L)))
                .isEqualTo("{\"id\":\"n-3\",\"message\":null,\"data\":null,\"createdAt\":1}");
        assertThat(json.write(new NotificationEvent("n-4", null, "m", null, TextNode.valueOf("not json"), 1L)))
                .isEqualTo("{\"id\":\"n-4\",\"message\":\"m\",\"data\":\"not json\",\"createdAt\":1}");
    }
}
