package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Socket.IO Redis adapter format, against the real thing: the official {@code @socket.io/redis-emitter} (Node, in
 * {@code scripts/emitter-check}) publishes on a real Redis, and what arrives is decoded by {@link AdapterCodec} with
 * the channels, rooms, exceptions, namespace and payloads the Node side meant; what the codec encodes goes on the same
 * channels. Bad input on the bus is refused by the codec (ClusterBusTest shows the nodes drop it).
 */
@Timeout(180)
class EmitterInteropTest {
    private static final String REDIS = "redis://127.0.0.1:6379";
    private static final String KEY = "salesmate-test-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RedisClient client;
    private static StatefulRedisPubSubConnection<String, byte[]> subscriber;
    private static final BlockingQueue<Map.Entry<String, byte[]>> RECEIVED = new LinkedBlockingQueue<>();
    private final AdapterCodec codec = new AdapterCodec(KEY);

    @BeforeAll
    static void subscribe() throws Exception {
        client = RedisClient.create(REDIS);
        subscriber = client.connectPubSub(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, byte[] message) {
                RECEIVED.add(Map.entry(channel, message));
            }
        });
        subscriber.sync().psubscribe(KEY + "#*");
    }

    @AfterAll
    static void close() {
        if (subscriber != null) {
            subscriber.close();
        }
        if (client != null) {
            client.shutdown();
        }
    }

    @Test
    void whatTheOfficialEmitterPublishesIsDecodedAsItWasMeant() throws Exception {
        runEmitter();
        Map<String, List<AdapterMessage>> byChannel = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            Map.Entry<String, byte[]> m = RECEIVED.poll(20, TimeUnit.SECONDS);
            assertThat(m).as("message %d from the emitter", i + 1).isNotNull();
            byChannel.computeIfAbsent(m.getKey(), c -> new ArrayList<>()).add(codec.decode(m.getValue()));
        }

        AdapterMessage visit = only(byChannel, KEY + "#/#tenant:acme#");
        assertThat(visit.uid()).isEqualTo("emitter");
        assertThat(visit.nsp()).isEqualTo("/");
        assertThat(visit.event()).isEqualTo("visit:created");
        assertThat(visit.rooms()).containsExactly("tenant:acme");
        assertThat(visit.except()).isEmpty();
        assertThat(visit.args()).hasSize(1);
        assertThat(visit.args().get(0)).isEqualTo(JSON.readTree(
                "{\"tenantId\":\"acme\",\"data\":{\"visitId\":\"v1\",\"n\":1.5},\"emittedAt\":1}"));
        assertThat(codec.channel(visit)).isEqualTo(KEY + "#/#tenant:acme#");

        AdapterMessage order = only(byChannel, KEY + "#/#tenant:acme:managers#");
        assertThat(order.event()).isEqualTo("order:created");
        assertThat(order.rooms()).containsExactly("tenant:acme:managers");
        assertThat(order.except()).containsExactly("tenant:acme:salesman:s1");
        assertThat(order.args().get(0)).isEqualTo(JSON.readTree("{\"total\":42,\"items\":[\"a\",\"b\"]}"));

        List<AdapterMessage> namespaceWide = byChannel.get(KEY + "#/#");
        assertThat(namespaceWide).extracting(AdapterMessage::event).containsExactlyInAnyOrder("dashboard:refresh", "maintenance");
        AdapterMessage refresh = namespaceWide.stream().filter(m -> m.event().equals("dashboard:refresh")).findFirst().orElseThrow();
        assertThat(refresh.rooms()).containsExactlyInAnyOrder("tenant:acme", "tenant:beta");
        assertThat(refresh.args().get(0).get("scope").isNull()).isTrue();
        assertThat(codec.channel(refresh)).isEqualTo(KEY + "#/#");
        AdapterMessage everyone = namespaceWide.stream().filter(m -> m.event().equals("maintenance")).findFirst().orElseThrow();
        assertThat(everyone.rooms()).isEmpty();
        assertThat(everyone.args().get(0).asText()).isEqualTo("tonight");

        AdapterMessage admin = only(byChannel, KEY + "#/admin#");
        assertThat(admin.nsp()).isEqualTo("/admin");
    }

    @Test
    void whatTheCodecEncodesGoesOnTheAdaptersChannelsAndReadsBackTheSame() throws Exception {
        AdapterMessage sent = new AdapterMessage("node-a", "/", "alert", List.of(JSON.readTree(
                "{\"tenantId\":\"acme\",\"message\":\"é✓ storm\",\"severity\":\"warning\",\"data\":null,\"emittedAt\":1796000000000}")),
                Set.of("tenant:acme"), Set.of("tenant:acme:salesman:s9"), JSON.createObjectNode());
        try (var publisher = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
            assertThat(publisher.sync().publish(codec.channel(sent), codec.encode(sent))).isEqualTo(1L);
        }
        Map.Entry<String, byte[]> m = RECEIVED.poll(10, TimeUnit.SECONDS);
        assertThat(m).isNotNull();
        assertThat(m.getKey()).isEqualTo(KEY + "#/#tenant:acme#");
        assertThat(codec.decode(m.getValue())).isEqualTo(sent);
    }

    @Test
    void badInputOnTheBusIsRefused() throws Exception {
        assertThatThrownBy(() -> codec.decode("not msgpack at all \u0000\u00c1".getBytes(StandardCharsets.ISO_8859_1)))
                .isInstanceOf(AdapterCodec.Malformed.class);
        assertThatThrownBy(() -> codec.decode(new byte[0])).isInstanceOf(AdapterCodec.Malformed.class);
        for (String json : List.of(
                "[\"u\",{\"type\":3,\"data\":[\"x\"],\"nsp\":\"/\"},{}]",        // not an EVENT
                "[\"u\",{\"type\":2,\"data\":\"x\",\"nsp\":\"/\"},{}]",          // data not a list
                "[\"u\",{\"type\":2,\"data\":[7],\"nsp\":\"/\"},{}]",            // event name not a string
                "[\"u\",{\"type\":2,\"data\":[\"x\"],\"nsp\":\"/\"},{\"rooms\":[1]}]", // rooms not strings
                "[\"u\",{\"type\":2,\"data\":[\"x\"],\"nsp\":5},{}]",            // nsp not a string
                "{\"uid\":\"u\"}")) {                                            // not [uid, packet, opts]
            assertThatThrownBy(() -> codec.decode(msgpackOf(json))).as(json).isInstanceOf(AdapterCodec.Malformed.class);
        }
        // and the same shape, valid, is read
        assertThat(decodes("[\"u\",{\"type\":2,\"data\":[\"x\",1],\"nsp\":\"/\"},{\"rooms\":[\"r\"],\"except\":[]}]"))
                .isTrue();
        // nesting far deeper than any payload of this service
        assertThatThrownBy(() -> codec.decode(msgpackOf("[\"u\",{\"type\":2,\"data\":[\"x\"," + "[".repeat(200)
                + "]".repeat(200) + "],\"nsp\":\"/\"},{}]"))).isInstanceOf(AdapterCodec.Malformed.class);
    }

    private boolean decodes(String json) throws Exception {
        return codec.decode(msgpackOf(json)) != null;
    }

    private static byte[] msgpackOf(String json) throws IOException {
        JsonNode tree = JSON.readTree(json);
        return new ObjectMapper(new org.msgpack.jackson.dataformat.MessagePackFactory()).writeValueAsBytes(tree);
    }

    private static AdapterMessage only(Map<String, List<AdapterMessage>> byChannel, String channel) {
        assertThat(byChannel).as("channels used by the emitter").containsKey(channel);
        assertThat(byChannel.get(channel)).hasSize(1);
        return byChannel.get(channel).get(0);
    }

    private static void runEmitter() throws Exception {
        NodeScripts.emit("emit.mjs", Map.of("REDIS_URL", REDIS, "KEY", KEY));
    }
}
