package com.salesmate.realtime.support;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import org.json.JSONObject;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real Socket.IO client (io.socket:socket.io-client, what Android apps use) that records every event it receives,
 * for tests: connect, emit with ack, await or rule out events. No automatic reconnection.
 */
public final class SioClient implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(10);

    private final Socket socket;
    private final Map<String, BlockingQueue<Object[]>> received = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final CompletableFuture<Object> connectError = new CompletableFuture<>();
    private final CompletableFuture<String> disconnected = new CompletableFuture<>();

    private SioClient(String url, IO.Options options) {
        this.socket = IO.socket(URI.create(url), options);
        socket.onAnyIncoming(args -> {
            String event = (String) args[0];
            Object[] rest = new Object[args.length - 1];
            System.arraycopy(args, 1, rest, 0, rest.length);
            queue(event).add(rest);
        });
        socket.on(Socket.EVENT_CONNECT, a -> connected.complete(null));
        socket.on(Socket.EVENT_CONNECT_ERROR, a -> connectError.complete(a.length > 0 ? a[0] : null));
        socket.on(Socket.EVENT_DISCONNECT, a -> disconnected.complete(a.length > 0 ? String.valueOf(a[0]) : ""));
    }

    /** Options: no reconnection, the given transports ("websocket", "polling"), optional handshake auth token. */
    public static IO.Options options(String token, String... transports) {
        IO.Options o = IO.Options.builder()
                .setReconnection(false)
                .setForceNew(true)
                .setTimeout(10_000)
                .setTransports(transports.length == 0 ? new String[]{"websocket"} : transports)
                .build();
        if (token != null) {
            o.auth = Map.of("token", token);
        }
        return o;
    }

    /** Starts connecting; returns at once. */
    public static SioClient open(String url, IO.Options options) {
        SioClient c = new SioClient(url, options);
        c.socket.connect();
        return c;
    }

    /** Connects with a handshake token over websocket and waits for {@code authenticated}. */
    public static SioClient authenticated(String url, String token, String... transports) {
        SioClient c = open(url, options(token, transports));
        c.awaitConnected();
        c.await("authenticated");
        return c;
    }

    /** Connects without a token (authenticate later with the event). */
    public static SioClient anonymous(String url, String... transports) {
        SioClient c = open(url, options(null, transports));
        c.awaitConnected();
        return c;
    }

    public Socket socket() {
        return socket;
    }

    public void awaitConnected() {
        connected.orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** The connect_error argument (the Java client gives the error data object). */
    public Object awaitConnectError() {
        return connectError.orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** The disconnect reason. */
    public String awaitDisconnected() {
        return awaitDisconnected(WAIT);
    }

    public String awaitDisconnected(Duration wait) {
        return disconnected.orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** True once the server refused the CONNECT (connect_error). */
    public boolean hasConnectError() {
        return connectError.isDone();
    }

    public boolean isDisconnected() {
        return disconnected.isDone();
    }

    public boolean isConnected() {
        return socket.connected();
    }

    /** Emits and waits for the ack's first argument. */
    public JSONObject emitAck(String event, Object payload) {
        CompletableFuture<Object> ack = new CompletableFuture<>();
        socket.emit(event, new Object[]{payload}, (Ack) args -> ack.complete(args.length > 0 ? args[0] : null));
        return (JSONObject) ack.orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** Emits with an ack callback; the future completes with the ack's first argument. */
    public CompletableFuture<JSONObject> emitAsync(String event, Object payload) {
        CompletableFuture<JSONObject> ack = new CompletableFuture<>();
        socket.emit(event, new Object[]{payload}, (Ack) args -> ack.complete(args.length > 0 ? (JSONObject) args[0] : null));
        return ack;
    }

    /** Emits without an ack callback. */
    public void emit(String event, Object payload) {
        socket.emit(event, payload);
    }

    private BlockingQueue<Object[]> queue(String event) {
        return received.computeIfAbsent(event, e -> new LinkedBlockingQueue<>());
    }

    /** Waits for the next {@code event} and returns its first argument. */
    public Object await(String event) {
        return await(event, WAIT);
    }

    public Object await(String event, Duration wait) {
        try {
            Object[] args = queue(event).poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (args == null) {
                throw new AssertionError("no '" + event + "' within " + wait);
            }
            return args.length > 0 ? args[0] : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public JSONObject awaitObject(String event) {
        return (JSONObject) await(event);
    }

    /** Asserts that no {@code event} arrives within {@code wait}. */
    public void assertNone(String event, Duration wait) {
        try {
            Object[] args = queue(event).poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (args != null) {
                throw new AssertionError("unexpected '" + event + "': " + (args.length > 0 ? args[0] : ""));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Everything of {@code event} received so far (removed from the queue). */
    public List<Object> drain(String event) {
        List<Object[]> all = new ArrayList<>();
        queue(event).drainTo(all);
        List<Object> firsts = new ArrayList<>();
        for (Object[] a : all) {
            firsts.add(a.length > 0 ? a[0] : null);
        }
        return firsts;
    }

    @Override
    public void close() {
        socket.disconnect();
        socket.close();
    }
}
