package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.hub.Directory;
import com.salesmate.realtime.hub.Presence;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the nodes share in Redis (layout in lib.lua and docs/cluster.md): the heartbeat, every node's authenticated
 * sockets and room counts, presence per salesman, revocations. Writes are atomic Lua scripts, asynchronous; the reads
 * REST answers need wait at most the command timeout and fail as {@code unavailable}.
 */
final class SharedState {
    private static final Redis.Script SOCKET_PUT = new Redis.Script("socket_put.lua");
    private static final Redis.Script SOCKET_DEL = new Redis.Script("socket_del.lua");
    private static final Redis.Script SOCKET_JOIN = new Redis.Script("socket_join.lua");
    private static final Redis.Script TENANT_LOADS = new Redis.Script("tenant_loads.lua");
    private static final Redis.Script NODE_RESET = new Redis.Script("node_reset.lua");
    private static final Redis.Script COUNT = new Redis.Script("count.lua");
    private static final Redis.Script LIST = new Redis.Script("list.lua");
    private static final Redis.Script STATS = new Redis.Script("stats.lua");
    private static final Redis.Script PRESENCE_UP = new Redis.Script("presence_up.lua");
    private static final Redis.Script PRESENCE_DOWN = new Redis.Script("presence_down.lua");
    private static final Redis.Script PRESENCE_SYNC = new Redis.Script("presence_sync.lua");
    private static final Redis.Script ONLINE = new Redis.Script("online.lua");
    private static final Redis.Script TICK = new Redis.Script("tick.lua");
    private static final Redis.Script SLOT_CLAIM = new Redis.Script("slot_claim.lua");
    private static final Redis.Script SLOT_RELEASE = new Redis.Script("slot_release.lua");

    private final Redis redis;
    private final String prefix;
    private final String node;
    private final Duration wait;
    private final ObjectMapper json = new ObjectMapper();

    /** What one heartbeat found. */
    record Tick(boolean registeredNow, List<String> reaped, List<Offline> offline, long liveNodes, boolean slotHeld) {
    }

    /** A salesman whose grace ended (or whose node died), offline since {@code at}. */
    record Offline(String salesmanId, String tenantId, long at) {
    }

    /** The other nodes' figures for {@code /stats}. */
    record Figures(long total, long active, long sent, long received, List<String> tenants, List<String> salesmen,
                   List<String> rooms) {
    }

    SharedState(Redis redis, String prefix, String node, Duration wait) {
        this.redis = redis;
        this.prefix = prefix;
        this.node = node;
        this.wait = wait;
    }

    String node() {
        return node;
    }

    // ---- sockets

    CompletionStage<Long> putSocket(Directory.Socket socket) {
        List<String> args = new ArrayList<>(List.of(prefix, node, socket.tenantId(), socket.sessionId(), write(socket),
                socket.userId(), socket.salesmanId() == null ? "" : socket.salesmanId()));
        args.addAll(socket.rooms());
        return redis.run(SOCKET_PUT, ScriptOutputType.INTEGER, args.toArray(String[]::new));
    }

    /** A registered socket joined one room (constant work in Redis). */
    CompletionStage<Long> joinSocket(String tenantId, String sessionId, String userId, String room) {
        return redis.run(SOCKET_JOIN, ScriptOutputType.INTEGER, prefix, node, tenantId, sessionId, userId, room);
    }

    CompletionStage<Long> deleteSocket(String tenantId, String sessionId, String userId, String salesmanId) {
        return redis.run(SOCKET_DEL, ScriptOutputType.INTEGER, prefix, node, tenantId, sessionId, userId,
                salesmanId == null ? "" : salesmanId);
    }

    CompletionStage<Long> resetNode() {
        return redis.run(NODE_RESET, ScriptOutputType.INTEGER, prefix, node);
    }

    /** Sockets in {@code room} (null: every socket) on the other live nodes, without those of {@code exceptUser}. */
    CompletionStage<Integer> countElsewhere(String room, String exceptUser) {
        return redis.<Long>run(COUNT, ScriptOutputType.INTEGER, prefix, node, room == null ? "" : room,
                exceptUser == null ? "" : exceptUser).thenApply(Long::intValue);
    }

    List<Directory.Socket> socketsElsewhere(String tenantId) {
        List<Object> rows = await(redis.run(LIST, ScriptOutputType.MULTI, prefix, node, tenantId));
        List<Directory.Socket> out = new ArrayList<>(rows.size());
        for (Object row : rows) {
            try {
                out.add(json.readValue((String) row, Directory.Socket.class));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a socket entry in Redis does not decode", e);
            }
        }
        return out;
    }

    /** Each tenant's sockets and salesmen on the other live nodes, in one script. Blocking. */
    Map<String, com.salesmate.realtime.hub.Directory.Load> loadsElsewhere() {
        List<Object> r = await(redis.run(TENANT_LOADS, ScriptOutputType.MULTI, prefix, node));
        Map<String, com.salesmate.realtime.hub.Directory.Load> out = new HashMap<>();
        for (int i = 0; i + 2 < r.size(); i += 3) {
            String tenant = (String) r.get(i);
            int count = Integer.parseInt((String) r.get(i + 1));
            String list = (String) r.get(i + 2);
            java.util.Set<String> salesmen = list.isEmpty() ? new java.util.HashSet<>()
                    : new java.util.HashSet<>(List.of(list.split(",")));
            out.merge(tenant, new com.salesmate.realtime.hub.Directory.Load(count, salesmen),
                    com.salesmate.realtime.hub.Directory.Load::plus);
        }
        return out;
    }

    Figures figuresElsewhere(String tenantId) {
        List<Object> r = await(redis.run(STATS, ScriptOutputType.MULTI, prefix, node, tenantId == null ? "" : tenantId));
        return new Figures(num(r.get(0)), num(r.get(1)), num(r.get(2)), num(r.get(3)), strings(r.get(4)),
                strings(r.get(5)), strings(r.get(6)));
    }

    /**
     * This node's counters for the other nodes' {@code /stats}, written with each heartbeat: only the fields that
     * changed ({@code changed}; {@code gone} are deleted), and the key's expiry renewed every time, so that a node that
     * dies leaves no figures behind beyond {@code ttl}.
     */
    CompletionStage<Boolean> writeFigures(Map<String, String> changed, java.util.Collection<String> gone, Duration ttl) {
        String key = prefix + ":n:" + node + ":stats";
        CompletionStage<?> writes = java.util.concurrent.CompletableFuture.completedFuture(null);
        if (!changed.isEmpty()) {
            writes = redis.commands().hset(key, changed);
        }
        if (!gone.isEmpty()) {
            CompletionStage<?> before = writes;
            writes = before.thenCompose(x -> redis.commands().hdel(key, gone.toArray(String[]::new)));
        }
        return writes.thenCompose(x -> redis.commands().pexpire(key, ttl.toMillis()));
    }

    /** Takes this node's figures out (a clean stop): the other nodes' {@code /stats} no longer count them. */
    CompletionStage<Long> deleteFigures() {
        return redis.commands().del(prefix + ":n:" + node + ":stats");
    }

    // ---- presence

    /** True when the salesman came online by this socket. */
    CompletionStage<Boolean> presenceUp(Identity salesman, long at) {
        return redis.<Long>run(PRESENCE_UP, ScriptOutputType.INTEGER, prefix, node, salesman.salesmanId(),
                salesman.tenantId(), Long.toString(at)).thenApply(n -> n == 1L);
    }

    CompletionStage<Long> presenceDown(Identity salesman, long at, Duration grace) {
        return redis.run(PRESENCE_DOWN, ScriptOutputType.INTEGER, prefix, node, salesman.salesmanId(),
                Long.toString(at), Long.toString(grace.toMillis()));
    }

    /** Sets this node's presence counts to {@code held} (salesman → tenant and sockets); answers who came online. */
    CompletionStage<List<String[]>> presenceSync(Map<String, Map.Entry<String, Integer>> held, Duration grace, long now) {
        List<String> args = new ArrayList<>(List.of(prefix, node, Long.toString(grace.toMillis()), Long.toString(now)));
        held.forEach((salesman, tc) -> {
            args.add(salesman);
            args.add(tc.getKey());
            args.add(Integer.toString(tc.getValue()));
        });
        return redis.<List<Object>>run(PRESENCE_SYNC, ScriptOutputType.MULTI, args.toArray(String[]::new))
                .thenApply(list -> {
                    List<String[]> online = new ArrayList<>();
                    for (int i = 0; i + 1 < list.size(); i += 2) {
                        online.add(new String[] {(String) list.get(i), (String) list.get(i + 1)});
                    }
                    return online;
                });
    }

    Optional<Presence.Online> online(String salesmanId) {
        Map<String, String> h = await(redis.commands().hgetall(prefix + ":p:" + salesmanId));
        if (h == null || h.get("s") == null) {
            return Optional.empty();
        }
        return Optional.of(new Presence.Online(h.get("t"), salesmanId, sockets(h, null), Long.parseLong(h.get("s"))));
    }

    List<Presence.Online> onlineInTenant(String tenantId) {
        List<Object> r = await(redis.run(ONLINE, ScriptOutputType.MULTI, prefix, tenantId));
        List<Presence.Online> out = new ArrayList<>();
        for (int i = 0; i + 2 < r.size(); i += 3) {
            out.add(new Presence.Online(tenantId, (String) r.get(i), (int) num(r.get(i + 2)),
                    Long.parseLong((String) r.get(i + 1))));
        }
        return out;
    }

    /** Sockets of a salesman on the other nodes (for the disconnect task's answer). */
    int salesmanSocketsElsewhere(String salesmanId) {
        Map<String, String> h = await(redis.commands().hgetall(prefix + ":p:" + salesmanId));
        return h == null ? 0 : sockets(h, node);
    }

    /** The sockets a salesman's presence entry counts, over every node but {@code exceptNode} (null: all). */
    private static int sockets(Map<String, String> presence, String exceptNode) {
        String skipped = exceptNode == null ? null : "n:" + exceptNode;
        return presence.entrySet().stream()
                .filter(e -> e.getKey().startsWith("n:") && !e.getKey().equals(skipped))
                .mapToInt(e -> Integer.parseInt(e.getValue())).sum();
    }

    // ---- heartbeat

    CompletionStage<Tick> tick(Duration nodeTimeout, int slot) {
        return redis.<List<Object>>run(TICK, ScriptOutputType.MULTI, prefix, node, Long.toString(nodeTimeout.toMillis()),
                        slot < 0 ? "" : Integer.toString(slot))
                .thenApply(r -> {
                    List<Object> off = list(r.get(2));
                    List<Offline> offline = new ArrayList<>();
                    for (int i = 0; i + 2 < off.size(); i += 3) {
                        offline.add(new Offline((String) off.get(i), (String) off.get(i + 1),
                                Long.parseLong((String) off.get(i + 2))));
                    }
                    return new Tick(num(r.get(0)) == 1, strings(r.get(1)), offline, num(r.get(3)), num(r.get(4)) == 1);
                });
    }

    /** Claims a free id slot, trying from {@code first}; -1 when every slot is held. Blocking. */
    int claimSlot(int first, int slots) {
        Long slot = await(redis.run(SLOT_CLAIM, ScriptOutputType.INTEGER, prefix, node, Integer.toString(first),
                Integer.toString(slots)));
        return slot.intValue();
    }

    CompletionStage<Long> releaseSlot(int slot) {
        return redis.run(SLOT_RELEASE, ScriptOutputType.INTEGER, prefix, node, Integer.toString(slot));
    }

    /** This node leaves the cluster (shutdown): it is no longer counted live. */
    CompletionStage<Long> leave() {
        return redis.commands().zrem(prefix + ":nodes", node);
    }

    // ---- revocations

    CompletionStage<String> revoke(String kind, String id, long untilMillis) {
        return redis.commands().set(prefix + ":rev:" + kind + ":" + id, Long.toString(untilMillis),
                SetArgs.Builder.pxAt(untilMillis));
    }

    /** Every revocation still in force: kind:id → until (epoch ms). Blocking; not on an event loop. */
    Map<String, Long> revocations() {
        Map<String, Long> out = new HashMap<>();
        String pattern = prefix + ":rev:*";
        ScanIterator<String> keys = ScanIterator.scan(redis.syncCommands(), ScanArgs.Builder.matches(pattern).limit(500));
        while (keys.hasNext()) {
            String key = keys.next();
            String until = await(redis.commands().get(key));
            if (until != null) {
                out.put(key.substring(prefix.length() + ":rev:".length()), Long.parseLong(until));
            }
        }
        return out;
    }

    // ---- helpers

    <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        } catch (ExecutionException | TimeoutException e) {
            throw unavailable(e);
        }
    }

    private static ApiException unavailable(Exception e) {
        return new ApiException(ErrorCode.UNAVAILABLE,
                "the cluster's shared state (Redis) cannot be read now; retry shortly");
    }

    private String write(Directory.Socket socket) {
        try {
            return json.writeValueAsString(socket);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long num(Object o) {
        return o instanceof Number n ? n.longValue() : o == null ? 0 : Long.parseLong(o.toString());
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }

    private static List<String> strings(Object o) {
        return list(o).stream().map(Object::toString).toList();
    }
}
