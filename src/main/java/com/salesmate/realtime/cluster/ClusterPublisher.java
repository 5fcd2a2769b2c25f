package com.salesmate.realtime.cluster;

import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.LocalPublisher;
import com.salesmate.realtime.hub.Publisher;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Every emit is appended to the cluster's stream, and every node (this one too) delivers it to its own sockets when it
 * reads it back, in the stream's order: every addressed socket gets it once, with its offset. {@code delivered} counts
 * the sockets this node addresses plus those the shared registry counts on the other live nodes, both only when a
 * caller wants the figure (a location's broadcast never does: no second pass over the room on that path).
 */
final class ClusterPublisher implements Publisher {
    private final LocalPublisher local;
    private final StreamBus stream;
    private final SharedState state;

    ClusterPublisher(LocalPublisher local, StreamBus stream, SharedState state) {
        this.local = local;
        this.stream = stream;
        this.state = state;
    }

    @Override
    public Delivery toRoom(String tenantId, String room, String event, Object payload) {
        return emit(event, payload, List.of(room), Set.of(), () -> state.countElsewhere(room, null));
    }

    @Override
    public Delivery toRoomExceptUser(String tenantId, String room, String event, Object payload, String exceptUserId) {
        return emit(event, payload, List.of(room), Set.of(Rooms.user(tenantId, exceptUserId)),
                () -> state.countElsewhere(room, exceptUserId));
    }

    @Override
    public void toRooms(String tenantId, List<String> rooms, String event, Object payload) {
        // one stream entry naming every room: each node delivers it once per socket (LocalPublisher.deliver)
        stream.publish(local.wire(event, payload), Rooms.requireOwn(tenantId, rooms), Set.of());
    }

    @Override
    public Delivery toEveryone(String event, Object payload) {
        return emit(event, payload, List.of(), Set.of(), () -> state.countElsewhere(null, null));
    }

    private Delivery emit(String event, Object payload, List<String> rooms, Set<String> except,
                          Supplier<CompletionStage<Integer>> elsewhere) {
        stream.publish(local.wire(event, payload), rooms, except);
        return Delivery.of(() -> local.addressedCount(rooms, except), elsewhere);
    }

    @Override
    public int toSocket(Connection connection, String event, Object payload) {
        return local.toSocket(connection, event, payload);
    }
}
