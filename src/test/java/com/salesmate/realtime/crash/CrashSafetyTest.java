package com.salesmate.realtime.crash;

import com.salesmate.realtime.auth.TokenService;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.crash.LocationStreams.Acked;
import com.salesmate.realtime.support.SioClient;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing acknowledged is ever lost: the service runs as a child process, 20 salesman sockets stream acked
 * {@code location:update}s (every fourth one {@code location:batch}es), the process is killed mid-stream (SIGKILL, then in a second run SIGTERM), and every
 * location that got a success ack must be in the SQLite file, read with plain JDBC.
 */
@Timeout(300)
class CrashSafetyTest {
    static final int SOCKETS = 20;
    /** Acks to collect before the process is killed, so that it dies with updates in flight on every socket. */
    static final int ACKS_BEFORE_KILL = 3_000;
    static final Duration SHUTDOWN_BOUND = Duration.ofSeconds(15);
    static final String TENANT = "tenant-crash";

    @TempDir
    Path dir;

    @Test
    void everyAckedLocationSurvivesSigkill() throws Exception {
        try (ChildService service = new ChildService(dir, 1000, SHUTDOWN_BOUND)) {
            sigkillLosesNoAck(service, "SIGKILL");
        }
    }

    /**
     * The same with the WAL checkpointed every 5 ms off the commit path (config.yml's default is 200 ms): the kill
     * lands while a checkpoint copies frames into the database file or syncs it, and still nothing acked is lost.
     */
    @Test
    void everyAckedLocationSurvivesSigkillDuringCheckpoints() throws Exception {
        try (ChildService service = new ChildService(dir, 1000, SHUTDOWN_BOUND, Duration.ofMillis(5))) {
            sigkillLosesNoAck(service, "SIGKILL during checkpoints");
        }
    }

    private static long checkpoints(ChildService service) throws Exception {
        String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(service.adminUrl("/metrics"))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("\"locations\\.checkpoint\":\\{\"count\":(\\d+)").matcher(metrics);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private void sigkillLosesNoAck(ChildService service, String label) throws Exception {
        service.start();
        LocationStreams streams = LocationStreams.start(service.socketUrl(), TENANT, "kill", SOCKETS);
        long streamed;
        long checkpointed;
        try {
            long s0 = System.nanoTime();
            streams.awaitAcks(ACKS_BEFORE_KILL, Duration.ofSeconds(90), service::logTail);
            streamed = Duration.ofNanos(System.nanoTime() - s0).toMillis();
            checkpointed = checkpoints(service);
            service.kill();
            streams.awaitEnd(Duration.ofSeconds(30));
        } finally {
            streams.close();
        }
        List<Acked> acked = streams.acked();

        service.start(); // the same files: WAL recovery, migrations already applied
        Map<String, String> stored = storedIds(service.sqliteFile());
        List<Acked> missing = missing(acked, stored);
        System.out.printf("CRASH %s: sockets=%d streamed=%dms before the kill, checkpoints=%d, acked=%d stored=%d "
                        + "acked-found=%d missing=%d refused=%s stalled=%d%n",
                label, SOCKETS, streamed, checkpointed, acked.size(), stored.size(), acked.size() - missing.size(),
                missing.size(), streams.refused(), streams.stalled());

        assertThat(checkpointed).as("WAL checkpoints before the kill").isPositive();
        assertThat(acked).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);
        assertThat(missing).as("acked locations missing after SIGKILL and restart").isEmpty();
        assertThat(streams.stalled()).as("acks that neither came nor ended with a disconnect").isZero();

        // the restarted service knows them: a phone retrying an acked point gets the same id as a duplicate
        Acked sample = acked.stream().filter(a -> a.id() != null).reduce((a, b) -> b).orElseThrow();
        try (SioClient phone = SioClient.authenticated(service.socketUrl(), token(sample.salesmanId()))) {
            JSONObject retry = phone.emitAck("location:update", new JSONObject()
                    .put("latitude", 12.0).put("longitude", 77.0).put("timestamp", sample.timestamp()));
            assertThat(retry.getBoolean("success")).as(retry.toString()).isTrue();
            assertThat(retry.getBoolean("duplicate")).isTrue();
            assertThat(retry.getString("id")).isEqualTo(sample.id());
        }
        assertThat(service.terminate(SHUTDOWN_BOUND.plusSeconds(10))).as(service.logTail()).isNotNull();
    }

    @Test
    void sigtermDrainsAcceptedLocationsAndExitsWithinTheBound() throws Exception {
        try (ChildService service = new ChildService(dir, 1000, SHUTDOWN_BOUND)) {
            service.start();
            LocationStreams streams = LocationStreams.start(service.socketUrl(), TENANT, "term", SOCKETS);
            Integer exit;
            Duration took;
            Map<String, Integer> reasons;
            long streamed;
            try {
                long s0 = System.nanoTime();
                streams.awaitAcks(ACKS_BEFORE_KILL, Duration.ofSeconds(90), service::logTail);
                streamed = Duration.ofNanos(System.nanoTime() - s0).toMillis();
                long t0 = System.nanoTime();
                exit = service.terminate(SHUTDOWN_BOUND.plusSeconds(15));
                took = Duration.ofNanos(System.nanoTime() - t0);
                reasons = streams.disconnectReasons(Duration.ofSeconds(5));
                streams.awaitEnd(Duration.ofSeconds(30));
            } finally {
                streams.close();
            }
            List<Acked> acked = streams.acked();
            Map<String, String> stored = storedIds(service.sqliteFile());
            List<Acked> missing = missing(acked, stored);
            String log = service.log();
            Matcher drained = Pattern.compile("location writer drained (\\d+) queued rows on stop; (\\d+) rows written since start")
                    .matcher(log);
            boolean drainLogged = drained.find();
            System.out.printf("CRASH SIGTERM: sockets=%d streamed=%dms before the signal, acked=%d stored=%d acked-found=%d missing=%d exit=%s took=%dms "
                            + "writer: %s; disconnects=%s refused=%s stalled=%d%n",
                    SOCKETS, streamed, acked.size(), stored.size(), acked.size() - missing.size(), missing.size(), exit,
                    took.toMillis(), drainLogged ? drained.group(0) : "(no drain line)", reasons, streams.refused(),
                    streams.stalled());

            int from = log.lastIndexOf("\n", Math.max(0, log.lastIndexOf("shutting down")));
            System.out.println("CRASH SIGTERM: the child's log from the signal on:\n" + (from < 0 ? log : log.substring(from)));

            assertThat(exit).as("exit after SIGTERM within %s:\n%s", SHUTDOWN_BOUND, service.logTail()).isNotNull();
            assertThat(took).as("shutdown time").isLessThanOrEqualTo(SHUTDOWN_BOUND);
            assertThat(exit).as("exit code: 143 is a completed SIGTERM shutdown, 1 a watchdog halt\n%s",
                    service.logTail()).isEqualTo(143);
            assertThat(reasons.values().stream().mapToInt(Integer::intValue).sum()).as("sockets that saw a disconnect")
                    .isEqualTo(SOCKETS);
            assertThat(acked).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);
            assertThat(missing).as("acked locations missing after SIGTERM").isEmpty();
            // nothing accepted into the writer queue is lost: the drain finished and every row it wrote is there
            assertThat(drainLogged).as("writer drain logged:\n%s", service.logTail()).isTrue();
            assertThat(log).doesNotContain("did not drain").doesNotContain("not stored");
            assertThat((long) stored.size()).as("rows in the database = rows the writer wrote")
                    .isEqualTo(Long.parseLong(drained.group(2)));
            assertThat(streams.stalled()).isZero();
        }
    }

    private static String token(String salesmanId) {
        return new TokenService(ChildService.JWT_SECRET, Optional.empty(), Clock.systemUTC())
                .mint("user-" + salesmanId, TENANT, Role.SALESMAN, salesmanId, Duration.ofMinutes(10));
    }

    /** salesman@timestamp to id of every stored location, read with plain JDBC. */
    private static Map<String, String> storedIds(Path sqlite) throws Exception {
        Map<String, String> ids = new HashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sqlite);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT salesman_id, recorded_at, id FROM locations")) {
            while (rs.next()) {
                ids.put(rs.getString(1) + "@" + rs.getLong(2), Long.toString(rs.getLong(3)));
            }
        }
        return ids;
    }

    /** Acked locations not stored, or stored under another id than their ack gave. */
    private static List<Acked> missing(List<Acked> acked, Map<String, String> stored) {
        List<Acked> missing = new ArrayList<>();
        for (Acked a : acked) {
            String id = stored.get(a.key());
            if (id == null || (a.id() != null && !a.id().equals(id))) {
                missing.add(a);
            }
        }
        return missing;
    }
}
