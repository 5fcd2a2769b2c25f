package com.salesmate.realtime.support;

import org.json.JSONException;
import org.json.JSONObject;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the service's SQLite file with plain JDBC, as an outside observer would: what is committed is what it sees. */
public final class StoredLocations {
    private final String url;

    public StoredLocations(Path sqliteFile) {
        this.url = "jdbc:sqlite:" + sqliteFile;
    }

    /** The stored row with this id, as column name to value. */
    public Optional<Map<String, Object>> byId(String id) {
        List<Map<String, Object>> rows = query("SELECT * FROM locations WHERE id = ?", Long.parseLong(id));
        return rows.stream().findFirst();
    }

    /** Stored timestamps of one salesman, oldest first. */
    public List<Long> timestamps(String salesmanId) {
        List<Long> out = new ArrayList<>();
        for (Map<String, Object> row : query("SELECT recorded_at FROM locations WHERE salesman_id = ? ORDER BY recorded_at",
                salesmanId)) {
            out.add(((Number) row.get("recorded_at")).longValue());
        }
        return out;
    }

    public long count(String salesmanId) {
        return timestamps(salesmanId).size();
    }

    private List<Map<String, Object>> query(String sql, Object param) {
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement st = c.prepareStatement(sql)) {
            st.setObject(1, param);
            try (ResultSet rs = st.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= columns; i++) {
                        row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + url, e);
        }
    }

    /** A location payload with the required fields. */
    public static JSONObject point(double latitude, double longitude, long timestamp) throws JSONException {
        return new JSONObject().put("latitude", latitude).put("longitude", longitude).put("timestamp", timestamp);
    }
}
