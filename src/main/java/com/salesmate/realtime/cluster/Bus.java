package com.salesmate.realtime.cluster;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.hub.Events;
import com.salesmate.realtime.hub.LocalPublisher;
import com.salesmate.realtime.hub.OutboundEvent;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The pub/sub side of Redis: the control channel between nodes, this node's echo channel (proof that its subscription
 * receives), and the classic Socket.IO Redis adapter's channels, on which Node.js services publish with
 * {@code @socket.io/redis-emitter}; what they publish is delivered to this node's sockets as it arrives (live only: it
 * is not in the stream, so it carries no offset and is not replayed to a recovering socket). The nodes' own emits go
 * through the {@link StreamBus}. Anyone who can publish on Redis can send here, so a message that is too large, does
 * not decode, names another namespace or a reserved event, or carries binary data is dropped and counted, before any
 * socket sees it.
 */
final class Bus {
    private static final Logger LOG = LoggerFactory.getLogger(Bus.class);
    static final String PUBLISHED = "cluster.messages.published";
    static final String RECEIVED = "cluster.messages.received";
    static final String DROPPED = "cluster.messages.dropped";

    private final Redis redis;
    private final AdapterCodec codec;
    private final String uid;
    private final String controlChannel;
    private final int maxBytes;
    private final ObjectMapper json;
    private final Meter received;
    private final Drops drops;
    /** This node's own channel, on which it hears itself: proof that its subscription still receives. */
    private final String echoChannel;
    private volatile long lastHeard = System.currentTimeMillis();
    private volatile LocalPublisher local;
    private volatile Consumer<byte[]> control = b -> { };
    /**
     * What arrives is decoded and fanned out here, one message at a time in arrival order, never on Lettuce's I/O
     * thread (a fan-out to thousands of sockets would stall every Redis reply of the node meanwhile). Bounded: past
     * {@link #BACKLOG} waiting messages one is dropped and counted (backlog) rather than memory grown.
     */
    private final java.util.concurrent.ThreadPoolExecutor fanout;
    static final int BACKLOG = 100_000;

    Bus(Redis redis, String channelKey, String uid, String controlChannel, int maxBytes, ObjectMapper json,
        MetricRegistry metrics) {
        this.redis = redis;
        this.codec = new AdapterCodec(channelKey);
        this.uid = uid;
        this.controlChannel = controlChannel;
        this.echoChannel = controlChannel + "#echo#" + uid;
        this.maxBytes = maxBytes;
        this.json = json;
        this.received = metrics.meter(RECEIVED);
        this.drops = new Drops(metrics);
        this.fanout = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, java.util.concurrent.TimeUnit.MILLISECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(BACKLOG), r -> {
                    Thread t = new Thread(r, "cluster-bus-" + uid);
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Stops fanning out (the node is leaving). */
    void stop() {
        fanout.shutdownNow();
    }

    private void arrived(String channel, byte[] message) {
        if (channel.equals(echoChannel)) {
            lastHeard = System.currentTimeMillis(); // here, not behind a backlog of fan-outs
            return;
        }
        try {
            fanout.execute(() -> onMessage(channel, message));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (!fanout.isShutdown()) {
                drop("backlog", BACKLOG + " messages waiting to be fanned out");
            }
        }
    }

    /** Starts delivering to {@code local} what arrives, and hands control messages to {@code control}. */
    void start(LocalPublisher local, Consumer<byte[]> control) {
        this.local = local;
        this.control = control;
        redis.subscriber().addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, byte[] message) {
                arrived(channel, message);
            }

            @Override
            public void message(String channel, byte[] message) {
                arrived(channel, message);
            }
        });
        // every namespace's channels, so that emits to a namespace this service does not serve are counted
        redis.subscriber().sync().psubscribe(codec.everyNamespace());
        redis.subscriber().sync().subscribe(controlChannel, echoChannel);
        lastHeard = System.currentTimeMillis();
    }

    /**
     * Publishes on this node's own echo channel: when its subscription receives, {@link #lastHeard()} moves. A
     * subscription Redis dropped, or a connection a NAT forgot, stops it while every command still works.
     */
    void echo() {
        try {
            redis.publisher().publish(echoChannel, new byte[0]);
        } catch (RuntimeException e) {
            // not connected: the heartbeat reports that
        }
    }

    /**
     * Subscribes again (Redis answers a repeat as a no-op): a subscription Redis refused when the connection came back
     * is not retried by the client library, so a deaf node asks again itself.
     */
    void resubscribe() {
        try {
            redis.subscriber().async().psubscribe(codec.everyNamespace());
            redis.subscriber().async().subscribe(controlChannel, echoChannel);
        } catch (RuntimeException e) {
            // not connected: asked again at the next beat
        }
    }

    /** When this node last heard itself on its subscription (epoch milliseconds). */
    long lastHeard() {
        return lastHeard;
    }

    /** Publishes a (signed) control message to every node; completes when Redis took it. */
    java.util.concurrent.CompletionStage<Long> control(byte[] message) {
        return redis.publisher().publish(controlChannel, message);
    }

    private void onMessage(String channel, byte[] bytes) {
        if (channel.equals(controlChannel)) {
            control.accept(bytes);
            return;
        }
        received.mark();
        if (bytes.length > maxBytes) {
            drop("too_large", bytes.length + " bytes on " + channel);
            return;
        }
        AdapterMessage message;
        try {
            message = codec.decode(bytes);
        } catch (AdapterCodec.Malformed e) {
            drop("malformed", e.getMessage() + " on " + channel);
            return;
        }
        if (!"/".equals(message.nsp())) {
            drop("unknown_namespace", message.nsp());
            return;
        }
        String refused = refusal(message.event());
        if (refused != null) {
            drop(refused, message.event());
            return;
        }
        List<String> args = new ArrayList<>(message.args().size());
        for (JsonNode arg : message.args()) {
            if (hasBinary(arg)) {
                drop("binary", message.event());
                return;
            }
            try {
                args.add(json.writeValueAsString(arg));
            } catch (JsonProcessingException e) {
                drop("malformed", e.getOriginalMessage());
                return;
            }
        }
        LocalPublisher to = local;
        if (to != null) {
            to.deliver(new OutboundEvent(message.event(), args), message.rooms(), message.except());
        }
    }

    /**
     * Why an event of this name from the bus is dropped (the reason counted), or null when it may be delivered:
     * Socket.IO's reserved names, and the events only the server speaks to one socket or only clients send (e.g. a
     * forged "authenticated" or "auth:error").
     */
    static String refusal(String event) {
        if (Events.SOCKET_IO_RESERVED.contains(event)) {
            return "reserved_event";
        }
        if (Events.NEVER_ON_THE_BUS.contains(event)) {
            return "own_event";
        }
        return null;
    }

    private static boolean hasBinary(JsonNode node) {
        if (node.isBinary()) {
            return true;
        }
        for (JsonNode child : node) {
            if (hasBinary(child)) {
                return true;
            }
        }
        return false;
    }

    private void drop(String reason, String detail) {
        drops.drop(reason, detail);
    }

    Drops drops() {
        return drops;
    }

    /** Messages dropped, counted in total and by reason, and logged at most once per 10 s. */
    static final class Drops {
        private final MetricRegistry metrics;
        private final Meter dropped;
        private final Map<String, Meter> droppedBy = new ConcurrentHashMap<>();
        private final AtomicLong lastDropLog = new AtomicLong();

        Drops(MetricRegistry metrics) {
            this.metrics = metrics;
            this.dropped = metrics.meter(DROPPED);
            // the reasons the shipped alert rules watch exist at 0 from the start, so that increase() sees the
            // first drops too (a series that appears at 3 and stays there shows no increase)
            for (String reason : List.of("publish_failed", "trimmed_unread")) {
                droppedBy.put(reason, metrics.meter(DROPPED + "." + reason));
            }
        }

        void drop(String reason, String detail) {
            dropped.mark();
            droppedBy.computeIfAbsent(reason, r -> metrics.meter(DROPPED + "." + r)).mark();
            long now = System.currentTimeMillis();
            long last = lastDropLog.get();
            if (now - last > 10_000 && lastDropLog.compareAndSet(last, now)) { // at most one line per 10 s
                LOG.warn("cluster message dropped ({}): {}", reason, detail);
            }
        }
    }
}
