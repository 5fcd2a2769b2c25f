package com.salesmate.realtime.hub;

import com.salesmate.realtime.core.ApiException;

import java.util.LinkedHashMap;
import java.util.Map;

/** The ack and error conventions: acks are {success:true,...} or {success:false,error}; without a callback an error is emitted as {@code error}. */
final class Replies {
    private Replies() {
    }

    static Map<String, Object> success() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        return body;
    }

    static void ack(Ack ack, Map<String, Object> body) {
        if (ack.requested()) {
            ack.send(body);
        }
    }

    static Map<String, Object> errorBody(ApiException e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", e.code().code());
        error.put("message", e.getMessage());
        if (e.field() != null) {
            error.put("field", e.field());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", false);
        body.put("error", error);
        return body;
    }

    /** Answers a failed event: in the ack when the client asked for one, else as an {@code error} event. */
    static void fail(Publisher publisher, Connection connection, Ack ack, String event, ApiException e) {
        if (ack.requested()) {
            ack.send(errorBody(e));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event);
        body.put("code", e.code().code());
        body.put("message", e.getMessage());
        if (e.field() != null) {
            body.put("field", e.field());
        }
        publisher.toSocket(connection, Events.ERROR, body);
    }
}
