package com.salesmate.realtime.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /console/config.json}: what the page needs before it signs in (the Socket.IO address and the map tiles),
 * filled from the configuration. No credential: it says nothing a visitor of the page could not guess.
 */
public class ConsoleConfigServlet extends HttpServlet {
    public static final String PATH = "/console/config.json";

    private final byte[] body;

    public ConsoleConfigServlet(ConsoleFactory console, int socketPort, ObjectMapper json) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("success", true);
        config.put("socketUrl", console.socketUrl());
        config.put("socketPort", socketPort);
        config.put("tileUrl", console.tileUrl());
        config.put("tileAttribution", console.tileAttribution());
        try {
            this.body = json.writeValueAsBytes(config);
        } catch (IOException e) {
            throw new IllegalStateException("console configuration not writable as JSON", e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("application/json");
        resp.setHeader("Cache-Control", "no-cache");
        resp.getOutputStream().write(body);
    }
}
