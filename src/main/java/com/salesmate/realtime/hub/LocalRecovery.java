package com.salesmate.realtime.hub;

import com.salesmate.realtime.core.Identity;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.ToIntFunction;

/**
 * Socket.IO's connection state recovery on this node: a log of every event sent to a room, each with an offset the
 * client sees as the event's last argument, and the sockets that dropped (by their private {@code pid}) for the
 * window. A socket that comes back within the window with its {@code pid} and last offset gets its id, rooms and
 * identity again and every event addressed to it meanwhile, in order and once: typing is never logged, and of
 * {@code location:updated} only the newest per salesman is replayed. Bounded: the log keeps the window and at most
 * {@code maxEvents}; a gap the log no longer covers, or one of more than {@link #MAX_REPLAY} events, gets a fresh
 * session instead. An entry superseded by a newer one of the same conflation key and audience (a salesman's older
 * position, to the same room) can never be replayed, so it keeps only its place in the log: its payload is let go at
 * once, not when the window ends (at thousands of positions a second the payloads of two minutes were most of what
 * each young collection copied). The log lives in this process: a restart, or a phone that comes back on another node, gets a fresh
 * session.
 */
public final class LocalRecovery implements Recovery {
    /** Most dropped sockets kept at once (the oldest go first). */
    static final int MAX_SAVED = 200_000;

    private final long windowMillis;
    private final int maxEvents;
    private final Clock clock;
    private final String epoch = HexFormat.of().formatHex(Recovery.randomBytes(4));
    private final ArrayDeque<Logged> log = new ArrayDeque<>();
    /** The newest entry of each conflation key and audience still in the log. */
    private final Map<String, Logged> newest = new java.util.HashMap<>();
    private final Map<String, Saved> saved = new LinkedHashMap<>();
    private final LivePids live = new LivePids();
    private long seq;
    private long trimmedUpTo;

    public LocalRecovery(Duration window, int maxEvents, Clock clock) {
        this.windowMillis = window.toMillis();
        this.maxEvents = maxEvents;
        this.clock = clock;
    }

    @Override
    public boolean enabled() {
        return windowMillis > 0 && maxEvents > 0;
    }

    /** The log's position now: a socket connecting now has seen nothing after it. */
    @Override
    public synchronized long position() {
        return seq;
    }

    /**
     * Logs an event to {@code rooms} (empty: every authenticated socket), skipping sockets in {@code except} or of user
     * {@code exceptUserId}, and hands {@code send} the entry (its position, and the event as it is sent, with its offset
     * as the last argument); answers what {@code send} answers. {@code conflation}: events with the same key replace
     * each other in a replay (null: each is replayed).
     */
    @Override
    public synchronized int log(OutboundEvent event, Collection<String> rooms, Set<String> except, String exceptUserId,
                         String conflation, ToIntFunction<Entry> send) {
        // sent under the lock: every socket gets logged events in log order, so its last offset is its newest
        return send.applyAsInt(append(event, rooms, except, exceptUserId, conflation));
    }

    private Entry append(OutboundEvent event, Collection<String> rooms, Set<String> except, String exceptUserId,
                         String conflation) {
        long now = clock.millis();
        trim(now);
        long position = ++seq;
        Entry entry = new Entry(position, now, event.withOffset(epoch + "-" + position), List.copyOf(rooms),
                Set.copyOf(except), exceptUserId, conflation);
        Logged logged = new Logged(entry, conflation == null ? null : supersedingKey(entry));
        log.addLast(logged);
        if (logged.key != null) {
            Logged older = newest.put(logged.key, logged);
            if (older != null) {
                // a replay picks, per key, the newest entry addressed to the socket after its offset: an older one
                // with the same audience is addressed to exactly the same sockets, so it is never picked again
                older.entry = null;
            }
        }
        return entry;
    }

    /** Entries with equal keys are addressed to the same sockets and replace each other in a replay. */
    private static String supersedingKey(Entry e) {
        return e.conflation() + '\n' + e.rooms() + '\n' + e.except() + '\n' + e.exceptUserId();
    }

    private void trim(long now) {
        while (!log.isEmpty() && (log.size() >= maxEvents || now - log.peekFirst().at > windowMillis)) {
            Logged first = log.pollFirst();
            trimmedUpTo = first.seq;
            if (first.key != null) {
                newest.remove(first.key, first);
            }
        }
    }

    @Override
    public LivePids live() {
        return live;
    }

    /** A socket dropped in a way the client recovers from: it may come back within the window. */
    @Override
    public synchronized void save(Saved session) {
        long now = clock.millis();
        saved.values().removeIf(s -> now - s.leftAt() > windowMillis);
        if (saved.size() >= MAX_SAVED) {
            Iterator<String> oldest = saved.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        saved.put(session.pid(), session);
    }

    /**
     * The dropped socket {@code pid} of {@code identity}'s subject, taken (a pid recovers once), with {@code identity}
     * (the token just checked) in place of the one it had, when it left within the window and the log still
     * covers its gap from {@code offset} (or from when it connected, when it had received no event) with at most
     * {@link #MAX_REPLAY} events; else null: the client gets a fresh session.
     */
    @Override
    public synchronized Saved take(String pid, String offset, Identity identity) {
        Saved s = saved.get(pid);
        if (s == null || !s.identity().sameSubjectAs(identity)) {
            return null; // another subject's pid takes nothing from its owner
        }
        saved.remove(pid);
        if (clock.millis() - s.leftAt() > windowMillis) {
            return null;
        }
        long given = offset == null ? s.since() : position(offset);
        // never before the socket connected: an old offset would replay what it was never addressed
        long from = given < 0 ? -1 : Math.max(given, s.since());
        if (from < 0 || from < trimmedUpTo || matching(s, from).size() > MAX_REPLAY) {
            return null;
        }
        return new Saved(s.pid(), s.connectionId(), identity, s.rooms(), from, s.leftAt());
    }

    /**
     * Sends a restored socket what it missed after {@code saved.since()}, in order, under the log's lock: no event is
     * logged or fanned out meanwhile, so each live event after these follows them. The socket is then told the
     * position the replay reached, and live events after it reach it. Done before it returns.
     */
    @Override
    public synchronized void replay(Saved saved, Connection to, ToIntFunction<OutboundEvent> send, IntConsumer done) {
        int sent = 0;
        for (Entry e : matching(saved, saved.since())) {
            sent += send.applyAsInt(e.event());
        }
        to.replayedUpTo(seq);
        done.accept(sent);
    }

    /** The entries after {@code from} addressed to the saved socket, the conflated ones reduced to their newest. */
    private List<Entry> matching(Saved s, long from) {
        // newest first, stopping at the offset: the cost is the gap's length, not the log's (a reconnect wave after a
        // short blip scans seconds of log each, not the whole window); a conflated event keeps only its newest
        List<Entry> found = new ArrayList<>();
        Set<String> newer = new java.util.HashSet<>();
        for (Iterator<Logged> it = log.descendingIterator(); it.hasNext(); ) {
            Logged l = it.next();
            if (l.seq <= from) {
                break;
            }
            Entry e = l.entry;
            if (e != null && !s.identity().userId().equals(e.exceptUserId()) && s.addressedBy(e.rooms(), e.except())
                    && (e.conflation() == null || newer.add(e.conflation()))) {
                found.add(e);
            }
        }
        java.util.Collections.reverse(found);
        return found;
    }

    /** An entry in the log; {@code entry} null once a newer one superseded it ({@code at} still counts for trims). */
    private static final class Logged {
        final long seq;
        final long at;
        final String key;
        Entry entry;

        Logged(Entry entry, String key) {
            this.seq = entry.seq();
            this.at = entry.at();
            this.key = key;
            this.entry = entry;
        }
    }

    /** The log position of an offset this log gave; -1 for another process's or a malformed one. */
    private long position(String offset) {
        int dash = offset.indexOf('-');
        if (dash < 0 || !offset.substring(0, dash).equals(epoch)) {
            return -1;
        }
        try {
            return Long.parseLong(offset.substring(dash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
