package com.salesmate.realtime.hub;

import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Rooms;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntConsumer;
import java.util.function.ToIntFunction;

/**
 * Socket.IO's connection state recovery: where the events sent to rooms are logged with their offsets, and where the
 * sockets that dropped wait (by their private {@code pid}) for the window. {@link LocalRecovery} keeps both in this
 * process; a cluster keeps them in Redis (the bus's stream is the log), so a phone may come back on any node.
 */
public interface Recovery {

    /** A logged event: its position (-1: not logged, no offset), when, to whom, and the event as sent. */
    record Entry(long seq, long at, OutboundEvent event, Collection<String> rooms, Set<String> except,
                 String exceptUserId, String conflation) {
    }

    /** A socket that dropped: what it gets back. {@code since} is the log position when it connected. */
    record Saved(String pid, String connectionId, Identity identity, Set<String> rooms, long since, long leftAt) {

        /**
         * Whether an event to {@code to} (empty: everyone) skipping the sockets in {@code except} (rooms, or a user's
         * sockets as {@link Rooms#user}) reached this socket, as the publisher addresses live events.
         */
        public boolean addressedBy(Collection<String> to, Set<String> except) {
            if (except.contains(Rooms.user(identity.tenantId(), identity.userId()))) {
                return false;
            }
            for (String room : rooms) {
                if (except.contains(room)) {
                    return false;
                }
            }
            if (to.isEmpty()) {
                return true; // to everyone
            }
            for (String room : to) {
                if (rooms.contains(room)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Whether events of this name are logged and replayed: every room event but typing. */
    static boolean replayable(String event) {
        return !Events.TYPING.equals(event) && !Events.STOP_TYPING.equals(event);
    }

    /** Most events replayed to one socket; past it the socket gets a fresh session. */
    int MAX_REPLAY = 10_000;

    /** No recovery: nothing logged, no pid. */
    static Recovery off() {
        return new LocalRecovery(Duration.ZERO, 0, Clock.systemUTC());
    }

    boolean enabled();

    /** A new private session id, given to the client in the CONNECT answer. */
    default String newPid() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(16));
    }

    /** True when {@link #take} waits for another process (a cluster's Redis): then it is never called on an event loop. */
    default boolean remote() {
        return false;
    }

    /** The form of a pid this service gives (16 random bytes, base64url): anything else is not looked up. */
    static boolean wellFormedPid(String pid) {
        return pid != null && pid.length() == 22 && pid.chars().allMatch(c -> (c >= 'A' && c <= 'Z')
                || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
    }

    /** The log's position now: a socket connecting now has seen nothing after it. */
    long position();

    /**
     * Logs an event to {@code rooms} (empty: every authenticated socket), skipping sockets in {@code except} or of user
     * {@code exceptUserId}, and hands {@code send} the entry (its position, and the event as it is sent, with its offset
     * as the last argument when logged); answers what {@code send} answers. {@code conflation}: events with the same
     * key replace each other in a replay (null: each is replayed).
     */
    int log(OutboundEvent event, Collection<String> rooms, Set<String> except, String exceptUserId, String conflation,
            ToIntFunction<Entry> send);

    /** This node's connected sockets by pid (a phone may come back before its old socket is seen to go). */
    LivePids live();

    /** A socket dropped in a way the client recovers from: it may come back within the window. */
    void save(Saved session);

    /**
     * The dropped socket {@code pid} of {@code identity}'s subject, taken (a pid recovers once), with {@code identity}
     * (the token just checked) in place of the one it had and {@code since} the position its replay starts after, when
     * it left within the window and the log still covers its gap from {@code offset} (or from when it connected, when
     * it had received no event); else null: the client gets a fresh session.
     */
    Saved take(String pid, String offset, Identity identity);

    /**
     * No saved session {@code pid} was found: asks the other nodes to let go of a socket of {@code identity}'s subject
     * still connected there with that pid (its phone came back on this node before that node saw it go), which saves
     * it. Completes true when it was saved within a short bound (then {@link #take} finds it), else false. A single
     * node has no one to ask.
     */
    default CompletionStage<Boolean> release(String pid, Identity identity) {
        return CompletableFuture.completedFuture(false);
    }

    /**
     * Sends a restored socket what it missed after {@code saved.since()}, in order, each once, then lets live events
     * reach it ({@link Connection#replayedUpTo}); {@code done} is told how many were sent. The socket must already be
     * in its rooms with every live logged event held back. May finish after it returns.
     */
    void replay(Saved saved, Connection to, ToIntFunction<OutboundEvent> send, IntConsumer done);

    /** Random bytes for ids that must not be guessed. */
    static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        Holder.RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** The generator, made once. */
    final class Holder {
        private static final SecureRandom RANDOM = new SecureRandom();

        private Holder() {
        }
    }
}
