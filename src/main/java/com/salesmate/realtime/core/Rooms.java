package com.salesmate.realtime.core;

import java.util.LinkedHashSet;
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
