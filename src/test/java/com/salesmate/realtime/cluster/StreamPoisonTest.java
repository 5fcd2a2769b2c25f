package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.ClusterNodes;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An entry appended by hand with an id past what a position holds (Redis takes ids up to 2^64-1 ms): the node passes
 * it over and counts it ({@code bad_id}); its reader stays alive (health green while it goes on reading), where the
 * first such entry used to end the reader thread and leave the node deaf for good. Its own cluster: after such an
 * entry every later id is as large, so the stream is of no use to anyone else.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class StreamPoisonTest {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final ClusterNodes CLUSTER = new ClusterNodes();
    static final TestApp NODE = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = NODE.extension();
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anEntryWithAnIdBeyondAPositionIsCountedAndTheReaderLivesOn() throws Exception {
        String t = ClusterNodes.tenant();
        try (SioClient manager = SioClient.authenticated(NODE.socketUrl(), NODE.managerToken(t, "m1"));
             RedisClient client = RedisClient.create(ClusterNodes.REDIS);
             StatefulRedisConnection<String, String> redis = client.connect()) {
            // before: the stream works (proof that the node reads it)
            NODE.postOk("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"" + t + "\",\"message\":\"before\"}");
            assertThat(manager.awaitObject("alert").getString("message")).isEqualTo("before");
            long badIds = NODE.meter("cluster.messages.dropped.bad_id");

            redis.sync().xadd(CLUSTER.streamName(), new XAddArgs().id("18446744073709551615-0"),
                    Map.of("uid", "forger", "nsp", "/", "type", "3", "data", "{}"));

            await().atMost(Duration.ofSeconds(10)).until(() -> NODE.meter("cluster.messages.dropped.bad_id") > badIds);
            // the reader goes on reading: its health stays green past the deafness bound (3.5 s)
            Thread.sleep(4_500);
            JsonNode health = JSON.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(NODE.adminUrl("/healthcheck"))).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(health.path("redis").path("healthy").asBoolean()).as(health.toString()).isTrue();
        }
    }
}
