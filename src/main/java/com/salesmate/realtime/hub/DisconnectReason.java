package com.salesmate.realtime.hub;

/** Why a socket's session ended; each is counted ({@code socketio.connections.disconnects.reason.<metric name>}). */
public enum DisconnectReason {
    /** A token in the handshake or in {@code authenticate} was refused. */
    AUTH_FAILED("auth_failed", true),
    /** Not authenticated within the configured time. */
    AUTH_TIMEOUT("auth_timeout", true),
    /** The token expired and was not refreshed. */
    TOKEN_EXPIRED("token_expired", true),
    /** {@code authenticate} tried to change the socket's identity or named other ids than the token's. */
    CLAIMS_MISMATCH("claims_mismatch", true),
    /** An operator's disconnect task. */
    ADMIN("admin", true),
    /** The node is shutting down. */
    SHUTDOWN("shutdown", true),
    /** More was queued for the socket than its outbound limit: it does not read fast enough. */
    SLOW_CONSUMER("slow_consumer", true),
    /** The client went past a limit meant to stop abuse (e.g. repeated CONNECTs to unknown namespaces). */
    ABUSE("abuse", true),
    /** The client broke the Engine.IO / Socket.IO protocol (malformed or out-of-order packets). */
    PROTOCOL_ERROR("protocol_error", true),
    /** A frame or request body over the configured limit. */
    PAYLOAD_TOO_LARGE("payload_too_large", true),
    /** The client disconnected its socket ({@code 41}) or closed the Engine.IO session ({@code 1}). */
    CLIENT_DISCONNECT("client_disconnect", false),
    /** The transport went away: connection closed, ping timeout, failed upgrade. */
    TRANSPORT_CLOSE("transport_close", false),
    /**
     * A recovered socket's gap could not be replayed whole (more than the replay bound, or the cluster's log could not
     * be read): its transport is closed without a Socket.IO disconnect, so the client reconnects, to a fresh session.
     */
    RECOVERY_INCOMPLETE("recovery_incomplete", false);

    private final String metricName;
    private final boolean serverDecision;

    DisconnectReason(String metricName, boolean serverDecision) {
        this.metricName = metricName;
        this.serverDecision = serverDecision;
    }

    public String metricName() {
        return metricName;
    }

    /**
     * True when the client recovers its session after it (connection state recovery): its transport was lost, or the
     * node shut down. Not after a decision about the socket nor after the client left on purpose.
     */
    public boolean isRecoverable() {
        return this == TRANSPORT_CLOSE || this == SHUTDOWN;
    }

    /** True when the server decided it (the client is told), false when the client or its transport ended it. */
    public boolean isServerDecision() {
        return serverDecision;
    }
}
