package com.salesmate.realtime.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The node's Redis connections (Lettuce): one for commands and scripts, one for publishing control messages, one
 * subscribed, and two for the bus's stream (appends, and blocking reads). Commands are asynchronous and bounded by the
 * command timeout; while Redis is unreachable they fail at once instead of queueing (so nothing is replayed late,
 * twice, after it returns) except the stream's appends, which queue (each entry carries a sequence number the readers
 * skip repeats by); the connections reconnect by themselves (the subscription too).
 */
final class Redis implements AutoCloseable {
    /** Commands one connection may have waiting for Redis's answer. */
    static final int REQUEST_QUEUE = 100_000;

    private static final RedisCodec<String, byte[]> BINARY = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    private static final String LIB = resource("lib.lua");

    private final RedisURI uri;
    private final Duration commandTimeout;
    private final String where;
    // set by connect(), so that building the node does no I/O
    private volatile ClientResources resources;
    private volatile RedisClient client;
    private volatile StatefulRedisConnection<String, String> commands;
    private volatile StatefulRedisConnection<String, byte[]> publisher;
    private volatile StatefulRedisPubSubConnection<String, byte[]> subscriber;
    // the stream's: appends queue while the connection comes back (a client of their own, with that behaviour), and
    // a connection of its own for the blocking reads
    private volatile RedisClient streamClient;
    private volatile StatefulRedisConnection<String, String> streamCommands;
    private volatile StatefulRedisConnection<String, String> streamReader;
    private volatile boolean opened;

    /** A Lua script of this package (lib.lua prepended), run by its digest and loaded again when Redis lost it. */
    static final class Script {
        private final String body;
        private final String sha;

        Script(String name) {
            this.body = LIB + "\n" + resource(name);
            this.sha = sha1(body);
        }
    }

    /** Where to connect; nothing is opened until {@link #connect()}. */
    Redis(String url, Duration commandTimeout) {
        this.uri = RedisURI.create(url);
        this.commandTimeout = commandTimeout;
        this.where = (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
    }

    /** Opens the three connections; throws, saying where, when Redis cannot be reached. */
    Redis connect() {
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(1), 2,
                        java.util.concurrent.TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                // bounded: a Redis that stalls (not down) cannot grow the node's memory with queued commands; past it a
                // command fails at once, as while disconnected (emits count this node only, listings answer 503)
                .requestQueueSize(REQUEST_QUEUE)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(SocketOptions.builder().connectTimeout(commandTimeout).keepAlive(true).build())
                .build());
        this.streamClient = RedisClient.create(resources, uri);
        streamClient.setOptions(client.getOptions().mutate()
                // queued while the connection comes back, sent when it is back, each bounded by the command timeout:
                // an emit made while a NAT or a proxy cut the connection reaches the stream after all
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .build());
        try {
            this.commands = client.connect(StringCodec.UTF8);
            this.publisher = client.connect(BINARY);
            this.subscriber = client.connectPubSub(BINARY);
            this.streamCommands = streamClient.connect(StringCodec.UTF8);
            this.streamReader = client.connect(StringCodec.UTF8);
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("Redis at " + where + " is unreachable: " + e.getMessage(), e);
        }
        opened = true;
        return this;
    }

    /** Whether {@link #connect()} succeeded (since then the connections reconnect by themselves). */
    boolean opened() {
        return opened;
    }

    /** Where Redis is, without credentials. */
    String where() {
        return where;
    }

    RedisAsyncCommands<String, String> commands() {
        return opened(commands).async();
    }

    io.lettuce.core.api.sync.RedisCommands<String, String> syncCommands() {
        return opened(commands).sync();
    }

    RedisAsyncCommands<String, byte[]> publisher() {
        return opened(publisher).async();
    }

    /** Stream appends and reads that do not block: queued while disconnected (see {@link #connect()}). */
    StatefulRedisConnection<String, String> streamCommands() {
        return opened(streamCommands);
    }

    /** The connection that blocks in XREAD; used by one thread. */
    StatefulRedisConnection<String, String> streamReader() {
        return opened(streamReader);
    }

    Duration commandTimeout() {
        return commandTimeout;
    }

    /** Replaces the reading connection (one that times out again and again may be dead without knowing it). */
    void reopenStreamReader() {
        StatefulRedisConnection<String, String> old = streamReader;
        try {
            streamReader = client.connect(StringCodec.UTF8);
        } catch (RuntimeException e) {
            return; // Redis unreachable: the old one reconnects by itself, or is replaced at the next attempt
        }
        try {
            old.close();
        } catch (RuntimeException e) {
            // going anyway
        }
    }

    /** How long an XREAD blocks: under the command timeout, which bounds it too. */
    long blockMillis() {
        return Math.max(50, Math.min(1_000, commandTimeout.toMillis() / 2));
    }

    StatefulRedisPubSubConnection<String, byte[]> subscriber() {
        return opened(subscriber);
    }

    boolean connected() {
        return commands != null && publisher != null && subscriber != null && streamCommands != null
                && streamReader != null && commands.isOpen() && publisher.isOpen() && subscriber.isOpen()
                && streamCommands.isOpen() && streamReader.isOpen();
    }

    /** Before {@link #connect()} a command fails at once, as it does while Redis is unreachable. */
    private <C> C opened(C connection) {
        if (connection == null) {
            throw new IllegalStateException("not connected to Redis at " + where + " yet");
        }
        return connection;
    }

    /** Runs a script by digest; loads it (EVAL) when Redis does not have it, e.g. after a restart. */
    <T> CompletionStage<T> run(Script script, ScriptOutputType type, String... args) {
        RedisAsyncCommands<String, String> async = commands();
        String[] none = new String[0];
        CompletionStage<T> bySha = async.<T>evalsha(script.sha, type, none, args);
        return bySha.toCompletableFuture().exceptionallyCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
            if (cause instanceof RedisNoScriptException) {
                return async.<T>eval(script.body, type, none, args).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {streamReader, streamCommands, subscriber, publisher, commands}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        if (streamClient != null) {
            streamClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (resources != null) {
            resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static String resource(String name) {
        try (InputStream in = Redis.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
