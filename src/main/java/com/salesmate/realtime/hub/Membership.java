package com.salesmate.realtime.hub;

/**
 * Hears where authenticated sockets are: the cluster registers them for the other nodes. Called with the
 * connection's lock held or on its own thread; implementations must not block.
 */
public interface Membership {
    /** Nothing to tell: a single node. */
    Membership NONE = new Membership() {
        @Override
        public void admitted(Connection connection) {
        }

        @Override
        public void joined(Connection connection, String room) {
        }

        @Override
        public void left(Connection connection) {
        }
    };

    /** The socket was authenticated for the first time and is in its automatic rooms. */
    void admitted(Connection connection);

    /** The socket joined {@code room}, which it was not in. */
    void joined(Connection connection, String room);

    /** An authenticated socket is gone. */
    void left(Connection connection);
}
