package com.salesmate.realtime.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.core.Site;
import com.salesmate.realtime.core.Visit;
import com.salesmate.realtime.persistence.LocationRow;

import java.util.LinkedHashMap;
import java.util.Map;

/** JSON shapes shared by several resources. */
final class Representations {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Representations() {
    }

    static Map<String, Object> site(Site site) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("siteId", site.siteId());
        m.put("tenantId", site.tenantId());
        m.put("name", site.name());
        m.put("latitude", site.latitude());
        m.put("longitude", site.longitude());
        m.put("radius", site.radius());
        m.put("dwell", site.dwellSeconds());
        m.put("customerId", site.customerId());
        m.put("data", json(site.data()));
        m.put("updatedAt", site.updatedAt());
        return m;
    }

    static Map<String, Object> visit(Visit v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("visitId", v.visitId());
        m.put("tenantId", v.tenantId());
        m.put("salesmanId", v.salesmanId());
        m.put("siteId", v.siteId());
        m.put("arrivedAt", v.arrivedAt());
        m.put("checkedInAt", v.checkedInAt());
        m.put("leftAt", v.leftAt());
        m.put("checkedOutAt", v.checkedOutAt());
        m.put("duration", v.duration());
        m.put("open", v.isOpen());
        m.put("latitude", v.latitude());
        m.put("longitude", v.longitude());
        m.put("accuracy", v.accuracy());
        return m;
    }

    /** Stored JSON text as JSON again (it was written from a parsed body). */
    private static Object json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON does not parse", e);
        }
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
