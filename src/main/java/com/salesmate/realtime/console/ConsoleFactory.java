package com.salesmate.realtime.console;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The console page's settings: where the browser finds Socket.IO and the map tiles. Each may be left empty (config.yml
 * gives an unset variable as null): the page then uses its own host and OpenStreetMap's tiles.
 */
public class ConsoleFactory {
    /** OpenStreetMap's tile server, used when {@link #tileUrl} is left empty. */
    public static final String OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
    static final String OSM_ATTRIBUTION = "© OpenStreetMap contributors";

    /**
     * The Socket.IO URL as the browser must use it (behind a proxy: the public one); empty: the page's own host on
     * the Socket.IO port.
     */
    @JsonProperty
    private String socketUrl = "";

    /** Leaflet tile URL template; empty: OpenStreetMap's; {@code none}: no tiles (the map shows positions only). */
    @JsonProperty
    private String tileUrl = "";

    /** Empty: OpenStreetMap's attribution when its tiles are used, none otherwise. */
    @JsonProperty
    private String tileAttribution = "";

    String socketUrl() {
        return blank(socketUrl) ? null : socketUrl.trim();
    }

    String tileUrl() {
        if (blank(tileUrl)) {
            return OSM_TILES;
        }
        return tileUrl.trim().equalsIgnoreCase("none") ? null : tileUrl.trim();
    }

    String tileAttribution() {
        if (!blank(tileAttribution)) {
            return tileAttribution.trim();
        }
        return OSM_TILES.equals(tileUrl()) ? OSM_ATTRIBUTION : "";
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
