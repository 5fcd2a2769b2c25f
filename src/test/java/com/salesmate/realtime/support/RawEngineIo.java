package com.salesmate.realtime.support;

import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** A disobedient, hand-written Engine.IO 4 / Socket.IO 5 client (JDK only) for tests of what the server enforces. */
public final class RawEngineIo implements AutoCloseable {
    /*
     * It records every packet it receives, answers server pings (switchable), ignores 41, and keeps sending whatever a
     * test tells it to. Polling (java.net.http): one POST per send, a background loop of GETs; the session counts as
     * closed once a GET or POST with its sid is answered 400 with "code":1, or the server refuses the connection.
     * Websocket: RFC 6455 by hand over a plain socket (RawHttp), because java.net.http.WebSocket does not always report
     * a server's TCP close that comes without a close frame (its socket sits in CLOSE-WAIT, neither onClose nor onError
     * is called); closed once a close frame arrived (answered, as clients do) or the connection ended.
     */
    public static final String SEPARATOR = "\u001e";
    public static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(60);

    private final String socketUrl;
    private final Map<String, String> headers;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private volatile String transport;
    private volatile String sid;
    private volatile JSONObject handshake;
    private volatile boolean answerPings = true;

    // received packets: all of them, and those no await has consumed yet
    private final List<String> all = new ArrayList<>();
    private final LinkedList<String> unconsumed = new LinkedList<>();
    private final Object lock = new Object();

    // closing
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile int closeCode = -1;
    private volatile String closeReason;
    private volatile Throwable closeError;
    private volatile boolean released;

    // polling
    private volatile Thread poller;
    private volatile boolean pollingPaused;
    private volatile CompletableFuture<HttpResponse<String>> pendingPoll;
    private final AtomicInteger pollsAnswered = new AtomicInteger();
    private volatile int lastStatus;
    private volatile String lastErrorBody;

    // websocket
    private volatile RawHttp ws;
    private final Object sendLock = new Object();
    private final CompletableFuture<JSONObject> wsOpen = new CompletableFuture<>();

    private RawEngineIo(String socketUrl, Map<String, String> headers) {
        this.socketUrl = socketUrl;
        this.headers = new LinkedHashMap<>(headers);
    }

    public static RawEngineIo websocket(String socketUrl) {
        return open(socketUrl, "websocket");
    }

    public static RawEngineIo polling(String socketUrl) {
        return open(socketUrl, "polling");
    }

    public static RawEngineIo open(String socketUrl, String transport) {
        return open(socketUrl, transport, Map.of());
    }

    /** Opens an Engine.IO session over the transport, with extra request headers (e.g. Origin); fails if refused. */
    public static RawEngineIo open(String socketUrl, String transport, Map<String, String> headers) {
        RawEngineIo c = new RawEngineIo(socketUrl, headers);
        try {
            switch (transport) {
                case "websocket" -> c.openWebsocket(null);
                case "polling" -> c.openPolling();
                default -> throw new IllegalArgumentException("transport " + transport);
            }
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** {@code /socket.io/?EIO=4&transport=T[&sid=S]}. */
    public static String endpoint(String socketUrl, String transport, String sid) {
        return socketUrl + "/socket.io/?EIO=4&transport=" + transport + (sid == null ? "" : "&sid=" + sid);
    }

    // ---- opening ---------------------------------------------------------------------------------------------------

    private void openPolling() {
        this.transport = "polling";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint(socketUrl, "polling", null)))
                .timeout(HTTP_TIMEOUT).GET();
        headers.forEach(b::header);
        HttpResponse<String> res;
        try {
            res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("polling handshake failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        lastStatus = res.statusCode();
        if (res.statusCode() != 200 || !res.body().startsWith("0{")) {
            throw new AssertionError("polling handshake answered " + res.statusCode() + " " + res.body());
        }
        String[] packets = res.body().split(SEPARATOR, -1);
        this.handshake = parseObject(packets[0].substring(1));
        this.sid = handshake.optString("sid", null);
        for (int i = 1; i < packets.length; i++) {
            onPacket(packets[i]);
        }
        startPolling();
    }

    /** Opens a websocket: a fresh session (sid null, waits for the OPEN packet) or an upgrade of {@code sid}. */
    private void openWebsocket(String upgradeSid) {
        if (upgradeSid == null) {
            this.transport = "websocket";
        }
        URI uri = URI.create(endpoint(socketUrl, "websocket", upgradeSid)); // the server is on 127.0.0.1
        int port = uri.getPort();
        String target = uri.getRawPath() + "?" + uri.getRawQuery();
        RawHttp conn = RawHttp.connect(port);
        RawHttp.Response answer;
        try {
            answer = conn.write(RawHttp.get(target, port, RawHttp.websocketHeaders(headers))).read(HTTP_TIMEOUT);
        } catch (RuntimeException | AssertionError e) {
            conn.close();
            throw new AssertionError("websocket to " + target + " failed: " + e, e);
        }
        lastStatus = answer.status();
        if (answer.status() != 101) {
            conn.close();
            lastErrorBody = answer.text();
            throw new AssertionError("websocket to " + target + " refused: " + answer);
        }
        ws = conn;
        Thread reader = new Thread(() -> readFrames(conn), "raw-eio-ws");
        reader.setDaemon(true);
        reader.start();
        if (upgradeSid != null) {
            return; // an upgrading websocket gets no OPEN packet
        }
        try {
            this.handshake = wsOpen.get(HTTP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            throw new AssertionError("no OPEN packet on the websocket; received " + received(), e);
        }
        this.sid = handshake.optString("sid", null);
    }

    /**
     * Upgrades this polling session to websocket by hand, as a client does: websocket with the sid, {@code 2probe},
     * {@code 3probe}, polling paused (the pending GET is let to return), then {@code 5}. From then on sends go over the
     * websocket; whatever the last GET returned meanwhile is in {@link #received()} as usual.
     */
    public void upgrade() {
        if (!"polling".equals(transport)) {
            throw new IllegalStateException("upgrade from " + transport);
        }
        openWebsocket(sid);
        sendWs("2probe");
        awaitPacket("3probe"::equals, WAIT);
        pollingPaused = true; // no new GET; the server answers the pending one (noop) once probed
        Thread t = poller;
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        this.transport = "websocket";
        sendWs("5");
    }

    // ---- polling loop ----------------------------------------------------------------------------------------------

    private void startPolling() {
        Thread t = new Thread(this::pollLoop, "raw-eio-poll-" + sid);
        t.setDaemon(true);
        poller = t;
        t.start();
    }

    private void pollLoop() {
        while (!released && !pollingPaused && closed.getCount() > 0) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(endpoint(socketUrl, "polling", sid)))
                    .timeout(POLL_TIMEOUT).GET().build();
            CompletableFuture<HttpResponse<String>> f = http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
            pendingPoll = f;
            HttpResponse<String> res;
            try {
                res = f.get();
            } catch (InterruptedException e) {
                f.cancel(true);
                return;
            } catch (ExecutionException e) {
                if (released) {
                    return;
                }
                if (refused(e.getCause())) {
                    markClosed(-1, "connection refused", e.getCause());
                    return;
                }
                pause(); // reset or timeout: poll again; a dead session answers 400 code 1
                continue;
            } catch (java.util.concurrent.CancellationException e) {
                return;
            }
            pollsAnswered.incrementAndGet();
            record(res);
            if (res.statusCode() == 200) {
                for (String p : res.body().split(SEPARATOR, -1)) {
                    if (!p.isEmpty()) {
                        onPacket(p);
                    }
                }
            } else if (!closedAnswer(res)) {
                pause(); // e.g. 400 code 3 for a second GET: the next GET tells whether the session lives
            }
        }
    }

    private static boolean refused(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void record(HttpResponse<String> res) {
        lastStatus = res.statusCode();
        if (res.statusCode() != 200) {
            lastErrorBody = res.body();
        }
    }

    /** True (and marks this closed) when the answer is 400 {@code "code":1}: the session is gone. */
    private boolean closedAnswer(HttpResponse<String> res) {
        if (res.statusCode() != 400) {
            return false;
        }
        try {
            if (new JSONObject(res.body()).optInt("code", -1) == 1 && res.body().trim().startsWith("{")) {
                markClosed(400, res.body(), null);
                return true;
            }
        } catch (JSONException notJson) {
            // not the contract's error body: not a "closed" answer
        }
        return false;
    }

    /** Number of GET polls answered so far (any status). */
    public int pollsAnswered() {
        return pollsAnswered.get();
    }

    // ---- receiving -------------------------------------------------------------------------------------------------

    private void onPacket(String packet) {
        synchronized (lock) {
            all.add(packet);
            unconsumed.add(packet);
            lock.notifyAll();
        }
        if (handshake == null && packet.startsWith("0{") && !wsOpen.isDone()) {
            try {
                wsOpen.complete(new JSONObject(packet.substring(1)));
            } catch (JSONException e) {
                wsOpen.completeExceptionally(e);
            }
        }
        if (answerPings && packet.equals("2")) {
            CompletableFuture.runAsync(() -> send("3")); // not on the reader's thread
        }
    }

    /** Whether server pings {@code 2} are answered with {@code 3} (default true). */
    public RawEngineIo answerPings(boolean answer) {
        this.answerPings = answer;
        return this;
    }

    /** The first not yet consumed packet matching, consumed; AssertionError with everything received if none comes. */
    public String awaitPacket(Predicate<String> p, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        synchronized (lock) {
            while (true) {
                for (Iterator<String> it = unconsumed.iterator(); it.hasNext(); ) {
                    String packet = it.next();
                    if (p.test(packet)) {
                        it.remove();
                        return packet;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching packet within " + within + " over " + transport
                            + "; received "
                            + abbreviated(all) + (isClosed() ? " (closed: " + closeDescription() + ")" : " (open)"));
                }
                try {
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Waits for this exact packet. */
    public String awaitPacket(String exactly, Duration within) {
        return awaitPacket(exactly::equals, within);
    }

    /** Fails if a not yet consumed packet matching arrives (or is there) within the time. */
    public void assertNoPacket(Predicate<String> p, Duration within, String what) {
        String found;
        try {
            found = awaitPacket(p, within);
        } catch (AssertionError none) {
            return;
        }
        throw new AssertionError("unexpected " + what + ": " + abbreviate(found) + "; received "
                + abbreviated(received()));
    }

    /** Every packet received so far, in order (pings included). */
    public List<String> received() {
        synchronized (lock) {
            return List.copyOf(all);
        }
    }

    private static List<String> abbreviated(List<String> packets) {
        List<String> out = new ArrayList<>();
        for (String p : packets) {
            out.add(abbreviate(p));
        }
        return out;
    }

    private static String abbreviate(String p) {
        return p.length() > 300 ? p.substring(0, 300) + "...(" + p.length() + " chars)" : p;
    }

    // ---- sending ---------------------------------------------------------------------------------------------------

    /** One Engine.IO packet as text. True when the server took it (polling: 200; websocket: frame sent). */
    public boolean send(String packet) {
        return sendRaw(packet);
    }

    /** Polling: exactly this POST body (may hold several packets separated by U+001E); websocket: this text frame. */
    public boolean sendRaw(String body) {
        if ("websocket".equals(transport)) {
            return sendWs(body);
        }
        return post(body.getBytes(StandardCharsets.UTF_8), "text/plain;charset=UTF-8");
    }

    /** Websocket: one binary frame; polling: a POST with Content-Type application/octet-stream. */
    public boolean sendBinary(byte[] data) {
        if ("websocket".equals(transport)) {
            synchronized (sendLock) {
                return ws.sendFrame(RawHttp.Frame.BINARY, data);
            }
        }
        return post(data, "application/octet-stream");
    }

    private boolean sendWs(String text) {
        RawHttp conn = ws;
        if (conn == null) {
            return false;
        }
        synchronized (sendLock) {
            boolean sent = conn.sendText(text);
            if (!sent) {
                lastErrorBody = "websocket write failed (connection gone)";
            }
            return sent;
        }
    }

    private boolean post(byte[] body, String contentType) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(endpoint(socketUrl, "polling", sid)))
                .timeout(HTTP_TIMEOUT)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
            record(res);
            if (res.statusCode() == 200) {
                return true;
            }
            closedAnswer(res);
            return false;
        } catch (IOException e) {
            lastStatus = -1;
            lastErrorBody = String.valueOf(e);
            if (refused(e)) {
                markClosed(-1, "connection refused", e);
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ---- Socket.IO -------------------------------------------------------------------------------------------------

    /** {@code 42<ackId>["event",payload]}; a negative ackId sends no ack id. */
    public boolean emit(String event, Object payload, int ackId) {
        return send("42" + (ackId < 0 ? "" : Integer.toString(ackId)) + new JSONArray().put(event).put(payload));
    }

    /** {@code 42["event",payload]} without an ack id. */
    public boolean emit(String event, Object payload) {
        return emit(event, payload, -1);
    }

    /** Predicate of the ack packet {@code 43<ackId>[...]} of the default namespace. */
    public static Predicate<String> ackPacket(int ackId) {
        Pattern pattern = Pattern.compile("^43" + ackId + "\\[.*", Pattern.DOTALL);
        return p -> pattern.matcher(p).matches();
    }

    /** The first argument of {@code 43<ackId>[{...}]}. */
    public JSONObject awaitAck(int ackId, Duration within) {
        String packet = awaitPacket(ackPacket(ackId), within);
        JSONObject first = parseArray(packet.substring(2 + Integer.toString(ackId).length())).optJSONObject(0);
        if (first == null) {
            throw new AssertionError("ack " + ackId + " without an object: " + packet);
        }
        return first;
    }

    /** Predicate of an event packet {@code 42["event",...]} of the default namespace. */
    public static Predicate<String> eventPacket(String event) {
        String prefix = "42" + new JSONArray().put(event).toString().replaceFirst("]$", "");
        return p -> p.startsWith(prefix + ",") || p.equals(prefix + "]");
    }

    /** The data (second element) of the next {@code 42["event",data]}. */
    public JSONObject awaitEvent(String event, Duration within) {
        String packet = awaitPacket(eventPacket(event), within);
        return parseArray(packet.substring(2)).optJSONObject(1);
    }

    /** Sends {@code 40} (token null) or {@code 40{"token":...}}; returns the {@code 40...} or {@code 44...} answer. */
    public String connect(String tokenOrNull) {
        send(tokenOrNull == null ? "40" : "40" + object("token", tokenOrNull));
        return awaitPacket(RawEngineIo::isConnectAnswer, WAIT);
    }

    /** {@code 40}/{@code 44} of the default namespace (not {@code 40/other,}). */
    public static boolean isConnectAnswer(String p) {
        return (p.startsWith("40") || p.startsWith("44")) && !(p.length() > 2 && p.charAt(2) == '/');
    }

    /** Connects with the token, asserting {@code 40{"sid":..}}; waits for {@code authenticated}, returns its data. */
    public JSONObject authenticate(String token) {
        String answer = connect(token);
        if (!answer.startsWith("40{")) {
            throw new AssertionError("CONNECT with a token answered " + answer);
        }
        return awaitEvent("authenticated", WAIT);
    }

    // ---- JSON (org.json 20090211 has checked exceptions) ------------------------------------------------------------

    public static JSONObject parseObject(String json) {
        try {
            return new JSONObject(json);
        } catch (JSONException e) {
            throw new AssertionError("not a JSON object: " + abbreviate(json), e);
        }
    }

    public static JSONArray parseArray(String json) {
        try {
            return new JSONArray(json);
        } catch (JSONException e) {
            throw new AssertionError("not a JSON array: " + abbreviate(json), e);
        }
    }

    /** An object of the key, value pairs. */
    public static JSONObject object(Object... keyValues) {
        JSONObject o = new JSONObject();
        try {
            for (int i = 0; i < keyValues.length; i += 2) {
                o.put((String) keyValues[i], keyValues[i + 1]);
            }
        } catch (JSONException e) {
            throw new IllegalArgumentException(e);
        }
        return o;
    }

    /** The object's keys. */
    public static java.util.Set<String> keys(JSONObject o) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (Iterator<?> it = o.keys(); it.hasNext(); ) {
            out.add((String) it.next());
        }
        return out;
    }

    // ---- state -----------------------------------------------------------------------------------------------------

    public String sid() {
        return sid;
    }

    public JSONObject handshake() {
        return handshake;
    }

    /** "websocket" or "polling" (the current transport: websocket after {@link #upgrade()}). */
    public String transport() {
        return transport;
    }

    /** Waits until the transport is closed (see the class comment); true if it is. */
    public boolean awaitClosed(Duration within) {
        try {
            return closed.await(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isClosed() {
        return closed.getCount() == 0;
    }

    /**
     * Websocket: the close frame's status code (1006 if the connection ended without one). Polling: 400 (answered
     * code 1) or -1 (refused). -1 while open.
     */
    public int closeCode() {
        return closeCode;
    }

    public String closeDescription() {
        return closeCode + " " + closeReason + (closeError == null ? "" : " " + closeError);
    }

    /** Status of the last polling request's answer (-1 if it failed without an answer). */
    public int lastStatus() {
        return lastStatus;
    }

    /** Body of the last non-200 polling answer, or the last send failure. */
    public String lastErrorBody() {
        return lastErrorBody;
    }

    private void markClosed(int code, String reason, Throwable error) {
        if (closed.getCount() == 0) {
            return;
        }
        this.closeCode = code;
        this.closeReason = reason;
        this.closeError = error;
        closed.countDown();
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** The network goes: polling stops and the websocket's TCP connection is closed, with nothing said to the server. */
    public void drop() {
        release(false);
    }

    /** Releases everything quietly: stops polling, drops the websocket. Never throws. */
    @Override
    public void close() {
        release(true);
    }

    /** Stops polling and drops the websocket; {@code sayClose}: a polling session is told {@code 1} first. */
    private void release(boolean sayClose) {
        released = true;
        try {
            CompletableFuture<HttpResponse<String>> pending = pendingPoll;
            if (pending != null) {
                pending.cancel(true);
            }
            Thread t = poller;
            if (t != null) {
                t.interrupt();
            }
            if (sayClose && "polling".equals(transport) && sid != null && !isClosed()) {
                post("1".getBytes(StandardCharsets.UTF_8), "text/plain;charset=UTF-8");
            }
            RawHttp conn = ws;
            if (conn != null) {
                conn.close();
            }
        } catch (RuntimeException ignored) {
            // quiet
        }
    }

    /** The websocket reader: packets from text frames (fragments joined), pongs, the close frame answered. */
    private void readFrames(RawHttp conn) {
        StringBuilder fragments = null;
        while (true) {
            java.util.Optional<RawHttp.Frame> next;
            try {
                next = conn.readFrameBlocking();
            } catch (RuntimeException | AssertionError e) {
                markClosed(1006, "connection failed", e);
                return;
            }
            if (next.isEmpty()) {
                markClosed(1006, "connection ended without a close frame", null);
                return;
            }
            RawHttp.Frame f = next.get();
            switch (f.opcode()) {
                case RawHttp.Frame.TEXT -> {
                    if (f.fin()) {
                        onPacket(f.text());
                    } else {
                        fragments = new StringBuilder(f.text());
                    }
                }
                case 0 -> { // continuation
                    if (fragments != null) {
                        fragments.append(f.text());
                        if (f.fin()) {
                            onPacket(fragments.toString());
                            fragments = null;
                        }
                    }
                }
                case RawHttp.Frame.BINARY -> onPacket("<binary " + f.payload().length + " bytes>");
                case RawHttp.Frame.PING -> {
                    synchronized (sendLock) {
                        conn.sendFrame(0xA, f.payload());
                    }
                }
                case RawHttp.Frame.CLOSE -> {
                    synchronized (sendLock) {
                        conn.sendFrame(RawHttp.Frame.CLOSE, f.payload()); // the closing handshake, as clients do
                    }
                    int code = f.closeCode();
                    String reason = f.payload().length > 2
                            ? new String(f.payload(), 2, f.payload().length - 2, StandardCharsets.UTF_8) : "";
                    markClosed(code, reason, null);
                    return;
                }
                default -> {
                    // pong or reserved: nothing to do
                }
            }
        }
    }
}
