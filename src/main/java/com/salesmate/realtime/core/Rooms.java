package com.salesmate.realtime.core;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Room names of the contract. Ids are validated before they get here, so ':' cannot be smuggled in. */
public final class Rooms {
    private Rooms() {
    }

    public static String tenant(String tenantId) {
        return "tenant:" + tenantId;
    }

    public static String managers(String tenantId) {
        return "tenant:" + tenantId + ":managers";
    }

    public static String salesman(String tenantId, String salesmanId) {
        return "tenant:" + tenantId + ":salesman:" + salesmanId;
    }

    /**
     * All sockets of one user. Not a room sockets join (it is not listed, counted or addressable): the cluster uses it
     * in the adapter's {@code except} so that typing skips the sender's own sockets on every node.
     */
    public static String user(String tenantId, String userId) {
        return "tenant:" + tenantId + ":user:" + userId;
    }

    /** True when {@code room} is {@code tenantId}'s tenant room or one of its sub-rooms. */
    public static boolean ofTenant(String room, String tenantId) {
        String own = tenant(tenantId);
        return room.equals(own) || room.startsWith(own + ":");
    }

    /**
     * {@code rooms} when it names at least one room and only {@code tenantId}'s: an emit to a tenant's rooms never
     * becomes an emit to everyone (an empty list addresses every socket) or reaches another tenant's sockets.
     */
    public static List<String> requireOwn(String tenantId, List<String> rooms) {
        if (rooms.isEmpty() || !rooms.stream().allMatch(r -> ofTenant(r, tenantId))) {
            throw new IllegalArgumentException("rooms of tenant " + tenantId + " expected: " + rooms);
        }
        return List.copyOf(rooms);
    }

    /** The rooms a socket joins as soon as it is authenticated. */
    public static Set<String> automatic(Identity identity) {
        Set<String> rooms = new LinkedHashSet<>();
        rooms.add(tenant(identity.tenantId()));
        if (identity.isManager()) {
            rooms.add(managers(identity.tenantId()));
        } else {
            rooms.add(salesman(identity.tenantId(), identity.salesmanId()));
        }
        return rooms;
    }
}
