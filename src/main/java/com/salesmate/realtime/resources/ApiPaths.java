package com.salesmate.realtime.resources;

/** Where the REST API lives. */
public final class ApiPaths {
    public static final String ROOT = "/api/websocket";

    private ApiPaths() {
    }
}
