package com.salesmate.realtime.socketio;

import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.DisconnectReason;
import com.salesmate.realtime.hub.RateLimiter;
import com.salesmate.realtime.metrics.SocketMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a malformed packet: counted, the connection closed as a protocol error, and logged at most once per
 * connection and a few times a minute across the node — with the reason and size only, never the content (which may
 * hold a token) nor the Engine.IO session id.
 */
final class MalformedInput {
    private static final Logger LOG = LoggerFactory.getLogger(MalformedInput.class);
    private static final double LOGS_PER_SECOND = 10.0 / 60;
    private static final double LOG_BURST = 10;

    private final SocketMetrics metrics;
    private final RateLimiter logs = new RateLimiter(LOGS_PER_SECOND, LOG_BURST, System.nanoTime());

    MalformedInput(SocketMetrics metrics) {
        this.metrics = metrics;
    }

    void refuse(EdgeSession session, String why, int bytes) {
        metrics.malformed();
        if (session.firstMalformed() && logs.tryAcquire(System.nanoTime())) {
            Connection c = session.connection();
            LOG.info("connection {} closed: malformed packet ({}; {} bytes)", c == null ? "-" : c.id(), why, bytes);
        }
        session.closeConnection(DisconnectReason.PROTOCOL_ERROR);
    }
}
