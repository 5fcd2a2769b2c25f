package com.salesmate.realtime.hub;

import com.codahale.metrics.MetricRegistry;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.metrics.TenantCounters;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The hub's collaborators as unit tests need them: a transport that records, a publisher that records, identities. */
public final class HubFakes {
    private static final WireJson JSON = new WireJson();

    private HubFakes() {
    }

    static SocketMetrics metrics() {
        return new SocketMetrics(new MetricRegistry(), new TenantCounters(), Events.INBOUND);
    }

    /** An open connection on {@code link} whose buckets never run dry in a test; not registered anywhere. */
    static Connection connection(Link link) {
        long now = System.nanoTime();
        return connection(link, new Connection.Buckets(new RateLimiter(1000, now), new RateLimiter(1000, now),
                new RateLimiter(1000, now)));
    }

    /** For the edge's tests: an open connection on {@code link}; {@code onClose} runs when the hub would forget it. */
    public static Connection connection(Link link, java.util.function.Consumer<Connection> onClose) {
        long now = System.nanoTime();
        return new Connection(link, 0, new Connection.Buckets(new RateLimiter(1000, now), new RateLimiter(1000, now),
                new RateLimiter(1000, now)), onClose);
    }

    static Connection connection(Link link, Connection.Buckets buckets) {
        return new Connection(link, 0, buckets, c -> { });
    }

    /** An open connection already authenticated as {@code identity}. */
    static Connection authenticated(Identity identity) {
        Connection c = connection(new FakeLink());
        c.identity(identity);
        return c;
    }

    /** For the edge's tests: {@code connection} is authenticated as {@code identity} (as the hub's admission does). */
    public static void authenticate(Connection connection, Identity identity) {
        connection.identity(identity);
    }

    public static Identity salesman(String tenantId, String salesmanId) {
        return new Identity("u-" + salesmanId, tenantId, Role.SALESMAN, salesmanId, Instant.now().plusSeconds(3600));
    }

    static Identity manager(String tenantId, String userId) {
        return new Identity(userId, tenantId, Role.MANAGER, null, Instant.now().plusSeconds(3600));
    }

    /** What the client on the other end of a socket got, and how its session was ended. */
    static final class FakeLink implements Link {
        /** One acknowledgement: the client's ack id and the JSON of its single argument. */
        record Acked(long id, String json) {
        }

        /** One end of the session; {@code told}: the client is sent a disconnect first. */
        record Closed(DisconnectReason reason, boolean told) {
        }

        final List<OutboundEvent> sent = new CopyOnWriteArrayList<>();
        final List<Acked> acks = new CopyOnWriteArrayList<>();
        final List<Closed> closes = new CopyOnWriteArrayList<>();

        @Override
        public String transport() {
            return "websocket";
        }

        @Override
        public boolean send(OutboundEvent event) {
            sent.add(event);
            return true;
        }

        @Override
        public void ack(long ackId, String json) {
            acks.add(new Acked(ackId, json));
        }

        @Override
        public void close(DisconnectReason reason, boolean notify) {
            closes.add(new Closed(reason, notify));
        }

        /** The names of the events sent to this client, in order. */
        List<String> eventNames() {
            return sent.stream().map(OutboundEvent::name).toList();
        }

        /** The single argument of each event named {@code name} sent to this client, as JSON. */
        List<String> payloadsOf(String name) {
            return sent.stream().filter(e -> e.name().equals(name)).map(e -> e.args().get(0)).toList();
        }
    }

    /** Records every emit, its payload written as the wire would carry it. */
    static final class RecordingPublisher implements Publisher {
        /** One emit: to a room, to one socket ({@code socket}) or to everyone (neither). */
        record Emit(String room, Connection socket, String event, String json) {
        }

        final List<Emit> emits = new CopyOnWriteArrayList<>();

        @Override
        public Delivery toRoom(String tenantId, String room, String event, Object payload) {
            emits.add(new Emit(room, null, event, JSON.write(payload)));
            return Delivery.local(0);
        }

        @Override
        public Delivery toRoomExceptUser(String tenantId, String room, String event, Object payload, String except) {
            return toRoom(tenantId, room, event, payload);
        }

        @Override
        public void toRooms(String tenantId, List<String> rooms, String event, Object payload) {
            rooms.forEach(room -> emits.add(new Emit(room, null, event, JSON.write(payload))));
        }

        @Override
        public Delivery toEveryone(String event, Object payload) {
            emits.add(new Emit(null, null, event, JSON.write(payload)));
            return Delivery.local(0);
        }

        @Override
        public int toSocket(Connection connection, String event, Object payload) {
            emits.add(new Emit(null, connection, event, JSON.write(payload)));
            return 1;
        }

        /** The names of the events emitted to rooms, in order. */
        List<String> roomEvents() {
            return emits.stream().filter(e -> e.room() != null).map(Emit::event).toList();
        }

        /** What was emitted to {@code connection} alone, as {@code event json}. */
        List<String> toSocket(Connection connection) {
            return emits.stream().filter(e -> e.socket() == connection).map(e -> e.event() + " " + e.json()).toList();
        }

        void clear() {
            emits.clear();
        }
    }
}
