package com.salesmate.realtime.socketio;

/**
 * The edge's limits, from configuration. {@code maxSharedFrame} is the largest event payload written as one
 * {@link SharedFrame} for all its recipients (the library splits larger ones into several frames), 0 with websocket
 * compression on: each compressed channel must deflate its frames itself. {@code heartbeatTimeoutNanos} is
 * {@code pingInterval + pingTimeout}: a client silent that long has lost its session. {@code connectTimeoutMillis} (the
 * authentication timeout) bounds a session whose client left the namespace and did not CONNECT again.
 */
record EdgeLimits(int maxConnections, int maxConnectionsPerAddress, int handshakesPerAddressPerSecond,
                  int handshakeBurstPerAddress, long maxQueuedPerSocket, long closeTimeoutMillis, long maxPayload,
                  int maxSharedFrame, long heartbeatTimeoutNanos, long connectTimeoutMillis) {

    static EdgeLimits from(SocketIoFactory settings) {
        return new EdgeLimits(settings.getMaxConnections(), settings.getMaxConnectionsPerAddress(),
                settings.getHandshakesPerAddressPerSecond(), settings.getHandshakeBurstPerAddress(),
                settings.getMaxQueuedPerSocket().toBytes(),
                settings.getCloseTimeout().toMilliseconds(),
                Math.min(settings.getMaxFramePayload().toBytes(), settings.getMaxHttpContent().toBytes()),
                settings.isWebsocketCompression() ? 0 : (int) settings.getMaxFramePayload().toBytes(),
                settings.getPingInterval().toNanoseconds() + settings.getPingTimeout().toNanoseconds(),
                settings.getAuthTimeout().toMilliseconds());
    }
}
