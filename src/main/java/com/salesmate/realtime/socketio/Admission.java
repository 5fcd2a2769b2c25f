package com.salesmate.realtime.socketio;

/** The node's answer to a new session from an address: admitted with the slot it holds, or refused and why. */
sealed interface Admission {

    /** Admitted: {@code slot} counts against the node's and the address's limits until it is released. */
    record Admitted(EdgeSessions.Slot slot) implements Admission {
    }

    /** Refused: nothing was reserved. */
    record Refused(Refusal refusal) implements Admission {
    }
}
