package com.salesmate.realtime.resources;

import com.salesmate.realtime.persistence.LocationRow;

import java.util.LinkedHashMap;
import java.util.Map;

/** JSON shapes shared by several resources. */
final class Representations {
    private Representations() {
    }

    static Map<String, Object> location(LocationRow row) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", Long.toString(row.id()));
        m.put("latitude", row.latitude());
        m.put("longitude", row.longitude());
        m.put("accuracy", row.accuracy());
        m.put("speed", row.speed());
        m.put("heading", row.heading());
        m.put("altitude", row.altitude());
        m.put("battery", row.battery());
        m.put("timestamp", row.recordedAt());
        m.put("receivedAt", row.receivedAt());
        return m;
    }
}
