package com.salesmate.realtime.hub;

import com.salesmate.realtime.api.ErrorEvent;
import com.salesmate.realtime.api.ErrorResponse;
import com.salesmate.realtime.core.ApiException;

/** The ack and error conventions: acks are {success:true,...} or {success:false,error}; without a callback an error is emitted as {@code error}. */
final class Replies {
    private Replies() {
    }

    static void ack(Ack ack, Object body) {
        if (ack.requested()) {
            ack.send(body);
        }
    }

    /** The refusal as an ack, REST's error shape: {@code {success:false, error:{code, message, field?}}}. */
    static ErrorResponse errorBody(ApiException e) {
        return ErrorResponse.of(e.code().code(), e.getMessage(), e.field());
    }

    /** Answers a failed event: in the ack when the client asked for one, else as an {@code error} event. */
    static void fail(Publisher publisher, Connection connection, Ack ack, String event, ApiException e) {
        if (ack.requested()) {
            ack.send(errorBody(e));
            return;
        }
        publisher.toSocket(connection, Events.ERROR,
                new ErrorEvent(event, e.code().code(), e.getMessage(), e.field()));
    }
}
