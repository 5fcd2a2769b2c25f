package com.salesmate.realtime.cluster;

import com.salesmate.realtime.api.PresenceEvent;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.Publisher;
import com.salesmate.realtime.persistence.SightingRecorder;
import com.salesmate.realtime.support.ClusterNodes;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A resync (Redis came back, or the node was presumed dead) while salesmen arrive and leave, on the real Redis: four
 * threads connect and disconnect salesmen while another resyncs again and again. Afterwards Redis says exactly what the
 * node holds: every salesman with a socket counted with this node's count and not pending offline, every other not
 * counted here. Before, the resync's snapshot was taken from the registry and
 * its sync issued later, so a connect in between was wiped (announced offline while connected) and a departure
 * restored (online forever).
 */
@Timeout(120)
class PresenceResyncRaceTest {
    private final Redis redis = new Redis(ClusterNodes.REDIS, Duration.ofSeconds(5)).connect();

    @AfterEach
    void close() {
        redis.close();
    }

    /** Presence events the node tells its managers, as the publisher sees them. */
    private static final class Told implements Publisher {
        final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();

        @Override
        public Delivery toRoom(String tenantId, String room, String event, Object payload) {
            events.add(event + " " + ((PresenceEvent) payload).salesmanId());
            return Delivery.local(0);
        }

        @Override
        public Delivery toRoomExceptUser(String tenantId, String room, String event, Object payload, String except) {
            return Delivery.local(0);
        }

        @Override
        public void toRooms(String tenantId, java.util.List<String> rooms, String event, Object payload) {
        }

        @Override
        public Delivery toEveryone(String event, Object payload) {
            return Delivery.local(0);
        }

        @Override
        public int toSocket(Connection connection, String event, Object payload) {
            return 0;
        }
    }

    @Test
    void afterResyncsAmongArrivalsAndDeparturesRedisHoldsWhatTheNodeHolds() throws Exception {
        String prefix = "race-" + UUID.randomUUID().toString().substring(0, 8);
        SharedState state = new SharedState(redis, prefix, "n1", Duration.ofSeconds(5));
        Told told = new Told();
        ClusterPresence presence = new ClusterPresence(state, told,
                new SightingRecorder(Jdbi.create("jdbc:sqlite::memory:"), Duration.ofHours(1)), Duration.ZERO,
                Clock.systemUTC(), () -> { });
        int salesmen = 20;
        Map<String, Integer> sockets = new java.util.concurrent.ConcurrentHashMap<>();
        List<CompletableFuture<?>> workers = new ArrayList<>();
        List<Throwable> problems = new CopyOnWriteArrayList<>();
        for (int w = 0; w < 4; w++) {
            int worker = w;
            workers.add(CompletableFuture.runAsync(() -> {
                Random random = new Random(worker);
                for (int i = 0; i < 400; i++) {
                    // each worker owns five salesmen: its own connects and disconnects stay in order
                    String s = "s" + (worker * 5 + random.nextInt(5));
                    Identity id = new Identity("u-" + s, "t", Role.SALESMAN, s, Instant.now().plusSeconds(3600));
                    int held = sockets.getOrDefault(s, 0);
                    if (held > 0 && random.nextBoolean()) {
                        sockets.put(s, held - 1);
                        presence.disconnected(id, System.currentTimeMillis());
                    } else {
                        sockets.put(s, held + 1);
                        presence.connected(id);
                    }
                }
            }));
        }
        CompletableFuture<?> resyncs = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 60; i++) {
                try {
                    presence.sync(System.currentTimeMillis()).toCompletableFuture().get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    problems.add(e);
                }
            }
        });
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        resyncs.get(60, TimeUnit.SECONDS);
        // one last resync after everything, then Redis must say what the node holds
        presence.sync(System.currentTimeMillis()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(problems).isEmpty();
        Map<String, String> inRedis = new HashMap<>();
        for (int i = 0; i < salesmen; i++) {
            String s = "s" + i;
            String count = redis.syncCommands().hget(prefix + ":p:" + s, "n:n1");
            inRedis.put(s, count);
            int held = sockets.getOrDefault(s, 0);
            if (held > 0) {
                assertThat(count).as("salesman %s holds %d sockets here", s, held).isEqualTo(Integer.toString(held));
                assertThat(redis.syncCommands().hexists(prefix + ":p:" + s, "off")).as("%s pending offline", s).isFalse();
            } else {
                assertThat(count == null || count.equals("0")).as("salesman %s holds none: %s", s, count).isTrue();
            }
        }
        assertThat(sockets.values().stream().mapToInt(Integer::intValue).sum()).as("the run left sockets held")
                .isPositive();
        Optional<String> anyOnline = sockets.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey)
                .findFirst();
        assertThat(anyOnline).isPresent();
        assertThat(state.online(anyOnline.get())).isPresent();
        redis.syncCommands().keys(prefix + ":*").forEach(k -> redis.syncCommands().del(k));
    }
}
