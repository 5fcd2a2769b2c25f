package com.salesmate.realtime.hub;

import com.salesmate.realtime.api.LocationUpdated;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.metrics.SocketMetrics;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Publishes to the sockets of this node through the registry's room index. Each payload is serialised once for all
 * its recipients, which are handed to the edge's {@link Fanout} together, and each delivery (one per receiving socket)
 * is counted on the meters {@code /stats} reads.
 */
public class LocalPublisher implements Publisher {
    private final ConnectionRegistry registry;
    private final SocketMetrics metrics;
    private final WireJson json;
    private final Fanout fanout;
    private final Recovery recovery;

    public LocalPublisher(ConnectionRegistry registry, SocketMetrics metrics, WireJson json, Fanout fanout) {
        this(registry, metrics, json, fanout, Recovery.off());
    }

    public LocalPublisher(ConnectionRegistry registry, SocketMetrics metrics, WireJson json, Fanout fanout,
                          Recovery recovery) {
        this.registry = registry;
        this.metrics = metrics;
        this.json = json;
        this.fanout = fanout;
        this.recovery = recovery;
    }

    @Override
    public Delivery toRoom(String tenantId, String room, String event, Object payload) {
        return Delivery.local(room(tenantId, room, event, payload, null));
    }

    @Override
    public Delivery toRoomExceptUser(String tenantId, String room, String event, Object payload, String exceptUserId) {
        return Delivery.local(room(tenantId, room, event, payload, exceptUserId));
    }

    private int room(String tenantId, String room, String event, Object payload, String exceptUserId) {
        int reached;
        if (logged(event)) { // logged with its offset, and sent in log order
            reached = recovery.log(json.event(event, payload), List.of(room), Set.of(), exceptUserId,
                    conflation(event, payload), e -> send(e.event(), inRoom(room, exceptUserId, e.seq())).cardinality());
        } else {
            List<Connection> recipients = inRoom(room, exceptUserId, -1);
            reached = recipients.isEmpty() ? 0 : send(json.event(event, payload), recipients).cardinality();
        }
        metrics.sent(event, tenantId, reached);
        return reached;
    }

    private List<Connection> inRoom(String room, String exceptUserId, long position) {
        List<Connection> recipients = new ArrayList<>();
        for (Connection c : registry.inRoom(room)) {
            if (c.isAuthenticated() && c.isOpen() && !c.replayed(position)
                    && (exceptUserId == null || !c.identity().userId().equals(exceptUserId))) {
                recipients.add(c);
            }
        }
        return recipients;
    }

    /** Every room event is logged for recovery (when it is on) except typing, which is never replayed. */
    private boolean logged(String event) {
        return recovery.enabled() && Recovery.replayable(event);
    }

    /** A replay keeps only the newest {@code location:updated} of a salesman. */
    private static String conflation(String event, Object payload) {
        return payload instanceof LocationUpdated u && Events.LOCATION_UPDATED.equals(event)
                ? u.tenantId() + "|" + u.salesmanId() : null;
    }

    @Override
    public void toRooms(String tenantId, List<String> given, String event, Object payload) {
        List<String> rooms = Rooms.requireOwn(tenantId, given);
        OutboundEvent wire = json.event(event, payload);
        int reached = logged(event)
                ? recovery.log(wire, rooms, Set.of(), null, conflation(event, payload),
                        e -> send(e.event(), addressed(rooms, Set.of(), e.seq())).cardinality())
                : send(wire, addressed(rooms, Set.of(), -1)).cardinality();
        metrics.sent(event, tenantId, reached);
    }

    @Override
    public Delivery toEveryone(String event, Object payload) {
        return Delivery.local(everyone(json.event(event, payload)));
    }

    private int everyone(OutboundEvent wire) {
        if (logged(wire.name())) {
            return recovery.log(wire, List.of(), Set.of(), null, null, e -> sendCounted(e.event(), everyone(e.seq())));
        }
        return sendCounted(wire, everyone(-1));
    }

    private List<Connection> everyone(long position) {
        List<Connection> recipients = new ArrayList<>();
        for (Connection c : registry.authenticated()) {
            if (c.isOpen() && !c.replayed(position)) {
                recipients.add(c);
            }
        }
        return recipients;
    }

    @Override
    public int toSocket(Connection connection, String event, Object payload) {
        if (!registry.contains(connection) || !connection.send(json.event(event, payload))) {
            return 0;
        }
        metrics.sent(event, connection.identity() == null ? null : connection.identity().tenantId(), 1);
        return 1;
    }

    /**
     * Delivers an emit that came from elsewhere (another node, a Node.js emitter) as the Socket.IO adapter addresses
     * it: to the authenticated sockets in any of {@code rooms} (all of them when empty), once each, skipping those in
     * any of {@code except}. Besides the rooms of the index, {@code except} may name a user's sockets as
     * {@link Rooms#user}. Returns the number of sockets reached.
     */
    public int deliver(OutboundEvent wire, Collection<String> rooms, Set<String> except) {
        if (rooms.isEmpty() && except.isEmpty()) {
            return everyone(wire);
        }
        if (logged(wire.name())) {
            return recovery.log(wire, rooms, except, null, null,
                    e -> sendCounted(e.event(), addressed(rooms, except, e.seq())));
        }
        return sendCounted(wire, addressed(rooms, except, -1));
    }

    /**
     * Delivers an entry of a log shared by the cluster, read at {@code position}: with {@code offset} as its last
     * argument when recovery is on and the event is logged (typing never is), to the authenticated sockets
     * {@link #deliver} would reach, skipping those whose replay already carried it. Returns the sockets reached.
     */
    public int deliverLogged(OutboundEvent wire, Collection<String> rooms, Set<String> except, long position,
                             String offset) {
        if (!logged(wire.name())) {
            return sendCounted(wire, addressed(rooms, except, -1));
        }
        return sendCounted(wire.withOffset(offset), addressed(rooms, except, position));
    }

    /** How many sockets of this node {@link #deliver} would reach now. */
    public int addressedCount(Collection<String> rooms, Set<String> except) {
        return addressed(rooms, except, -1).size();
    }

    /** The event as it goes on the wire, its payload encoded once. */
    public OutboundEvent wire(String event, Object payload) {
        return json.event(event, payload);
    }

    private List<Connection> addressed(Collection<String> rooms, Set<String> except, long position) {
        Collection<Connection> candidates;
        if (rooms.isEmpty()) {
            candidates = registry.authenticated();
        } else if (rooms.size() == 1) {
            candidates = registry.inRoom(rooms.iterator().next());
        } else {
            Set<Connection> union = new HashSet<>();
            rooms.forEach(r -> union.addAll(registry.inRoom(r)));
            candidates = union;
        }
        List<Connection> recipients = new ArrayList<>();
        for (Connection c : candidates) {
            Identity identity = c.identity();
            if (identity != null && c.isOpen() && !c.replayed(position) && !skipped(c, identity, except)) {
                recipients.add(c);
            }
        }
        return recipients;
    }

    /** Sends to every recipient and counts each delivery on its tenant's meter. */
    private int sendCounted(OutboundEvent wire, List<Connection> recipients) {
        BitSet sent = send(wire, recipients);
        for (int i = sent.nextSetBit(0); i >= 0; i = sent.nextSetBit(i + 1)) {
            metrics.sent(wire.name(), recipients.get(i).identity().tenantId(), 1);
        }
        return sent.cardinality();
    }

    /** Hands the event and its recipients to the edge in one call; the set bits index {@code recipients}. */
    private BitSet send(OutboundEvent wire, List<Connection> recipients) {
        List<Link> links = new ArrayList<>(recipients.size());
        for (Connection c : recipients) {
            links.add(c.link());
        }
        return fanout.send(wire, links);
    }

    private static boolean skipped(Connection c, Identity identity, Set<String> except) {
        if (except.isEmpty()) {
            return false;
        }
        for (String room : c.roomSet()) {
            if (except.contains(room)) {
                return true;
            }
        }
        return except.contains(Rooms.user(identity.tenantId(), identity.userId()));
    }
}
