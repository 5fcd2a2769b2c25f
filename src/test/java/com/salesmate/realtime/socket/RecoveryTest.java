package com.salesmate.realtime.socket;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.support.RawEngineIo;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connection state recovery on one node, on the raw exchange (the official clients do the same by themselves): the
 * CONNECT answer's {@code pid}, each room event's offset as its last argument, and a socket whose network dropped
 * coming back within the window with its pid and last offset — same id, its rooms, and every event sent to it
 * meanwhile, once and in order, typing not, {@code location:updated} only the newest per salesman.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class RecoveryTest {
    static final Duration WINDOW = Duration.ofSeconds(3);
    static final TestApp APP = TestApp.create(ConfigOverride.config("socketio.recoveryWindow", "3s"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final Duration WAIT = Duration.ofSeconds(5);
    static final AtomicInteger TENANTS = new AtomicInteger();

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void aDroppedManagerComesBackWithEverythingItMissedOnceAndInOrder(String transport) throws Exception {
        String t = "rec-" + transport + "-" + TENANTS.incrementAndGet();
        String boss = APP.managerToken(t, "boss");
        String salesmanId = "s-" + t;
        try (RawEngineIo salesman = RawEngineIo.websocket(APP.socketUrl())) {
            salesman.authenticate(APP.salesmanToken(t, salesmanId));
            RawEngineIo manager = RawEngineIo.open(APP.socketUrl(), transport);
            JSONObject answer = connect(manager, RawEngineIo.object("token", boss));
            String sid = answer.getString("sid");
            String pid = answer.getString("pid");
            manager.awaitEvent("authenticated", WAIT);
            alert(t, "before");
            JSONArray before = args(manager.awaitPacket(RawEngineIo.eventPacket("alert"), WAIT));
            assertThat(before.getJSONObject(0).getString("message")).isEqualTo("before");
            String offset = before.getString(before.length() - 1); // the offset, last argument of a room event

            manager.drop(); // the network goes: nothing said to the server
            alert(t, "gap-1");
            for (int i = 1; i <= 3; i++) {
                assertThat(salesman.emit("location:update", point(12.0 + i, 77.0, System.currentTimeMillis() + i), i))
                        .isTrue();
                assertThat(salesman.awaitAck(i, WAIT).getBoolean("success")).isTrue();
            }
            salesman.emit("typing", RawEngineIo.object("to", "managers"), 9);
            assertThat(salesman.awaitAck(9, WAIT).getBoolean("success")).isTrue();
            alert(t, "gap-2");

            try (RawEngineIo back = RawEngineIo.open(APP.socketUrl(), transport)) {
                JSONObject again = connect(back, RawEngineIo.object("token", boss, "pid", pid, "offset", offset));
                assertThat(again.getString("sid")).as("the same socket id").isEqualTo(sid);
                assertThat(again.getString("pid")).isEqualTo(pid);
                back.awaitEvent("authenticated", WAIT);
                alert(t, "after"); // live, after the replay
                List<String> got = new ArrayList<>();
                List<String> offsets = new ArrayList<>();
                while (!got.contains("alert:after")) {
                    String p = back.awaitPacket(x -> x.startsWith("42[\"alert\"") || x.startsWith("42[\"location")
                            || x.startsWith("42[\"typing"), WAIT);
                    JSONArray a = args(p);
                    String name = RawEngineIo.parseArray(p.substring(2)).getString(0);
                    got.add(name.equals("alert") ? "alert:" + a.getJSONObject(0).getString("message")
                            : name + ":" + a.getJSONObject(0).optDouble("latitude"));
                    offsets.add(a.getString(a.length() - 1));
                }
                // the alerts in order, the three points conflated to the newest (its broadcast follows its commit, so
                // it may land just after the next alert), typing not replayed, nothing twice
                assertThat(got.stream().filter(g -> g.startsWith("alert:")))
                        .containsExactly("alert:gap-1", "alert:gap-2", "alert:after");
                assertThat(got.stream().filter(g -> g.startsWith("location:"))).containsExactly("location:updated:15.0");
                assertThat(got.indexOf("location:updated:15.0")).isLessThan(got.indexOf("alert:after"));
                assertThat(offsets).doesNotHaveDuplicates().doesNotContain(offset);
                back.assertNoPacket(x -> x.startsWith("42[\"alert\"") || x.startsWith("42[\"typing"),
                        Duration.ofMillis(500), "anything more");
                // its rooms are back: a room it was in by its token gets it live
                assertThat(got).endsWith("alert:after");
            }
        }
    }

    @Test
    void pastTheWindowTheSocketGetsAFreshSessionAndNothingReplayed() throws Exception {
        String t = "rec-late-" + TENANTS.incrementAndGet();
        String boss = APP.managerToken(t, "boss");
        JSONObject answer = connectedThenDropped(boss);
        alert(t, "missed");
        Thread.sleep(WINDOW.toMillis() + 1_000); // the window has to pass; nothing to await
        try (RawEngineIo back = RawEngineIo.websocket(APP.socketUrl())) {
            JSONObject again = connect(back, RawEngineIo.object("token", boss, "pid", answer.getString("pid")));
            assertThat(again.getString("sid")).isNotEqualTo(answer.getString("sid"));
            assertThat(again.getString("pid")).isNotEqualTo(answer.getString("pid"));
            back.awaitEvent("authenticated", WAIT);
            back.assertNoPacket(RawEngineIo.eventPacket("alert"), Duration.ofMillis(700), "a replay");
            alert(t, "live");
            assertThat(back.awaitEvent("alert", WAIT).getString("message")).isEqualTo("live");
        }
    }

    @Test
    void anotherSubjectWithTheSamePidGetsAFreshSessionAndTheOwnerStillRecovers() throws Exception {
        String t = "rec-pid-" + TENANTS.incrementAndGet();
        String boss = APP.managerToken(t, "boss");
        JSONObject answer = connectedThenDropped(boss);
        alert(t, "for-boss");
        try (RawEngineIo thief = RawEngineIo.websocket(APP.socketUrl());
             RawEngineIo owner = RawEngineIo.websocket(APP.socketUrl())) {
            JSONObject stolen = connect(thief, RawEngineIo.object("token", APP.managerToken(t, "deputy"),
                    "pid", answer.getString("pid")));
            assertThat(stolen.getString("sid")).isNotEqualTo(answer.getString("sid"));
            thief.assertNoPacket(x -> x.contains("for-boss"), Duration.ofMillis(700), "the boss's event");
            JSONObject again = connect(owner, RawEngineIo.object("token", boss, "pid", answer.getString("pid")));
            assertThat(again.getString("sid")).isEqualTo(answer.getString("sid"));
            assertThat(owner.awaitEvent("alert", WAIT).getString("message")).isEqualTo("for-boss");
        }
    }

    @Test
    void anExpiredTokenRecoversNothing() throws Exception {
        String t = "rec-exp-" + TENANTS.incrementAndGet();
        JSONObject answer = connectedThenDropped(APP.managerToken(t, "boss"));
        alert(t, "secret");
        String expired = APP.token("boss", t, Role.MANAGER, null, Duration.ofSeconds(-60));
        try (RawEngineIo back = RawEngineIo.websocket(APP.socketUrl())) {
            back.send("40" + RawEngineIo.object("token", expired, "pid", answer.getString("pid")));
            String refused = back.awaitPacket(RawEngineIo::isConnectAnswer, WAIT);
            assertThat(refused).startsWith("44");
            back.assertNoPacket(x -> x.contains("secret"), Duration.ofMillis(700), "a replay");
        }
    }

    @Test
    void theJavaClientWithoutRecoverySeesTheEventAsBefore() throws Exception {
        String t = "rec-java-" + TENANTS.incrementAndGet();
        try (SioClient boss = SioClient.authenticated(APP.socketUrl(), APP.managerToken(t, "boss"))) {
            alert(t, "plain");
            assertThat(boss.awaitObject("alert").getString("message")).isEqualTo("plain");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** A manager's websocket connected with {@code token}, then its network gone; answers its CONNECT answer. */
    private static JSONObject connectedThenDropped(String token) {
        RawEngineIo manager = RawEngineIo.websocket(APP.socketUrl());
        JSONObject answer = connect(manager, RawEngineIo.object("token", token));
        manager.awaitEvent("authenticated", WAIT);
        manager.drop();
        return answer;
    }

    private static JSONObject connect(RawEngineIo c, JSONObject auth) {
        c.send("40" + auth);
        String answer = c.awaitPacket(RawEngineIo::isConnectAnswer, WAIT);
        assertThat(answer).as("CONNECT answer").startsWith("40{");
        return RawEngineIo.parseObject(answer.substring(2));
    }

    private static void alert(String tenantId, String message) {
        var res = APP.post("/emit/alert", TestApp.ADMIN_KEY,
                "{\"tenantId\":\"" + tenantId + "\",\"message\":\"" + message + "\"}");
        assertThat(res.getStatus()).as(res.readEntity(String.class)).isEqualTo(200);
    }

    /** The arguments of an event packet {@code 42["name",args...]}. */
    private static JSONArray args(String packet) throws Exception {
        JSONArray all = RawEngineIo.parseArray(packet.substring(2));
        JSONArray args = new JSONArray();
        for (int i = 1; i < all.length(); i++) {
            args.put(all.get(i));
        }
        return args;
    }

    private static JSONObject point(double lat, double lng, long ts) {
        return RawEngineIo.object("latitude", lat, "longitude", lng, "timestamp", ts);
    }
}
