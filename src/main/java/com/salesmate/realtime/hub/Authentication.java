package com.salesmate.realtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.api.Authenticated;
import com.salesmate.realtime.api.ConnectError;
import com.salesmate.realtime.auth.TokenException;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.metrics.SocketMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The two ways in: the CONNECT packet's {@code auth} (refused with CONNECT_ERROR) and the {@code authenticate} event
 * (refused with {@code auth:error}); both end in {@code authenticated} and, on first authentication, the salesman's
 * pending notifications. A socket keeps one identity: authenticating again must name the same subject. The first
 * {@code authenticated} a socket is sent is timed from its CONNECT's arrival ({@link SocketMetrics#CONNECT}).
 */
final class Authentication {
    private static final Logger LOG = LoggerFactory.getLogger(Authentication.class);

    private final Authenticator authenticator;
    private final Sessions sessions;
    private final Publisher publisher;
    private final NotificationService notifications;
    private final BlockingWork blocking;
    private final SocketMetrics metrics;
    private final Recovery recovery;

    Authentication(Authenticator authenticator, Sessions sessions, Publisher publisher,
                   NotificationService notifications, BlockingWork blocking, SocketMetrics metrics,
                   Recovery recovery) {
        this.recovery = recovery;
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.publisher = publisher;
        this.notifications = notifications;
        this.blocking = blocking;
        this.metrics = metrics;
    }

    /**
     * The {@code auth} of the (only) CONNECT packet. Completes with null when the socket may connect (authenticated by
     * its token, or with no token to authenticate later), else with the CONNECT_ERROR data, and the caller closes the
     * session. Completes at once, except when a salesman's tenant binding is not cached (then after the binder's
     * group commit, on its thread) or a recovering socket's session must first be let go by another node.
     */
    CompletionStage<ConnectError> onConnect(Connection connection, JsonNode auth) {
        connection.connectArrived(System.nanoTime());
        if (recovery.enabled()) {
            connection.pid(recovery.newPid(), recovery.position());
        }
        JsonNode token = auth == null ? null : auth.get("token");
        if (token == null || token.isNull()) {
            return CompletableFuture.completedFuture(null); // may still authenticate with the event
        }
        Identity checked;
        try {
            checked = authenticator.verifyToken(token.isTextual() ? token.asText() : token);
        } catch (TokenException e) {
            return CompletableFuture.completedFuture(refusal(e));
        }
        if (!authenticator.bindingNeedsDatabase(checked)) {
            return bound(connection, auth, checked);
        }
        // a salesman's first binding is a write: queued for the binder's next group commit, the CONNECT answered from
        // its completion (no thread waits for it); with no room in its queue, here as before
        return authenticator.boundLater(checked)
                .map(binding -> afterBinding(connection, auth, binding))
                .orElseGet(() -> bound(connection, auth, checked));
    }

    /** {@link #onConnect} once the token is verified: the salesman's binding, then the admission or the recovery. */
    private CompletionStage<ConnectError> bound(Connection connection, JsonNode auth, Identity checked) {
        Identity identity;
        try {
            identity = authenticator.bound(checked);
        } catch (TokenException e) {
            return CompletableFuture.completedFuture(refusal(e));
        }
        return admitted(connection, auth, identity);
    }

    /** {@link #bound} continued from the binder's completion, on the thread that completed it. */
    private CompletionStage<ConnectError> afterBinding(Connection connection, JsonNode auth,
                                                       CompletionStage<Identity> binding) {
        return binding.thenCompose(identity -> admitted(connection, auth, identity)).exceptionally(failure -> {
            Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
            if (cause instanceof TokenException e) {
                return refusal(e);
            }
            throw failure instanceof CompletionException c ? c : new CompletionException(failure);
        });
    }

    private ConnectError refusal(TokenException e) {
        metrics.authFailure(e.code().code());
        return ConnectError.of(e.code().code(), e.getMessage());
    }

    /** The admission, or the recovery of the dropped socket named by the auth's {@code pid}, of a bound identity. */
    private CompletionStage<ConnectError> admitted(Connection connection, JsonNode auth, Identity identity) {
        String pid = recovery.enabled() && auth.get("pid") != null && auth.get("pid").isTextual()
                ? auth.get("pid").asText() : null;
        String offset = auth.get("offset") != null && auth.get("offset").isTextual() ? auth.get("offset").asText()
                : null;
        if (pid == null) {
            return CompletableFuture.completedFuture(connect(connection, identity, null, false));
        }
        if (!Recovery.wellFormedPid(pid)) {
            return CompletableFuture.completedFuture(connect(connection, identity, null, true)); // not ours: no I/O
        }
        if (!recovery.remote()) {
            return CompletableFuture.completedFuture(connect(connection, identity, recoverable(pid, offset, identity),
                    true));
        }
        // a cluster's saved sockets are in Redis: looked up off the event loop, then maybe asked of the other nodes
        CompletableFuture<ConnectError> answer = new CompletableFuture<>();
        boolean queued = blocking.offer(() -> {
            try {
                Recovery.Saved dropped = connection.isOpen() ? recoverable(pid, offset, identity) : null;
                if (dropped != null || !connection.isOpen()) {
                    answer.complete(connect(connection, identity, dropped, true));
                    return;
                }
                recovery.release(pid, identity).whenComplete((released, failure) -> answer.complete(connect(
                        connection, identity, Boolean.TRUE.equals(released) && connection.isOpen()
                                ? recovery.take(pid, offset, identity) : null, true)));
            } catch (RuntimeException e) {
                answer.complete(connect(connection, identity, null, true));
            }
        });
        if (!queued) { // no room for blocking work now: a fresh session rather than a wait on the event loop
            answer.complete(connect(connection, identity, null, true));
        }
        return answer;
    }

    /** Admits the socket, or marks it as recovering {@code dropped}; counts a pid that recovers nothing. */
    private ConnectError connect(Connection connection, Identity identity, Recovery.Saved dropped, boolean askedPid) {
        if (!connection.isOpen()) { // gone while its CONNECT waited: what it took is kept for its next try
            if (dropped != null) {
                recovery.save(dropped);
            }
            return null;
        }
        if (dropped != null) {
            connection.recovering(dropped); // admitted once the CONNECT answer (same sid and pid) has gone
        } else {
            if (askedPid) {
                metrics.notRecovered();
            }
            sessions.admit(connection, identity);
            ConnectError revoked = revokedMeanwhile(identity);
            if (revoked != null) { // refused: the caller closes the session, which forgets the admission
                return revoked;
            }
        }
        return null;
    }

    /**
     * The refusal of an identity revoked while its socket was being admitted (after its token was checked), or null:
     * an operator's disconnect task that ran meanwhile did not find the socket, so the socket finds the revocation.
     */
    private ConnectError revokedMeanwhile(Identity identity) {
        try {
            authenticator.refuseRevoked(identity);
            return null;
        } catch (TokenException e) {
            return refusal(e);
        }
    }

    /**
     * The dropped socket a CONNECT recovers: its {@code pid} and last {@code offset} were in the auth, the token was
     * just checked (an expired or revoked one never gets here) and names the same subject. Null: none here.
     */
    private Recovery.Saved recoverable(String pid, String offset, Identity identity) {
        Recovery.Saved dropped = recovery.take(pid, offset, identity);
        Connection old = dropped == null ? recovery.live().liveOf(pid) : null;
        if (old != null && identity.sameSubjectAs(old.identity())) {
            old.closed(DisconnectReason.TRANSPORT_CLOSE); // back before this node saw its old socket go: it is gone
            dropped = recovery.take(pid, offset, identity);
        }
        return dropped;
    }

    /**
     * After the CONNECT answer went out: a socket authenticated by its handshake is welcomed; one that recovers a
     * dropped socket is put back in its rooms, welcomed and sent what it missed, in order, before any live event.
     */
    void onConnected(Connection connection) {
        Recovery.Saved dropped = connection.recovering();
        if (dropped != null) {
            connection.replayedUpTo(Long.MAX_VALUE); // no live logged event before the replay: it will carry them
            sessions.restore(connection, dropped.identity(), dropped.rooms());
            try {
                authenticator.refuseRevoked(dropped.identity()); // revoked since its token was checked
            } catch (TokenException e) {
                refuseAuthenticated(connection, Ack.NONE, e);
                return;
            }
            recovery.live().live(connection);
            if (welcome(connection, Ack.NONE, false)) { // what it missed is replayed: no redelivery as well
                connectTimed(connection);
            }
            String tenantId = dropped.identity().tenantId();
            recovery.replay(dropped, connection, event -> {
                if (!connection.send(event)) {
                    return 0;
                }
                metrics.sent(event.name(), tenantId, 1);
                return 1;
            }, metrics::recovered);
            return;
        }
        recovery.live().live(connection);
        if (connection.isAuthenticated() && welcome(connection, Ack.NONE, true)) {
            connectTimed(connection);
        }
    }

    /** The {@code authenticate} event. */
    void onAuthenticate(Connection connection, JsonNode payload, Ack ack) {
        try {
            Identity identity = authenticator.verifyAuthenticate(payload);
            boolean first;
            // one polling POST may carry two authenticate packets, handled on different threads: the check and the
            // admission are one step, so the second of two identities always meets the first and is refused
            synchronized (connection) {
                Identity current = connection.identity();
                if (current != null && !current.sameSubjectAs(identity)) {
                    throw new TokenException(ErrorCode.CLAIMS_MISMATCH,
                            "a socket cannot change identity; reconnect instead");
                }
                first = sessions.admit(connection, identity);
            }
            authenticator.refuseRevoked(identity); // revoked while it was bound or admitted: refused below
            if (welcome(connection, ack, first) && first) {
                connectTimed(connection);
            }
        } catch (TokenException e) {
            refuseAuthenticated(connection, ack, e);
        }
    }

    /** A socket refused on its {@code authenticate} event or after its admission: {@code auth:error}, then closed. */
    private void refuseAuthenticated(Connection connection, Ack ack, TokenException e) {
        metrics.authFailure(e.code().code());
        sessions.refuse(connection, ack, new ApiException(e.code(), e.getMessage()),
                e.code() == ErrorCode.CLAIMS_MISMATCH ? DisconnectReason.CLAIMS_MISMATCH : DisconnectReason.AUTH_FAILED);
    }

    /**
     * Tells the client it is in; on first authentication a salesman also gets his pending notifications. False when
     * there was no one to tell.
     */
    private boolean welcome(Connection connection, Ack ack, boolean first) {
        Identity identity = connection.identity();
        if (identity == null || !connection.isOpen()) {
            return false;
        }
        List<String> rooms = new ArrayList<>(connection.rooms());
        rooms.sort(null);
        Authenticated body = new Authenticated(connection.id(), identity.tenantId(), identity.salesmanId(),
                identity.userId(), identity.role().wire(), rooms);
        publisher.toSocket(connection, Events.AUTHENTICATED, body);
        Replies.ack(ack, body);
        if (first && identity.isSalesman() && notifications.mayHavePending(identity.salesmanId())
                && !blocking.offer(() -> redeliver(connection))) {
            LOG.warn("pending notifications of connection {} not redelivered now: the server is busy", connection.id());
        }
        return true;
    }

    /** The socket's first {@code authenticated} has been written: the time since its CONNECT arrived. */
    private void connectTimed(Connection connection) {
        long arrived = connection.connectArrivedAt();
        if (arrived != 0) {
            metrics.connectTimer().update(System.nanoTime() - arrived, TimeUnit.NANOSECONDS);
        }
    }

    private void redeliver(Connection connection) {
        try {
            notifications.redeliver(connection);
        } catch (RuntimeException e) {
            LOG.warn("pending notifications of connection {} not redelivered: {}", connection.id(),
                    com.salesmate.realtime.persistence.DatabaseErrors.describe(e));
        }
    }
}
