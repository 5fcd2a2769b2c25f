package com.salesmate.realtime.cluster;

import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.LocalPublisher;
import com.salesmate.realtime.hub.Publisher;

import java.util.Set;

/**
 * Every emit is delivered to this node's sockets at once and handed to the other nodes through the adapter
 * channels, where each node delivers to its own: every addressed socket gets it once. {@code delivered} adds the
 * sockets the shared registry counts on the other live nodes, asked only when a caller wants the figure.
 */
final class ClusterPublisher implements Publisher {
    private final LocalPublisher local;
    private final Bus bus;
    private final SharedState state;

    ClusterPublisher(LocalPublisher local, Bus bus, SharedState state) {
        this.local = local;
        this.bus = bus;
        this.state = state;
    }

    @Override
    public Delivery toRoom(String tenantId, String room, String event, Object payload) {
        int here = local.toRoom(tenantId, room, event, payload).local();
        bus.publish(event, payload, Set.of(room), Set.of());
        return Delivery.of(here, () -> state.countElsewhere(room, null));
    }

    @Override
    public Delivery toRoomExceptUser(String tenantId, String room, String event, Object payload, String exceptUserId) {
        int here = local.toRoomExceptUser(tenantId, room, event, payload, exceptUserId).local();
        bus.publish(event, payload, Set.of(room), Set.of(Rooms.user(tenantId, exceptUserId)));
        return Delivery.of(here, () -> state.countElsewhere(room, exceptUserId));
    }

    @Override
    public Delivery toEveryone(String event, Object payload) {
        int here = local.toEveryone(event, payload).local();
        bus.publish(event, payload, Set.of(), Set.of());
        return Delivery.of(here, () -> state.countElsewhere(null, null));
    }

    @Override
    public int toSocket(Connection connection, String event, Object payload) {
        return local.toSocket(connection, event, payload);
    }
}
