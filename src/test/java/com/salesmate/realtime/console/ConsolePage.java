package com.salesmate.realtime.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The console page in {@link Chromium}, as a user sees and works it: what it shows, where, and what to click. */
final class ConsolePage {
    /** Where a marker is drawn on the screen: its box's centre. */
    record Point(double x, double y) {
    }

    private final Chromium chromium;
    private final String baseUrl;

    ConsolePage(Chromium chromium, String baseUrl) {
        this.chromium = chromium;
        this.baseUrl = baseUrl;
    }

    /** Where the page is served from when the application port is {@code port}. */
    static String origin(int port) {
        return "http://127.0.0.1:" + port;
    }

    /** The service on application port {@code port}, with the page's origin in the Socket.IO allow-list. */
    static TestApp app(int port) {
        return TestApp.create(
                ConfigOverride.config("server.applicationConnectors[0].port", Integer.toString(port)),
                ConfigOverride.config("socketio.allowedOrigins", origin(port)));
    }

    /** A fresh tab (no sessionStorage) of the given size, on {@code /console/} plus {@code suffix}. */
    ConsolePage open(String suffix, int width, int height) {
        chromium.call("newPage", Map.of("width", width, "height", height));
        chromium.call("goto", Map.of("url", baseUrl + "/console/" + suffix));
        return this;
    }

    ConsolePage open(String suffix) {
        return open(suffix, 1280, 900);
    }

    /** Asks the open tab's sign-in form for the operations view with {@code key}. */
    void signInWithKey(String key) {
        fill("#ops-key", key);
        click("#ops-form button[type=submit]");
    }

    String url() {
        return chromium.call("url", Map.of()).asText();
    }

    void fill(String selector, String value) {
        chromium.call("fill", Map.of("selector", selector, "value", value));
    }

    void select(String selector, String value) {
        chromium.call("select", Map.of("selector", selector, "value", value));
    }

    void click(String selector) {
        chromium.call("click", Map.of("selector", selector));
    }

    void press(String key) {
        chromium.call("press", Map.of("key", key));
    }

    /** The id (or tag) of the element that has the keyboard focus. */
    String focused() {
        return chromium.call("focused", Map.of()).asText();
    }

    /** The text of the first element matching {@code selector}; null when there is none. */
    String text(String selector) {
        JsonNode v = chromium.call("text", Map.of("selector", selector));
        return v.isNull() ? null : v.asText();
    }

    boolean visible(String selector) {
        return chromium.call("visible", Map.of("selector", selector)).asBoolean();
    }

    int count(String selector) {
        return chromium.call("count", Map.of("selector", selector)).asInt();
    }

    /** Waits until {@code selector} shows {@code text}; the element's whole text. */
    String waitText(String selector, String text) {
        return waitText(selector, text, Duration.ofSeconds(10));
    }

    String waitText(String selector, String text, Duration wait) {
        return chromium.call("waitText", Map.of("selector", selector, "text", text, "timeout", wait.toMillis())).asText();
    }

    /** The connection state the header shows. */
    String state() {
        return text("#state");
    }

    /** The salesman's table cell ({@code status}, {@code connections}, {@code since}, {@code seen}, {@code position}). */
    String salesmanCell(String salesmanId, String cell) {
        return text("tr[data-salesman='" + salesmanId + "'] ." + cell);
    }

    /** Where the salesman's marker is drawn on the screen. */
    Point marker(String salesmanId) {
        JsonNode box = chromium.call("box", Map.of("selector", "path[data-salesman='" + salesmanId + "']"));
        if (box.isNull()) {
            throw new AssertionError("no marker for " + salesmanId + " on the map");
        }
        return new Point(box.path("x").asDouble() + box.path("width").asDouble() / 2,
                box.path("y").asDouble() + box.path("height").asDouble() / 2);
    }

    int scrollWidth() {
        return chromium.call("scrollWidth", Map.of()).asInt();
    }

    String sessionStorage(String key) {
        JsonNode v = chromium.call("session", Map.of("key", key));
        return v.isNull() ? null : v.asText();
    }

    /** Script errors and console errors the page logged since it was opened. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        chromium.call("problems", Map.of()).forEach(p -> problems.add(p.asText()));
        return problems;
    }

    void screenshot(Path file) {
        chromium.call("screenshot", Map.of("path", file.toAbsolutePath().toString()));
    }
}
