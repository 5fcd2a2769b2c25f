package com.salesmate.realtime.hub;

/** The acknowledgement callback a client may attach to an event; answered at most once. */
public interface Ack {
    /** No callback: refusals go out as {@code error} events instead. */
    Ack NONE = new Ack() {
        @Override
        public boolean requested() {
            return false;
        }

        @Override
        public void send(Object body) {
        }
    };

    boolean requested();

    /** Sends {@code body} as the acknowledgement's single argument; later calls are ignored. */
    void send(Object body);
}
