package com.salesmate.realtime.socketio;

/** The edge's limits, from configuration. */
record EdgeLimits(int maxConnections, int maxConnectionsPerAddress, int handshakesPerAddressPerSecond,
                  long maxQueuedPerSocket, long closeTimeoutMillis, long maxPayload) {

    static EdgeLimits from(SocketIoFactory settings) {
        return new EdgeLimits(settings.getMaxConnections(), settings.getMaxConnectionsPerAddress(),
                settings.getHandshakesPerAddressPerSecond(), settings.getMaxQueuedPerSocket().toBytes(),
                settings.getCloseTimeout().toMilliseconds(),
                Math.min(settings.getMaxFramePayload().toBytes(), settings.getMaxHttpContent().toBytes()));
    }
}
