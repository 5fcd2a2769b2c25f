package com.salesmate.realtime.socketio;

import com.salesmate.realtime.api.ConnectError;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The CONNECT_ERROR data goes out through netty-socketio's JSON ({@link SocketJson}), not the hub's: same text. */
class ConnectErrorJsonTest {
    @Test
    void connectErrorIsWrittenAsTheMapItReplaced() throws Exception {
        var buffer = Unpooled.buffer();
        new SocketJson(1_000_000).writeValue(new ByteBufOutputStream(buffer),
                ConnectError.of("expired_token", "token has expired"));
        assertThat(buffer.toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"message\":\"expired_token\",\"data\":{\"code\":\"expired_token\","
                        + "\"message\":\"token has expired\"}}");
    }
}
