package com.salesmate.realtime.support;

import com.salesmate.realtime.cluster.NodeScripts;

import java.nio.file.Path;
import java.util.Map;

/**
 * A phone running the official JavaScript client (socket.io-client 4.8, with its own connection state recovery):
 * {@code scripts/js-client-check/recovery.mjs}, whose lines ({@code connected <id> <recovered>},
 * {@code disconnect <reason>}, {@code connect_error <message>}, {@code event <name> <text>}) the test awaits.
 */
public final class JsPhone extends NodeProcess {
    public static final Path SCRIPTS = Path.of("scripts/js-client-check");

    private JsPhone(Map<String, String> env) throws java.io.IOException {
        super(SCRIPTS, "recovery.mjs", env);
    }

    /** Starts the client against {@code url} with {@code token}, on {@code transport} (websocket or polling). */
    public static JsPhone start(String url, String token, String transport) throws Exception {
        NodeScripts.install(SCRIPTS);
        return new JsPhone(Map.of("SIO_URL", url, "TOKEN", token, "TRANSPORT", transport));
    }

    /** The next event line. */
    public String nextEvent() throws InterruptedException {
        return await(l -> l.startsWith("event "));
    }
}
