package com.salesmate.realtime.cluster;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The nodes' control channel on Redis: each message signed with the cluster's key ({@link ControlSigner}) and carrying
 * its sender, time and a nonce, so that whoever may PUBLISH cannot forge or replay one; a refused one is counted.
 */
final class ControlChannel {
    private static final Logger LOG = LoggerFactory.getLogger(ControlChannel.class);
    static final String REFUSED = "cluster.control.refused";

    private final Bus bus;
    private final ControlSigner signer;
    private final String node;
    private final ObjectMapper json = new ObjectMapper();
    private final Meter refused;
    private final AtomicLong lastRefusalLog = new AtomicLong();

    ControlChannel(Bus bus, ControlSigner signer, String node, MetricRegistry metrics) {
        this.bus = bus;
        this.signer = signer;
        this.node = node;
        this.refused = metrics.meter(REFUSED);
    }

    /** Signed, with a time and a nonce: a receiver takes it once, within a minute, and only from a node. */
    CompletionStage<Long> send(Map<String, Object> message) {
        Map<String, Object> m = new LinkedHashMap<>(message);
        m.put("from", node);
        m.put("at", System.currentTimeMillis());
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        m.put("nonce", HexFormat.of().formatHex(nonce));
        try {
            return bus.control(signer.sign(json.writeValueAsBytes(m)));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The message when genuinely signed, fresh and from another node; empty otherwise (a refusal is counted). */
    Optional<JsonNode> open(byte[] wire) {
        byte[] bytes = signer.verify(wire);
        if (bytes == null) {
            refuse("unsigned or not signed with the cluster's key");
            return Optional.empty();
        }
        JsonNode m;
        try {
            m = json.readTree(bytes);
        } catch (IOException e) {
            refuse("undecodable");
            return Optional.empty();
        }
        if (m == null || node.equals(m.path("from").asText())) {
            return Optional.empty(); // nothing, or this node's own (applied here before it was sent)
        }
        if (!signer.fresh(m.path("nonce").asText(null), m.path("at").asLong(0), System.currentTimeMillis())) {
            refuse("replayed or outside the time window");
            return Optional.empty();
        }
        return Optional.of(m);
    }

    private void refuse(String why) {
        refused.mark();
        long now = System.currentTimeMillis();
        long last = lastRefusalLog.get();
        if (now - last > 10_000 && lastRefusalLog.compareAndSet(last, now)) { // at most one line per 10 s
            LOG.warn("control message refused ({}); {} refused so far (cluster.control.refused)", why,
                    refused.getCount());
        }
    }
}
