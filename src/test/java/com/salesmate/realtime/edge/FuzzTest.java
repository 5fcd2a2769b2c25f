package com.salesmate.realtime.edge;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.auth.TokenService;
import com.salesmate.realtime.support.RawEngineIo;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.assertj.core.api.SoftAssertions;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/** Seeded fuzzing of the Socket.IO edge beside a live client: its acks, stored rows and logs stay clean (rerun: -Dfuzz.seed). */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(170)
class FuzzTest {
    static final TestApp APP = TestApp.create(
            // thousands of short-lived sockets from 127.0.0.1: the per-address handshake rate is not what is tested here
            ConfigOverride.config("socketio.handshakesPerAddressPerSecond", "100000"),
            // nor the 2 s authentication timeout of test-config.yml, which a loaded 2-core machine can miss
            ConfigOverride.config("socketio.authTimeout", "10s"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final ObjectMapper JSON = new ObjectMapper();
    static final Logger LOG = LoggerFactory.getLogger(FuzzTest.class);

    static final int PACKETS = 10_000;
    static final int WORKERS = 20;
    static final int LOG_LINE_BOUND = 200;
    static final Duration FUZZ_BUDGET = Duration.ofSeconds(75);
    static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    static final Duration ACK_WAIT = Duration.ofSeconds(5);
    static final String TENANT = "fuzz-t";
    static final String CONTROL = "fz-control";
    static final String AFTER = "fz-after";
    static final long T0 = System.currentTimeMillis() - 2 * 3_600_000L;

    enum State { OPEN, ANON, AUTHED }

    enum Expect { CLOSE, ACK_REFUSED, ACK_REFUSED_OR_NOTHING_ACCEPTED, ACK_STORED_OR_RATE_LIMITED, NOTHING }

    /** What is fuzzed (see {@link #probe}); the first six leave a connected socket open, so more may follow. */
    enum Kind {
        WRONG_TYPES, FORGED_SALESMAN, VALID_UPDATE, BATCH_WRONG, IGNORED_EVENT, OTHER_NAMESPACE_CONNECT,
        ODD_ENGINE_IO, RANDOM_TEXT, TRUNCATED_JSON, DEEP_NESTING, ATTACHMENTS, BINARY, OVERSIZE, BAD_ACK_ID, UNKNOWN_TYPE,
        OTHER_NAMESPACE_PACKET, SECOND_CONNECT, BAD_CONNECT, ODD_CONNECT, MULTI_PACKET
    }

    record Session(int index, String transport, State state, List<Case> cases) {
    }

    record Case(int index, Kind kind, long seed) {
    }

    /** One packet to send and what the contract says follows. */
    record Probe(String text, byte[] binary, Expect expect, int ackId) {
        static Probe text(String text, Expect expect) {
            return new Probe(text, null, expect, -1);
        }

        String describe() {
            String s = binary != null ? "<binary " + binary.length + " bytes>" : text;
            return s.length() > 120 ? s.substring(0, 120) + "...(" + s.length() + " chars)" : s;
        }
    }

    // run state
    private final Set<String> sids = ConcurrentHashMap.newKeySet();
    private final Map<String, LongAdder> sentByKind = new ConcurrentHashMap<>();
    private final Map<String, List<String>> violations = new ConcurrentHashMap<>();
    private final Bounded<String> setupFailures = new Bounded<>();
    private final LongAdder packets = new LongAdder();
    private final LongAdder sockets = new LongAdder();
    private final List<String> fuzzTokens = new ArrayList<>();
    private final String foreignToken = new TokenService("not-the-secret", Optional.empty(), Clock.systemUTC())
            .mint("user-fz-foreign", TENANT, com.salesmate.realtime.core.Role.SALESMAN, "fz-foreign", Duration.ofHours(1));

    @Test
    void tenThousandMalformedPacketsLeaveTheServerServingQuietAndStoringOnlyValidLocations() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("[fuzz] seed " + seed + " (rerun with -Dfuzz.seed=" + seed + ")");
        for (int w = 0; w < WORKERS; w++) {
            fuzzTokens.add(APP.salesmanToken(TENANT, "fz-s" + w));
        }
        List<Session> plan = plan(new Random(seed));

        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        String controlToken = APP.salesmanToken(TENANT, CONTROL);
        String afterToken = APP.salesmanToken(TENANT, AFTER);
        long malformedBefore = APP.meter("socketio.malformed");
        SoftAssertions soft = new SoftAssertions();
        try {
            LOG.info("fuzz marker"); // positive control: the appender sees INFO lines of the application's loggers

            // the control: a real client that keeps updating its location, every ~110 ms (the rate limit is 10/s)
            SioClient control = SioClient.authenticated(APP.socketUrl(), controlToken);
            List<CompletableFuture<JSONObject>> controlAcks = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger controlSent = new AtomicInteger();
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            ticker.scheduleAtFixedRate(() -> {
                try {
                    int i = controlSent.getAndIncrement();
                    controlAcks.add(control.emitAsync("location:update", new JSONObject()
                            .put("latitude", 40 + (i % 100) * 0.001).put("longitude", 10.0).put("timestamp", T0 + i)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, 0, 110, TimeUnit.MILLISECONDS);

            long started = System.nanoTime();
            runPlan(plan, started + FUZZ_BUDGET.toNanos());
            long fuzzMillis = (System.nanoTime() - started) / 1_000_000;
            ticker.shutdown();
            assertThat(ticker.awaitTermination(5, TimeUnit.SECONDS)).isTrue();

            // every control update was acked with success, and is stored
            int controlOk = 0;
            List<String> controlBad = new ArrayList<>();
            for (CompletableFuture<JSONObject> f : new ArrayList<>(controlAcks)) {
                try {
                    JSONObject ack = f.get(10, TimeUnit.SECONDS);
                    if (ack != null && ack.optBoolean("success")) {
                        controlOk++;
                    } else if (controlBad.size() < 5) {
                        controlBad.add(String.valueOf(ack));
                    }
                } catch (Exception e) {
                    if (controlBad.size() < 5) {
                        controlBad.add("no ack: " + e);
                    }
                }
            }
            soft.assertThat(controlBad).as("control acks that were not success").isEmpty();
            soft.assertThat(controlOk).as("control acks (%d sent)", controlSent.get()).isEqualTo(controlSent.get());
            soft.assertThat(controlSent.get()).as("control updates sent during %d ms", fuzzMillis)
                    .isGreaterThan((int) (fuzzMillis / 110 / 2));
            soft.assertThat(control.isConnected()).as("control still connected").isTrue();
            control.close();

            // the server still answers: a new client connects and its update is acked
            try (SioClient after = SioClient.authenticated(APP.socketUrl(), afterToken)) {
                JSONObject ack = after.emitAck("location:update",
                        new JSONObject().put("latitude", 1.5).put("longitude", 2.5).put("timestamp", T0));
                soft.assertThat(ack.optBoolean("success")).as("update after the fuzzing: %s", ack).isTrue();
            }

            // stored rows: only the control's, the new client's and the fuzzing salesmen's, all in range
            Map<String, Integer> rowsBySalesman = new TreeMap<>();
            List<String> invalidRows = new ArrayList<>();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + APP.sqliteFile());
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT salesman_id, latitude, longitude, recorded_at FROM locations")) {
                while (rs.next()) {
                    String salesman = rs.getString(1);
                    double lat = rs.getDouble(2);
                    double lon = rs.getDouble(3);
                    rowsBySalesman.merge(salesman, 1, Integer::sum);
                    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && rs.getLong(4) > 0)) {
                        invalidRows.add(salesman + " " + lat + "," + lon + " @" + rs.getLong(4));
                    }
                }
            }
            System.out.println("[fuzz] stored rows by salesman: " + rowsBySalesman);
            soft.assertThat(rowsBySalesman.keySet()).as("salesmen with stored rows")
                    .allMatch(s -> s.equals(CONTROL) || s.equals(AFTER) || s.matches("fz-s\\d+"));
            soft.assertThat(rowsBySalesman.get(CONTROL)).as("control rows = its acks").isEqualTo(controlOk);
            soft.assertThat(rowsBySalesman.get(AFTER)).isEqualTo(1);
            soft.assertThat(invalidRows).as("rows out of range").isEmpty();

            // the fuzzing reached the server and was seen as malformed (the positive control of the quiet log)
            long malformed = APP.meter("socketio.malformed") - malformedBefore;
            System.out.printf("[fuzz] %d packets on %d sockets in %d ms; socketio.malformed +%d%n", packets.sum(),
                    sockets.sum(), fuzzMillis, malformed);
            System.out.println("[fuzz] packets by kind: " + new TreeMap<>(sentByKind));
            soft.assertThat(packets.sum()).as("malformed packets sent within %s", FUZZ_BUDGET).isGreaterThanOrEqualTo(PACKETS);
            soft.assertThat(malformed).as("socketio.malformed increase").isGreaterThan(PACKETS / 10);
            soft.assertThat(setupFailures.all()).as("legitimate opens/CONNECTs that failed during the fuzzing").isEmpty();

            // what the contract says each packet does (closes, or is refused by ack)
            violations.forEach((what, examples) -> System.out.println("[fuzz] VIOLATION " + what + ": " + examples));
            soft.assertThat(violations.keySet()).as("packets whose outcome broke the contract (see output)").isEmpty();
        } finally {
            root.detachAppender(logs);
            logs.stop();
        }

        // log volume and content
        List<ILoggingEvent> events = new ArrayList<>(logs.list);
        soft.assertThat(events).as("the appender captured the marker line")
                .anyMatch(e -> "fuzz marker".equals(e.getFormattedMessage()));
        events.removeIf(e -> e.getLoggerName().equals(FuzzTest.class.getName()));
        int lines = 0;
        List<String> leaked = new ArrayList<>();
        List<String> allSecrets = new ArrayList<>(fuzzTokens);
        allSecrets.add(controlToken);
        allSecrets.add(afterToken);
        allSecrets.add(foreignToken);
        allSecrets.addAll(sids);
        for (ILoggingEvent e : events) {
            String text = render(e);
            lines += text.split("\n", -1).length;
            if (leaked.size() < 10) {
                for (String secret : allSecrets) {
                    if (text.contains(secret)) {
                        leaked.add(abbreviate(text, 300));
                        break;
                    }
                }
            }
        }
        System.out.printf("[fuzz] %d log events, %d lines, during the run; first ones:%n", events.size(), lines);
        events.stream().limit(25).forEach(e -> System.out.println("[fuzz]   " + abbreviate(render(e), 300)));
        soft.assertThat(lines).as("log lines for %d malformed packets", packets.sum()).isLessThan(LOG_LINE_BOUND);
        soft.assertThat(leaked).as("log lines holding a token or an Engine.IO sid").isEmpty();
        soft.assertAll();
    }

    // ---- the plan --------------------------------------------------------------------------------------------------

    /** Sessions of packets, all drawn from the seeded random: a few that keep the socket open, then any one. */
    private List<Session> plan(Random random) {
        List<Session> sessions = new ArrayList<>();
        int cases = 0;
        int index = 0;
        while (cases < PACKETS + PACKETS / 20) { // a little spare, in case sockets are lost to timeouts
            String transport = random.nextBoolean() ? "websocket" : "polling";
            int s = random.nextInt(100);
            State state = s < 35 ? State.OPEN : s < 50 ? State.ANON : State.AUTHED;
            List<Case> list = new ArrayList<>();
            int prefix = state == State.OPEN ? 0 : random.nextInt(state == State.ANON ? 4 : 10);
            for (int i = 0; i < prefix; i++) {
                list.add(new Case(cases++, keepOpenKind(random, state), random.nextLong()));
            }
            list.add(new Case(cases++, anyKind(random, state, transport), random.nextLong()));
            sessions.add(new Session(index++, transport, state, list));
        }
        return sessions;
    }

    private static Kind keepOpenKind(Random r, State state) {
        Kind[] kinds = state == State.AUTHED
                ? new Kind[]{Kind.WRONG_TYPES, Kind.WRONG_TYPES, Kind.FORGED_SALESMAN, Kind.VALID_UPDATE, Kind.BATCH_WRONG,
                Kind.IGNORED_EVENT, Kind.OTHER_NAMESPACE_CONNECT}
                : new Kind[]{Kind.WRONG_TYPES, Kind.FORGED_SALESMAN, Kind.IGNORED_EVENT, Kind.OTHER_NAMESPACE_CONNECT};
        return kinds[r.nextInt(kinds.length)];
    }

    private static Kind anyKind(Random r, State state, String transport) {
        if (r.nextInt(200) == 0) {
            return Kind.OVERSIZE; // ~0.5%: a megabyte each
        }
        List<Kind> kinds = new ArrayList<>(List.of(Kind.RANDOM_TEXT, Kind.RANDOM_TEXT, Kind.TRUNCATED_JSON, Kind.WRONG_TYPES,
                Kind.FORGED_SALESMAN, Kind.IGNORED_EVENT, Kind.DEEP_NESTING, Kind.ATTACHMENTS, Kind.BINARY, Kind.BAD_ACK_ID,
                Kind.UNKNOWN_TYPE, Kind.UNKNOWN_TYPE, Kind.OTHER_NAMESPACE_PACKET, Kind.ODD_ENGINE_IO));
        if (state == State.OPEN) {
            kinds.addAll(List.of(Kind.BAD_CONNECT, Kind.BAD_CONNECT, Kind.ODD_CONNECT));
        } else {
            kinds.addAll(List.of(Kind.SECOND_CONNECT, Kind.BATCH_WRONG));
        }
        if (state == State.AUTHED) {
            kinds.add(Kind.VALID_UPDATE);
        }
        if ("polling".equals(transport)) {
            kinds.add(Kind.MULTI_PACKET);
        }
        return kinds.get(r.nextInt(kinds.size()));
    }

    // ---- running ---------------------------------------------------------------------------------------------------

    private void runPlan(List<Session> plan, long deadline) throws Exception {
        ConcurrentLinkedQueue<Session> queue = new ConcurrentLinkedQueue<>(plan);
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        List<Future<?>> work = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int worker = w;
            work.add(pool.submit(() -> {
                Session s;
                while (packets.sum() < PACKETS && System.nanoTime() < deadline && (s = queue.poll()) != null) {
                    runSession(worker, s);
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get(FUZZ_BUDGET.toSeconds() + 30, TimeUnit.SECONDS);
        }
        pool.shutdown();
    }

    private void runSession(int worker, Session session) {
        RawEngineIo raw = null;
        AtomicInteger ackIds = new AtomicInteger();
        try {
            for (Case c : session.cases()) {
                if (raw == null || raw.isClosed()) {
                    if (raw != null) {
                        raw.close();
                    }
                    raw = open(worker, session);
                    if (raw == null) {
                        return;
                    }
                }
                Probe probe = probe(c, session, worker, ackIds);
                if (probe.binary() != null) {
                    raw.sendBinary(probe.binary());
                } else {
                    raw.sendRaw(probe.text());
                }
                int status = raw.lastStatus();
                String errorBody = raw.lastErrorBody();
                packets.increment();
                sentByKind.computeIfAbsent(c.kind().name(), k -> new LongAdder()).increment();
                check(raw, session, c, probe, status, errorBody);
            }
        } catch (RuntimeException | AssertionError e) {
            setupFailures.add("session " + session.index() + " " + session.transport() + "/" + session.state() + ": " + e);
        } finally {
            if (raw != null) {
                raw.close();
            }
        }
    }

    /** A socket in the session's state; null (and noted) if a legitimate open or CONNECT failed. */
    private RawEngineIo open(int worker, Session session) {
        RawEngineIo raw;
        try {
            raw = RawEngineIo.open(APP.socketUrl(), session.transport());
        } catch (RuntimeException | AssertionError e) {
            setupFailures.add("open " + session.transport() + ": " + e.getMessage());
            return null;
        }
        sockets.increment();
        sids.add(raw.sid());
        try {
            if (session.state() == State.ANON) {
                String answer = raw.connect(null);
                if (!answer.startsWith("40{")) {
                    throw new AssertionError("CONNECT without token answered " + answer);
                }
            } else if (session.state() == State.AUTHED) {
                raw.authenticate(fuzzTokens.get(worker));
            }
            return raw;
        } catch (RuntimeException | AssertionError e) {
            setupFailures.add("CONNECT " + session.transport() + "/" + session.state() + ": " + e.getMessage());
            raw.close();
            return null;
        }
    }

    private void check(RawEngineIo raw, Session session, Case c, Probe probe, int status, String errorBody) {
        String where = c.kind() + " " + session.transport() + "/" + session.state();
        switch (probe.expect()) {
            case CLOSE -> {
                if (!raw.awaitClosed(CLOSE_WAIT)) {
                    violation(where + " not closed within " + CLOSE_WAIT, probe);
                } else if (c.kind() == Kind.OVERSIZE) {
                    // over websocket the JDK client sends such a message in fragments (LimitsTest sends single frames):
                    // closed is what counts here, with whatever code
                    if ("polling".equals(session.transport()) && status != 413) {
                        violation(where + " answered " + status + " " + errorBody + " instead of 413", probe);
                    }
                }
            }
            case ACK_REFUSED, ACK_REFUSED_OR_NOTHING_ACCEPTED, ACK_STORED_OR_RATE_LIMITED -> {
                JSONObject ack;
                try {
                    ack = raw.awaitAck(probe.ackId(), ACK_WAIT);
                } catch (AssertionError none) {
                    if (!raw.isClosed()) {
                        violation(where + " no ack within " + ACK_WAIT, probe);
                    }
                    return;
                }
                boolean success = ack.optBoolean("success");
                String code = ack.optJSONObject("error") == null ? "" : ack.optJSONObject("error").optString("code");
                boolean ok = switch (probe.expect()) {
                    case ACK_REFUSED -> !success;
                    case ACK_REFUSED_OR_NOTHING_ACCEPTED -> !success || ack.optInt("accepted", -1) == 0;
                    default -> session.state() == State.AUTHED ? success || "rate_limited".equals(code) : !success;
                };
                if (!ok) {
                    violation(where + " acked " + abbreviate(ack.toString(), 200), probe);
                }
            }
            case NOTHING -> {
            }
        }
    }

    private void violation(String what, Probe probe) {
        String key = what.replaceAll("\\d{4,}", "N");
        List<String> examples = violations.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()));
        if (examples.size() < 3) {
            examples.add(probe.describe());
        }
    }

    // ---- packets ---------------------------------------------------------------------------------------------------

    private Probe probe(Case c, Session session, int worker, AtomicInteger ackIds) {
        Random r = new Random(c.seed());
        boolean open = session.state() == State.OPEN; // no CONNECT yet: any event is malformed
        boolean polling = "polling".equals(session.transport());
        Expect refusedUnlessOpen = open ? Expect.CLOSE : Expect.ACK_REFUSED;
        int ack = ackIds.incrementAndGet();
        return switch (c.kind()) {
            case RANDOM_TEXT -> Probe.text(randomText(r, 1 + r.nextInt(300)), Expect.NOTHING);
            case TRUNCATED_JSON -> {
                String full = "42" + (r.nextBoolean() ? Integer.toString(ack) : "")
                        + "[\"location:update\"," + validPoint(r, T0 - c.index()) + "]";
                yield Probe.text(full.substring(0, 3 + r.nextInt(full.length() - 3)), Expect.CLOSE);
            }
            case WRONG_TYPES -> new Probe(event(ack, "location:update", wrongPoint(r)), null, refusedUnlessOpen, ack);
            case FORGED_SALESMAN -> new Probe(event(ack, "location:update", withField(validPoint(r, T0 - c.index()),
                    "salesmanId", "\"fz-victim\"")), null, refusedUnlessOpen, ack);
            case VALID_UPDATE -> new Probe(event(ack, "location:update", validPoint(r, T0 + 1_000_000 + c.index())), null,
                    open ? Expect.CLOSE : Expect.ACK_STORED_OR_RATE_LIMITED, ack);
            case BATCH_WRONG -> {
                String points = switch (r.nextInt(4)) {
                    case 0 -> "\"points\"";
                    case 1 -> "{\"points\":" + pick(r, "\"x\"", "5", "null", "{}", "[1,2]", "[[]]") + "}";
                    default -> {
                        StringBuilder b = new StringBuilder("{\"points\":[");
                        int n = 1 + r.nextInt(5);
                        for (int i = 0; i < n; i++) {
                            b.append(i == 0 ? "" : ",").append(wrongPoint(r));
                        }
                        yield b.append("]}").toString();
                    }
                };
                yield new Probe(event(ack, "location:batch", points), null,
                        open ? Expect.CLOSE : Expect.ACK_REFUSED_OR_NOTHING_ACCEPTED, ack);
            }
            case IGNORED_EVENT -> Probe.text(pick(r, "42[1,{}]", "42[12345]", "42[7,\"x\"]",
                    "42[\"fuzz:unknown\",{\"a\":1}]", "42[\"zz\"]", "42" + ack + "[\"fuzz:unknown\",1]"),
                    open ? Expect.CLOSE : Expect.NOTHING);
            case OTHER_NAMESPACE_CONNECT -> Probe.text(pick(r, "40/other,", "40/admin,{\"token\":\"x\"}", "40/x,"),
                    Expect.NOTHING);
            case DEEP_NESTING -> {
                int depth = 5_000 + r.nextInt(5_001);
                String deep = switch (r.nextInt(4)) {
                    case 0 -> "42" + "[".repeat(depth);
                    case 1 -> "42[\"location:update\"," + "[".repeat(depth) + "]".repeat(depth) + "]";
                    case 2 -> "42[\"location:update\"," + "{\"a\":".repeat(depth) + "1" + "}".repeat(depth) + "]";
                    default -> "42" + "[".repeat(depth) + "]".repeat(depth);
                };
                yield Probe.text(deep, Expect.CLOSE);
            }
            case ATTACHMENTS -> Probe.text(pick(r,
                    "451000000-[\"location:update\",{\"_placeholder\":true,\"num\":0}]",
                    "45" + (1 + r.nextInt(Integer.MAX_VALUE)) + "-[\"x\",{\"_placeholder\":true,\"num\":" + r.nextInt() + "}]",
                    "459999999999999999999-[\"x\"]",
                    "45-[\"x\"]",
                    "461000000-" + ack + "[{\"_placeholder\":true,\"num\":0}]",
                    "451-[\"location:update\",{\"_placeholder\":true,\"num\":0}]"), Expect.CLOSE);
            case BINARY -> {
                byte[] bytes = new byte[1 + r.nextInt(2_000)];
                r.nextBytes(bytes);
                if (!polling) {
                    yield new Probe(null, bytes, Expect.CLOSE, -1);
                }
                yield r.nextBoolean() ? Probe.text("b" + Base64.getEncoder().encodeToString(bytes), Expect.CLOSE)
                        : new Probe(null, bytes, Expect.NOTHING, -1); // an octet-stream POST: not in the contract
            }
            case OVERSIZE -> Probe.text("42[\"location:update\",\"" + "x".repeat(1_000_001 + r.nextInt(100_000)) + "\"]",
                    Expect.CLOSE);
            case BAD_ACK_ID -> Probe.text(pick(r, "42abc[\"location:update\",{}]",
                    "421234567890123456[\"location:update\",{}]", "429999999999999999999[\"fuzz:unknown\"]",
                    "42-1[\"location:update\",{}]", "42 1[\"location:update\",{}]", "420x1F[\"location:update\",{}]",
                    "421.5[\"location:update\",{}]"), Expect.CLOSE);
            case UNKNOWN_TYPE -> Probe.text(pick(r, "9", "x", "7", "8", "2", "2ping", "47", "48[\"x\"]", "49",
                    "4abc", "4x[\"a\"]", "4", "44{\"message\":\"x\"}", "44", "4-1[]"), Expect.CLOSE);
            case OTHER_NAMESPACE_PACKET -> Probe.text(pick(r, "42/admin,[\"x\",1]",
                    "42/admin," + ack + "[\"location:update\",{}]", "43/admin,1[]", "41/admin,"),
                    Expect.CLOSE);
            case SECOND_CONNECT -> Probe.text(pick(r, "40", "40{\"token\":\"" + fuzzTokens.get(worker) + "\"}",
                    "40{\"token\":\"garbage\"}", "40{\"token\":\"" + fuzzTokens.get((worker + 1) % WORKERS) + "\"}"),
                    Expect.CLOSE);
            case BAD_CONNECT -> Probe.text(pick(r, "40{\"token\":\"garbage\"}", "40{\"token\":123}",
                    "40{\"token\":[]}", "40{\"token\":{\"$ne\":\"\"}}", "40{\"token\":\"" + foreignToken + "\"}",
                    "40{\"token\":\"" + "a".repeat(10_000) + "\"}", "40{\"token\":\"eyJhbGciOiJub25lIn0.e30.\"}"),
                    Expect.CLOSE);
            case ODD_CONNECT -> Probe.text(pick(r, "40[1,2]", "40\"str\"", "40{", "40null", "40{\"token\":null}", "40 ",
                    "40{}"), Expect.NOTHING);
            case ODD_ENGINE_IO -> Probe.text(pick(r, "3", "3probe", "3x", "32:49", "5", "6", "0", "0{}", "", "1x"),
                    Expect.NOTHING);
            case MULTI_PACKET -> {
                int n = 2 + r.nextInt(4);
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    parts.add(pick(r, "42[\"fuzz:unknown\",1]", "9", "", "42[", "3", "6", randomText(r, 10),
                            "42[\"location:update\"," + wrongPoint(r) + "]"));
                }
                yield Probe.text(String.join(RawEngineIo.SEPARATOR, parts), Expect.NOTHING);
            }
        };
    }

    private static String event(int ack, String event, String payload) {
        return "42" + ack + "[\"" + event + "\"," + payload + "]";
    }

    private static String validPoint(Random r, long timestamp) {
        return "{\"latitude\":" + (r.nextDouble() * 180 - 90) + ",\"longitude\":" + (r.nextDouble() * 360 - 180)
                + ",\"timestamp\":" + timestamp + "}";
    }

    /** A location payload that is refused for certain: a wrong type, an out-of-range value, a missing field, a non-object. */
    private static String wrongPoint(Random r) {
        String base = validPoint(r, T0);
        return switch (r.nextInt(11)) {
            case 0 -> withField(base, "latitude", pick(r, "\"45.1\"", "true", "[]", "{}", "null", "91", "-90.5", "1e400",
                    "\"NaN\"", "[45.1]"));
            case 1 -> withField(base, "longitude", pick(r, "\"9.1\"", "false", "[]", "{}", "null", "181", "-180.5",
                    "-1e400"));
            case 2 -> withField(base, "timestamp", pick(r, "\"1700000000000\"", "true", "-5", "0", "[]", "{}", "null",
                    "\"now\"", Long.toString(System.currentTimeMillis() + 86_400_000L)));
            case 3 -> withField(base, "accuracy", pick(r, "-1", "\"5\"", "false", "[]"));
            case 4 -> withField(base, "speed", pick(r, "-0.5", "\"fast\"", "{}"));
            case 5 -> withField(base, "heading", pick(r, "361", "-1", "\"N\""));
            case 6 -> withField(base, "altitude", pick(r, "1000001", "\"high\"", "[]"));
            case 7 -> withField(base, "battery", pick(r, "101", "-1", "\"full\""));
            case 8 -> withField(base, "salesmanId", pick(r, "5", "true", "\"bad id\"", "\"\"", "\"" + "x".repeat(65) + "\"",
                    "{}", "\"fz-victim\""));
            case 9 -> "{\"longitude\":1.0,\"timestamp\":" + T0 + "}";
            default -> pick(r, "5", "\"str\"", "[]", "null", "true", "[{\"latitude\":1}]");
        };
    }

    /** The JSON object with {@code field} set to the raw JSON {@code value} (replacing an existing one). */
    private static String withField(String object, String field, String value) {
        String key = "\"" + field + "\":";
        int at = object.indexOf(key);
        if (at < 0) {
            return object.substring(0, object.length() - 1) + "," + key + value + "}";
        }
        int end = object.indexOf(',', at);
        end = end < 0 ? object.length() - 1 : end;
        return object.substring(0, at) + key + value + object.substring(end);
    }

    private static String randomText(Random r, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int c = r.nextInt(100);
            if (c < 45) {
                b.append((char) (0x20 + r.nextInt(0x5f)));
            } else if (c < 65) {
                b.append("[]{}\",:0123456789-/".charAt(r.nextInt(19)));
            } else if (c < 75) {
                b.append((char) r.nextInt(0x20));
            } else if (c < 90) {
                b.append((char) (0x80 + r.nextInt(0xD800 - 0x80)));
            } else {
                b.append((char) (0xE000 + r.nextInt(0xFFFE - 0xE000)));
            }
        }
        return b.toString();
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }

    // ---- small helpers ---------------------------------------------------------------------------------------------

    private static String render(ILoggingEvent e) {
        StringBuilder b = new StringBuilder();
        b.append(e.getLevel()).append(' ').append(e.getLoggerName()).append(": ").append(e.getFormattedMessage());
        if (e.getMDCPropertyMap() != null && !e.getMDCPropertyMap().isEmpty()) {
            b.append(' ').append(e.getMDCPropertyMap());
        }
        IThrowableProxy t = e.getThrowableProxy();
        if (t != null) {
            b.append('\n').append(ThrowableProxyUtil.asString(t));
        }
        return b.toString().stripTrailing();
    }

    private static String abbreviate(String s, int max) {
        return s.length() > max ? s.substring(0, max) + "...(" + s.length() + " chars)" : s;
    }

    /** A small bounded list shared by the workers (first 20 entries kept). */
    private static final class Bounded<T> {
        private final List<T> items = new ArrayList<>();
        private int dropped;

        synchronized void add(T item) {
            if (items.size() < 20) {
                items.add(item);
            } else {
                dropped++;
            }
        }

        synchronized List<String> all() {
            List<String> out = new ArrayList<>();
            items.forEach(i -> out.add(String.valueOf(i)));
            if (dropped > 0) {
                out.add("... and " + dropped + " more");
            }
            return out;
        }
    }
}
