package com.salesmate.realtime.socketio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * {@link SioPacket#parse}: what a client may send after the Engine.IO message type {@code 4}, parsed into its fields,
 * and every packet the edge refuses (and closes the connection for), with the reason it gives.
 */
class SioPacketTest {
    private static final String NAME_FIRST = "EVENT payload must be an array starting with the event name";
    private static final String BAD_JSON = "payload is not valid JSON or is nested too deeply";
    private static final String CONNECT_OBJECT = "CONNECT payload must be an object";
    private static final String DISCONNECT_EMPTY = "DISCONNECT has no payload";
    private static final String ACK_SHAPE = "ACK needs an id and an array";

    /** text, type, namespace, ack id, payload as compact JSON (null: none). */
    static Stream<Arguments> accepted() {
        return Stream.of(
                arguments("0", SioPacket.CONNECT, "/", null, null),
                arguments("0{}", SioPacket.CONNECT, "/", null, "{}"),
                arguments("0{\"token\":\"abc\"}", SioPacket.CONNECT, "/", null, "{\"token\":\"abc\"}"),
                arguments("0/admin,", SioPacket.CONNECT, "/admin", null, null),
                arguments("0/admin", SioPacket.CONNECT, "/admin", null, null),
                arguments("0/admin,{\"token\":\"abc\"}", SioPacket.CONNECT, "/admin", null, "{\"token\":\"abc\"}"),
                arguments("1", SioPacket.DISCONNECT, "/", null, null),
                arguments("1/admin,", SioPacket.DISCONNECT, "/admin", null, null),
                arguments("2[\"typing\"]", SioPacket.EVENT, "/", null, "[\"typing\"]"),
                arguments("2[\"location:update\",{\"lat\":1.5}]", SioPacket.EVENT, "/", null,
                        "[\"location:update\",{\"lat\":1.5}]"),
                arguments("20[\"typing\"]", SioPacket.EVENT, "/", 0L, "[\"typing\"]"),
                arguments("212[\"join:tenant\",{\"tenantId\":\"t1\"}]", SioPacket.EVENT, "/", 12L,
                        "[\"join:tenant\",{\"tenantId\":\"t1\"}]"),
                arguments("22147483647[\"typing\"]", SioPacket.EVENT, "/", 2147483647L, "[\"typing\"]"),
                arguments("2/admin,5[\"x\",1,2]", SioPacket.EVENT, "/admin", 5L, "[\"x\",1,2]"),
                arguments("2[7,\"numeric name\"]", SioPacket.EVENT, "/", null, "[7,\"numeric name\"]"),
                arguments("37[]", SioPacket.ACK, "/", 7L, "[]"),
                arguments("30[\"ok\",{\"n\":1}]", SioPacket.ACK, "/", 0L, "[\"ok\",{\"n\":1}]"),
                arguments("3/admin,9[null]", SioPacket.ACK, "/admin", 9L, "[null]"),
                // 32 levels of nesting (the event array is the first) is the most allowed
                arguments("2[\"deep\"," + nested(31) + "]", SioPacket.EVENT, "/", null,
                        "[\"deep\"," + nested(31) + "]"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("accepted")
    void acceptedPacketsAreParsedIntoTheirFields(String text, int type, String nsp, Long ackId, String payload)
            throws Exception {
        SioPacket packet = SioPacket.parse(text);
        assertThat(packet.type()).isEqualTo(type);
        assertThat(packet.nsp()).isEqualTo(nsp);
        assertThat(packet.ackId()).isEqualTo(ackId);
        if (payload == null) {
            assertThat(packet.payload()).isNull();
        } else {
            assertThat(packet.payload()).isNotNull();
            assertThat(packet.payload().toString()).isEqualTo(payload);
        }
    }

    @Test
    void anEventsNameAndFirstArgumentAreWhatTheHubIsHanded() throws Exception {
        SioPacket update = SioPacket.parse("23[\"location:update\",{\"lat\":1.5},\"ignored\"]");
        assertThat(update.eventName()).isEqualTo("location:update");
        assertThat(update.firstArgument().toString()).isEqualTo("{\"lat\":1.5}");

        SioPacket bare = SioPacket.parse("2[\"typing\"]");
        assertThat(bare.eventName()).isEqualTo("typing");
        assertThat(bare.firstArgument()).isNull();

        SioPacket numeric = SioPacket.parse("2[7,{}]");
        assertThat(numeric.eventName()).as("a numeric name is allowed, unknown to this service").isNull();
        assertThat(numeric.firstArgument().toString()).isEqualTo("{}");
    }

    /** text, the reason given. */
    static Stream<Arguments> refused() {
        return Stream.of(
                arguments("", "empty Socket.IO packet"),
                // binary packets (BINARY_EVENT, BINARY_ACK)
                arguments("51-[\"upload\",{\"_placeholder\":true,\"num\":0}]", "binary packets are not supported"),
                arguments("61-3[{\"_placeholder\":true,\"num\":0}]", "binary packets are not supported"),
                arguments("5", "binary packets are not supported"),
                // types outside 0..6
                arguments("7", "unknown Socket.IO packet type"),
                arguments("9[\"x\"]", "unknown Socket.IO packet type"),
                arguments("x[\"x\"]", "unknown Socket.IO packet type"),
                arguments("/", "unknown Socket.IO packet type"),
                arguments("[\"x\"]", "unknown Socket.IO packet type"),
                arguments("\u0663[\"x\"]", "unknown Socket.IO packet type"), // ARABIC-INDIC DIGIT THREE
                // CONNECT_ERROR is the server's
                arguments("4", "a client may not send CONNECT_ERROR"),
                arguments("4{\"message\":\"x\"}", "a client may not send CONNECT_ERROR"),
                // JSON
                arguments("2[\"x\"", BAD_JSON),
                arguments("2[\"x\",]", BAD_JSON),
                arguments("2[\"x\"] junk", BAD_JSON),
                arguments("2[\"x\"][\"y\"]", BAD_JSON),
                arguments("2['x']", BAD_JSON),
                arguments("0{token:\"abc\"}", BAD_JSON),
                arguments("2x", BAD_JSON),
                arguments("2[\"deep\"," + nested(32) + "]", BAD_JSON), // 33 levels
                arguments("0" + "{\"a\":".repeat(33) + "1" + "}".repeat(33), BAD_JSON),
                // ack ids: decimal digits, 0..2147483647
                arguments("22147483648[\"x\"]", "ack id too large"),
                arguments("29999999999[\"x\"]", "ack id too large"),
                arguments("212345678901[\"x\"]", "invalid ack id"),
                arguments("2000000000001[\"x\"]", "invalid ack id"),
                arguments("2-1[\"x\"]", BAD_JSON),
                arguments("2+1[\"x\"]", BAD_JSON),
                arguments("21.5[\"x\"]", BAD_JSON),
                // EVENT payload: an array whose first element is the name
                arguments("2", NAME_FIRST),
                arguments("2/admin,", NAME_FIRST),
                arguments("25", NAME_FIRST),
                arguments("2[]", NAME_FIRST),
                arguments("2{\"event\":\"x\"}", NAME_FIRST),
                arguments("2\"typing\"", NAME_FIRST),
                arguments("242", NAME_FIRST), // ack id 242, no payload
                arguments("2[null,{}]", NAME_FIRST),
                arguments("2[{},\"x\"]", NAME_FIRST),
                arguments("2[[\"x\"]]", NAME_FIRST),
                arguments("2[true]", NAME_FIRST),
                arguments("2null", NAME_FIRST),
                // CONNECT: an object or nothing, no ack id
                arguments("0[]", CONNECT_OBJECT),
                arguments("0\"token\"", CONNECT_OBJECT),
                arguments("0null", CONNECT_OBJECT),
                arguments("01", CONNECT_OBJECT),
                arguments("05{}", CONNECT_OBJECT),
                arguments("0/admin,[]", CONNECT_OBJECT),
                // DISCONNECT: nothing after the namespace
                arguments("1{}", DISCONNECT_EMPTY),
                arguments("1[]", DISCONNECT_EMPTY),
                arguments("13", DISCONNECT_EMPTY),
                arguments("1/admin,null", DISCONNECT_EMPTY),
                // ACK: an id and an array
                arguments("3[]", ACK_SHAPE),
                arguments("3[\"ok\"]", ACK_SHAPE),
                arguments("35", ACK_SHAPE),
                arguments("35{}", ACK_SHAPE),
                arguments("35\"ok\"", ACK_SHAPE));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("refused")
    void refusedPacketsGiveTheirReason(String text, String reason) {
        assertThatThrownBy(() -> SioPacket.parse(text))
                .isInstanceOf(SioPacket.Malformed.class)
                .hasMessage(reason);
    }

    @Test
    void aRefusalDoesNotRepeatWhatThePacketCarried() {
        // the reason is logged and counted: a token in a broken CONNECT must not end up there
        assertThatThrownBy(() -> SioPacket.parse("0{\"token\":\"eyJ.secret.sig\""))
                .isInstanceOf(SioPacket.Malformed.class)
                .hasMessage(BAD_JSON)
                .hasNoCause();
    }

    /** {@code depth} arrays, one inside the other. */
    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }
}
