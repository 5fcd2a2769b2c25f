package com.salesmate.realtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.metrics.SocketMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The common gate of every client event: counts it, drops it when the session has ended, requires authentication,
 * applies the per-connection rate limit (the event's bucket: location and typing events share one; authenticate and
 * acks have theirs, joins theirs), runs the event's handler (database work on the
 * bounded blocking executor) and maps refusals to the ack or an {@code error} event.
 */
final class InboundEvents {
    private static final Logger LOG = LoggerFactory.getLogger(InboundEvents.class);

    private record Route(EventHandler handler, boolean blocking, Connection.Limit limit) {
    }

    private final Map<String, Route> routes = new HashMap<>();
    private final Publisher publisher;
    private final SocketMetrics metrics;
    private final BlockingWork blocking;
    private final WireJson json;

    InboundEvents(Publisher publisher, SocketMetrics metrics, BlockingWork blocking, WireJson json) {
        this.publisher = publisher;
        this.metrics = metrics;
        this.blocking = blocking;
        this.json = json;
    }

    /** Routes {@code event}, drawing from the bucket {@code limit}, to a handler on the calling (event-loop) thread. */
    InboundEvents on(String event, Connection.Limit limit, EventHandler handler) {
        routes.put(event, new Route(handler, false, limit));
        return this;
    }

    /**
     * Routes {@code event}, drawing from the bucket {@code limit}, to a handler that blocks (database): it runs on the
     * bounded executor.
     */
    InboundEvents onBlocking(String event, Connection.Limit limit, EventHandler handler) {
        routes.put(event, new Route(handler, true, limit));
        return this;
    }

    void handle(Connection connection, String event, JsonNode payload, Long ackId) {
        if (!connection.isOpen()) {
            return;
        }
        Identity identity = connection.identity();
        metrics.received(event, identity == null ? null : identity.tenantId());
        Ack ack = ackId == null ? Ack.NONE : new OnceAck(connection, ackId);
        Route route = routes.get(event);
        if (route == null) {
            return; // an event this service does not know: ignored, as Socket.IO servers do
        }
        if (!connection.tryAcquire(route.limit())) {
            metrics.rateLimited();
            Replies.fail(publisher, connection, ack, event,
                    new ApiException(ErrorCode.RATE_LIMITED, "too many events; slow down"));
            return;
        }
        if (!route.blocking()) {
            dispatch(event, connection, payload, ack, route.handler());
        } else if (!blocking.offer(() -> dispatch(event, connection, payload, ack, route.handler()))) {
            Replies.fail(publisher, connection, ack, event,
                    new ApiException(ErrorCode.UNAVAILABLE, "the server is busy; retry shortly"));
        }
    }

    private void dispatch(String event, Connection connection, JsonNode payload, Ack ack, EventHandler handler) {
        if (!connection.isOpen()) {
            return; // the session ended while this waited: nothing after the decision is handled
        }
        Identity identity = connection.identity();
        MDC.put("connection", connection.id());
        if (identity != null) {
            MDC.put("tenant", identity.tenantId());
        }
        try {
            if (identity == null && !Events.AUTHENTICATE.equals(event)) {
                throw new ApiException(ErrorCode.UNAUTHENTICATED, "authenticate first");
            }
            handler.handle(connection, payload, ack);
        } catch (ApiException e) {
            Replies.fail(publisher, connection, ack, event, e);
        } catch (RuntimeException e) {
            metrics.handlerError();
            LOG.error("handler of {} failed on connection {}", event, connection.id(), e);
            Replies.fail(publisher, connection, ack, event,
                    new ApiException(ErrorCode.UNAVAILABLE, "the server could not handle this event"));
        } finally {
            MDC.remove("connection");
            MDC.remove("tenant");
        }
    }

    /** The client's ack callback: answered once, only while the session is open. */
    private final class OnceAck implements Ack {
        private final Connection connection;
        private final long id;
        private final AtomicBoolean sent = new AtomicBoolean();

        OnceAck(Connection connection, long id) {
            this.connection = connection;
            this.id = id;
        }

        @Override
        public boolean requested() {
            return true;
        }

        @Override
        public void send(Object body) {
            if (sent.compareAndSet(false, true)) {
                connection.ack(id, json.write(body));
            }
        }
    }
}
