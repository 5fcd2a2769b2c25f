package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.auth.Revocations;
import com.salesmate.realtime.core.Ids;
import com.salesmate.realtime.hub.ConnectionRegistry;
import com.salesmate.realtime.hub.LocalDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Revocations, the disconnect task and recovery's hand-over, for every node: a revocation is stored in Redis and told to
 * the other nodes, a disconnect is told to them, a node asks for a recovering phone's old socket, and what they tell
 * this node over the {@link ControlChannel} is applied here.
 */
final class ClusterControl {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterControl.class);

    private final ControlChannel channel;
    private final SharedState state;
    private final Revocations revocations;
    private final ConnectionRegistry registry;
    private final Duration wait;
    private final ClusterRecovery recovery;

    ClusterControl(ControlChannel channel, SharedState state, Revocations revocations, ConnectionRegistry registry,
                   Duration wait, ClusterRecovery recovery) {
        this.recovery = recovery;
        this.channel = channel;
        this.state = state;
        this.revocations = revocations;
        this.registry = registry;
        this.wait = wait;
    }

    /** Stored in Redis, then told to the other nodes; completes when both are done (a revocation waits for it). */
    CompletionStage<?> revoked(String kind, String id, Instant until) {
        return state.revoke(kind, id, until.toEpochMilli())
                .thenCompose(ok -> channel.send(Map.of("type", "revoke", "kind", kind, "id", id,
                        "until", until.toEpochMilli())));
    }

    /** Tells the other nodes to close their sockets of the target; throws when Redis did not take the message. */
    void askOthersToDisconnect(String tenantId, String salesmanId) {
        Map<String, Object> message = new LinkedHashMap<>(); // not Map.of: one of the ids is null
        message.put("type", "disconnect");
        message.put("tenantId", tenantId);
        message.put("salesmanId", salesmanId);
        try {
            channel.send(message).toCompletableFuture().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the disconnect was not published", e);
        }
    }

    /** Every revocation still in force, as stored in Redis (at start, and after Redis came back). Blocking. */
    void reloadRevocations() {
        state.revocations().forEach((key, until) -> {
            int colon = key.indexOf(':');
            if (colon > 0) {
                revocations.restore(key.substring(0, colon), key.substring(colon + 1), Instant.ofEpochMilli(until));
            }
        });
    }

    /** What arrives on the control channel: applied when genuine and from another node. */
    void onControl(byte[] wire) {
        channel.open(wire).ifPresent(this::apply);
    }

    private void apply(JsonNode m) {
        switch (m.path("type").asText()) {
            case "revoke" -> {
                String kind = m.path("kind").asText();
                String id = m.path("id").asText();
                if (Ids.isValid(id) && m.path("until").canConvertToLong()
                        && (Revocations.SALESMAN.equals(kind) || Revocations.TENANT.equals(kind))) {
                    revocations.restore(kind, id, Instant.ofEpochMilli(m.path("until").asLong()));
                }
            }
            case "disconnect" -> {
                String tenantId = m.path("tenantId").isTextual() ? m.path("tenantId").asText() : null;
                String salesmanId = m.path("salesmanId").isTextual() ? m.path("salesmanId").asText() : null;
                String target = salesmanId != null ? salesmanId : tenantId;
                if (target != null && Ids.isValid(target)) {
                    int n = LocalDirectory.closeHere(registry, tenantId, salesmanId);
                    LOG.info("disconnected {} sockets of {} {} (asked by node {})", n,
                            salesmanId != null ? "salesman" : "tenant", target, m.path("from").asText());
                }
            }
            case "release" -> {
                // a phone came back on another node before this one saw it go: its socket here is let go (saved)
                if (recovery != null && m.path("pid").isTextual() && m.path("tenantId").isTextual()
                        && m.path("userId").isTextual()) {
                    recovery.released(m.path("pid").asText(), m.path("tenantId").asText(),
                            m.path("userId").asText());
                }
            }
            default -> LOG.warn("unknown control message dropped");
        }
    }
}
