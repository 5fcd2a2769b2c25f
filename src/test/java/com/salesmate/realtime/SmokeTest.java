package com.salesmate.realtime;

import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class SmokeTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    @Test
    void salesmanLocationReachesManager() throws Exception {
        try (SioClient manager = SioClient.authenticated(APP.socketUrl(), APP.managerToken("tenant-a", "boss"));
             SioClient salesman = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-a", "s1"), "polling")) {
            JSONObject ack = salesman.emitAck("location:update", new JSONObject()
                    .put("latitude", 12.5).put("longitude", 77.1).put("timestamp", System.currentTimeMillis()));
            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            JSONObject seen = manager.awaitObject("location:updated");
            assertThat(seen.getString("salesmanId")).isEqualTo("s1");
        }
    }
}
