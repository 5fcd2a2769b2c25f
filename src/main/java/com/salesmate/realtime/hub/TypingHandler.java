package com.salesmate.realtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.api.TypingEvent;
import com.salesmate.realtime.api.TypingReply;
import com.salesmate.realtime.api.TypingRequest;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Rooms;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code typing} / {@code stop-typing}: relayed to the target room, never to the sender's own sockets, with
 * {@code from} taken from the token. A {@code typing} not refreshed within the timeout ends as a {@code stop-typing}.
 */
class TypingHandler {
    private static final String MANAGERS = "managers";
    private static final String SALESMAN_PREFIX = "salesman:";

    private final Payloads payloads;
    private final Publisher publisher;
    private final ScheduledExecutorService timers;
    private final Duration timeout;
    /** Per socket, each target it is typing to (by {@link Target#key()}) with its timer; dropped when it leaves. */
    private final Map<Connection, Map<String, Typing>> typing = new ConcurrentHashMap<>();

    TypingHandler(Payloads payloads, Publisher publisher, ScheduledExecutorService timers, Duration timeout) {
        this.payloads = payloads;
        this.publisher = publisher;
        this.timers = timers;
        this.timeout = timeout;
    }

    private record Target(String to, String conversationId, String room) {
        String key() {
            return to + "|" + (conversationId == null ? "" : conversationId);
        }
    }

    /** A target being typed to, until {@code timer} ends it. */
    private record Typing(Target target, ScheduledFuture<?> timer) {
    }

    void onTyping(Connection connection, JsonNode payload, Ack ack) {
        Target target = target(connection, payloads.read(Events.TYPING, payload, TypingRequest.class));
        Typing previous = put(connection, new Typing(target,
                timers.schedule(() -> expire(connection, target), timeout.toMillis(), TimeUnit.MILLISECONDS)));
        if (previous != null) {
            previous.timer().cancel(false);
        }
        relay(connection, Events.TYPING, target, ack);
    }

    void onStopTyping(Connection connection, JsonNode payload, Ack ack) {
        Target target = target(connection, payloads.read(Events.STOP_TYPING, payload, TypingRequest.class));
        Typing pending = remove(connection, target.key());
        if (pending != null) {
            pending.timer().cancel(false);
        }
        relay(connection, Events.STOP_TYPING, target, ack);
    }

    /**
     * A socket left: whatever it was typing ends as if {@code stop-typing} came (relayed to each target, no ack) —
     * unless another socket of the same user is still typing to it — and its timers are cancelled.
     */
    void forget(Connection connection) {
        Map<String, Typing> pending = typing.remove(connection);
        if (pending == null) {
            return;
        }
        for (Typing t : pending.values()) {
            t.timer().cancel(false);
            if (!typingElsewhere(connection, t.target().key())) {
                relay(connection, Events.STOP_TYPING, t.target(), Ack.NONE);
            }
        }
    }

    /** True when another socket of {@code connection}'s user has a timer for {@code key}. */
    private boolean typingElsewhere(Connection connection, String key) {
        Identity who = connection.identity();
        for (Connection other : typing.keySet()) {
            Identity them = other.identity();
            if (other != connection && them != null && them.sameSubjectAs(who) && timerFor(other, key) != null) {
                return true;
            }
        }
        return false;
    }

    private Typing timerFor(Connection connection, String key) {
        AtomicReference<Typing> found = new AtomicReference<>();
        typing.computeIfPresent(connection, (c, targets) -> {
            found.set(targets.get(key));
            return targets;
        });
        return found.get();
    }

    private void expire(Connection connection, Target target) {
        if (remove(connection, target.key()) != null) {
            relay(connection, Events.STOP_TYPING, target, Ack.NONE);
        }
    }

    /**
     * Sets the socket's timer for {@code key}; answers the one it replaces. One step per socket, as is
     * {@link #remove}. A typing handled while its socket leaves may add an entry after {@link #forget}: its timer
     * removes it.
     */
    private Typing put(Connection connection, Typing entry) {
        AtomicReference<Typing> replaced = new AtomicReference<>();
        typing.compute(connection, (c, pending) -> {
            Map<String, Typing> targets = pending == null ? new HashMap<>() : pending;
            replaced.set(targets.put(entry.target().key(), entry));
            return targets;
        });
        return replaced.get();
    }

    /** Removes the socket's timer for {@code key}, and the socket's entry once it has none. */
    private Typing remove(Connection connection, String key) {
        AtomicReference<Typing> removed = new AtomicReference<>();
        typing.computeIfPresent(connection, (c, targets) -> {
            removed.set(targets.remove(key));
            return targets.isEmpty() ? null : targets;
        });
        return removed.get();
    }

    private Target target(Connection connection, TypingRequest request) {
        Identity identity = connection.identity();
        if (identity.isSalesman() && !MANAGERS.equals(request.to())) {
            throw ApiException.forbidden("a salesman may address managers only");
        }
        return new Target(request.to(), request.conversationId(), room(identity, request.to()));
    }

    private static String room(Identity identity, String to) {
        return MANAGERS.equals(to)
                ? Rooms.managers(identity.tenantId())
                : Rooms.salesman(identity.tenantId(), to.substring(SALESMAN_PREFIX.length()));
    }

    private void relay(Connection connection, String event, Target target, Ack ack) {
        Identity from = connection.identity();
        TypingEvent body = new TypingEvent(new TypingEvent.From(from.userId(), from.salesmanId(), from.role().wire()),
                target.to(), target.conversationId());
        Publisher.Delivery delivery = publisher.toRoomExceptUser(from.tenantId(), target.room(), event, body,
                from.userId());
        if (ack == Ack.NONE) {
            return;
        }
        delivery.total().whenComplete((total, failure) -> { // in a cluster, once the other nodes are counted
            Replies.ack(ack, new TypingReply(failure == null ? total : delivery.local()));
        });
    }
}
