package com.salesmate.realtime.resources;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.hub.WriteBacklog;
import com.salesmate.realtime.metrics.HistogramTimer;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Emit backpressure on the REST side ({@link WriteBacklog}): an emit is carried out only while the socket writes queued
 * on this node's event loops are at most their bound. Past it the request waits on its own thread for the loops to
 * catch up, up to {@code maxWait}; if they do not, it is answered 503 {@code unavailable} with {@code Retry-After: 1}
 * before anything is stored or sent (a notification is not created, an alert not reported to webhooks). Runs after
 * authentication: an unauthenticated caller is answered 401 at once, never held.
 */
@EmitBackpressure
@Priority(Priorities.USER)
public class EmitAdmission implements ContainerRequestFilter {
    public static final String BACKLOG = "socketio.emit-backlog";
    public static final String BACKLOG_LIMIT = "socketio.emit-backlog.limit";
    /** Emits that found the backlog over its bound and waited (then carried out or refused). */
    public static final String HELD = "socketio.emits.held";
    public static final String REFUSED = "socketio.emits.refused";
    /** How long held emits waited (histogram). */
    public static final String WAIT = "socketio.emits.wait";

    private final WriteBacklog backlog;
    private final Duration maxWait;
    private final Meter held;
    private final Meter refused;
    private final Timer waits;

    public EmitAdmission(WriteBacklog backlog, Duration maxWait, MetricRegistry metrics) {
        this.backlog = backlog;
        this.maxWait = maxWait;
        metrics.register(BACKLOG, (Gauge<Long>) backlog::size);
        metrics.register(BACKLOG_LIMIT, (Gauge<Long>) backlog::limit);
        this.held = metrics.meter(HELD);
        this.refused = metrics.meter(REFUSED);
        this.waits = HistogramTimer.of(metrics, WAIT);
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (backlog.size() <= backlog.limit()) {
            return;
        }
        held.mark();
        long started = System.nanoTime();
        boolean room;
        try {
            room = backlog.awaitRoom(maxWait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            room = false;
        }
        waits.update(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        if (!room) {
            refused.mark();
            request.abortWith(Response.fromResponse(ApiExceptionMapper.error(ErrorCode.UNAVAILABLE.status(),
                            ErrorCode.UNAVAILABLE.code(), "this node is still writing earlier emits to its sockets ("
                                    + backlog.size() + " writes queued); nothing was sent: retry shortly", null))
                    .header(HttpHeaders.RETRY_AFTER, "1").build());
        }
    }
}
