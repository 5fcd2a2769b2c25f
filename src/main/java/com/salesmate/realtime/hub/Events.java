package com.salesmate.realtime.hub;

import java.util.Set;

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

    /** Events a client may send. */
    public static final Set<String> INBOUND = Set.of(AUTHENTICATE, JOIN_TENANT, JOIN_SALESMAN, LOCATION_UPDATE,
            LOCATION_BATCH, TYPING, STOP_TYPING, NOTIFICATION_ACK);

    /** Events this service sends; with {@link #INBOUND}, the per-event metric names. */
    public static final Set<String> OUTBOUND = Set.of(AUTHENTICATED, AUTH_ERROR, ERROR, VISIT_CREATED, VISIT_UPDATED,
            ORDER_CREATED, TARGET_PROGRESS, DASHBOARD_REFRESH, NOTIFICATION, ALERT, LOCATION_UPDATED, SALESMAN_ONLINE,
            SALESMAN_OFFLINE, TYPING, STOP_TYPING);

    /** Every event name of this service, inbound and outbound: the per-event metric names. */
    public static final Set<String> OWN = java.util.stream.Stream.concat(INBOUND.stream(), OUTBOUND.stream())
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** Domain events that {@code POST /emit/event} may carry. */
    public static final Set<String> DOMAIN = Set.of(VISIT_CREATED, VISIT_UPDATED, ORDER_CREATED, TARGET_PROGRESS);

    /** Socket.IO's reserved names and this service's own: never accepted for {@code /broadcast}. */
    public static final Set<String> RESERVED = Set.of("connect", "connect_error", "disconnect", "disconnecting",
            "newListener", "removeListener", "message", "ping", "pong", "reconnect", "reconnect_attempt",
            "reconnect_error", "reconnect_failed", "reconnecting", "open", "close", "packet", "upgrade",
            AUTHENTICATE, JOIN_TENANT, JOIN_SALESMAN, LOCATION_UPDATE, LOCATION_BATCH, TYPING, STOP_TYPING,
            NOTIFICATION_ACK, AUTHENTICATED, AUTH_ERROR, ERROR, VISIT_CREATED, VISIT_UPDATED, ORDER_CREATED,
            TARGET_PROGRESS, DASHBOARD_REFRESH, NOTIFICATION, ALERT, LOCATION_UPDATED, SALESMAN_ONLINE,
            SALESMAN_OFFLINE);

    private Events() {
    }
}
