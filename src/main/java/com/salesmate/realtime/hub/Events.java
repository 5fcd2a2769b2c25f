package com.salesmate.realtime.hub;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Socket.IO event names of the contract. */
public final class Events {
    // client to server
    public static final String AUTHENTICATE = "authenticate";
    public static final String JOIN_TENANT = "join:tenant";
    public static final String JOIN_SALESMAN = "join:salesman";
    public static final String LOCATION_UPDATE = "location:update";
    public static final String LOCATION_BATCH = "location:batch";
    public static final String TYPING = "typing";
    public static final String STOP_TYPING = "stop-typing";
    public static final String NOTIFICATION_ACK = "notification:ack";

    // server to client
    public static final String AUTHENTICATED = "authenticated";
    public static final String AUTH_ERROR = "auth:error";
    public static final String ERROR = "error";
    public static final String VISIT_CREATED = "visit:created";
    public static final String VISIT_UPDATED = "visit:updated";
    public static final String ORDER_CREATED = "order:created";
    public static final String TARGET_PROGRESS = "target:progress";
    public static final String DASHBOARD_REFRESH = "dashboard:refresh";
    public static final String NOTIFICATION = "notification";
    public static final String ALERT = "alert";
    public static final String LOCATION_UPDATED = "location:updated";
    public static final String SALESMAN_ONLINE = "salesman:online";
    public static final String SALESMAN_OFFLINE = "salesman:offline";
    public static final String VISIT_ARRIVED = "visit:arrived";
    public static final String VISIT_CHECKED_IN = "visit:checked_in";
    public static final String VISIT_CHECKED_OUT = "visit:checked_out";

    /** Events a client may send. */
    public static final Set<String> INBOUND = Set.of(AUTHENTICATE, JOIN_TENANT, JOIN_SALESMAN, LOCATION_UPDATE,
            LOCATION_BATCH, TYPING, STOP_TYPING, NOTIFICATION_ACK);

    /** Events this service sends; with {@link #INBOUND}, the per-event metric names. */
    public static final Set<String> OUTBOUND = Set.of(AUTHENTICATED, AUTH_ERROR, ERROR, VISIT_CREATED, VISIT_UPDATED,
            ORDER_CREATED, TARGET_PROGRESS, DASHBOARD_REFRESH, NOTIFICATION, ALERT, LOCATION_UPDATED, SALESMAN_ONLINE,
            SALESMAN_OFFLINE, TYPING, STOP_TYPING, VISIT_ARRIVED, VISIT_CHECKED_IN, VISIT_CHECKED_OUT);

    /** Every event name of this service, inbound and outbound: the per-event metric names. */
    public static final Set<String> OWN = Stream.concat(INBOUND.stream(), OUTBOUND.stream())
            .collect(Collectors.toUnmodifiableSet());

    /** Domain events that {@code POST /emit/event} may carry. */
    public static final Set<String> DOMAIN = Set.of(VISIT_CREATED, VISIT_UPDATED, ORDER_CREATED, TARGET_PROGRESS);

    /** The event names Socket.IO reserves: a server never emits them to clients (nor does the cluster's bus). */
    public static final Set<String> SOCKET_IO_RESERVED = Set.of("connect", "connect_error", "disconnect",
            "disconnecting", "newListener", "removeListener");

    /**
     * What the cluster's bus never delivers, from anyone who may PUBLISH: Socket.IO's reserved names, the events that
     * speak with the server's authority to one socket ({@code authenticated}, {@code auth:error}, {@code error}: a node
     * sends them to its own sockets only, never through the bus) and the events only clients send.
     */
    public static final Set<String> NEVER_ON_THE_BUS = Stream.concat(SOCKET_IO_RESERVED.stream(), Stream.of(
            AUTHENTICATED, AUTH_ERROR, ERROR, AUTHENTICATE, JOIN_TENANT, JOIN_SALESMAN, LOCATION_UPDATE, LOCATION_BATCH,
            NOTIFICATION_ACK)).collect(Collectors.toUnmodifiableSet());

    /** Socket.IO's reserved names, the clients' own and this service's: never accepted for {@code /broadcast}. */
    public static final Set<String> RESERVED = Stream.concat(SOCKET_IO_RESERVED.stream(), Stream.of(
            "message", "ping", "pong", "reconnect", "reconnect_attempt",
            "reconnect_error", "reconnect_failed", "reconnecting", "open", "close", "packet", "upgrade",
            AUTHENTICATE, JOIN_TENANT, JOIN_SALESMAN, LOCATION_UPDATE, LOCATION_BATCH, TYPING, STOP_TYPING,
            NOTIFICATION_ACK, AUTHENTICATED, AUTH_ERROR, ERROR, VISIT_CREATED, VISIT_UPDATED, ORDER_CREATED,
            TARGET_PROGRESS, DASHBOARD_REFRESH, NOTIFICATION, ALERT, LOCATION_UPDATED, SALESMAN_ONLINE,
            SALESMAN_OFFLINE, VISIT_ARRIVED, VISIT_CHECKED_IN, VISIT_CHECKED_OUT)).collect(Collectors.toUnmodifiableSet());

    private Events() {
    }
}
