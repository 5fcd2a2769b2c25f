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
