package com.salesmate.realtime.socket;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client nobody here wrote: Debian's python3-socketio (scripts/python-client-check/check.py) over websocket, where
 * its websocket-client sends the URL it connects to as its Origin (as React Native and Starscream do; the Origin is
 * not in this app's CORS list), and over polling. It failed every check over websocket before (403).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class PythonClientTest {
    /** Recovery on, as shipped: room events carry an offset as one more argument. */
    static final TestApp APP = TestApp.create(io.dropwizard.testing.ConfigOverride.config("socketio.recoveryWindow",
            "2m"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    /** The system Python, which Debian's package installs into (a pyenv python on PATH would not have it). */
    static final Path PYTHON = Path.of("/usr/bin/python3");

    static boolean installed() throws Exception {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import socketio").redirectErrorStream(true).start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void pythonSocketioPassesEveryCheckOverWebsocketAndPolling() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        if (!installed()) {
            assertThat(ci).as("python3-socketio must be installed when CI=true (.ci/run installs it)").isFalse();
            Assumptions.abort("python3-socketio not installed (apt install python3-socketio python3-websocket)");
        }
        String tenant = "py-" + UUID.randomUUID().toString().substring(0, 6);
        String salesman = "py-s-" + UUID.randomUUID().toString().substring(0, 6);
        Path out = Files.createTempFile("python-client", ".log");
        Process p = new ProcessBuilder(List.of(PYTHON.toString(), "scripts/python-client-check/check.py",
                APP.socketUrl(), APP.salesmanToken(tenant, salesman), APP.managerToken(tenant, "py-m"), salesman))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean ended = p.waitFor(90, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String printed = read(out);
        System.out.println("[python-socketio]\n" + printed);
        assertThat(ended).as(printed).isTrue();
        assertThat(printed).contains("PASS websocket connect", "PASS websocket authenticated",
                "PASS websocket location:update acked after commit", "PASS websocket manager receives location:updated",
                "PASS polling connect", "PASS polling authenticated", "PASS polling location:update acked after commit",
                "PASS polling manager receives location:updated", "0 failed");
        assertThat(p.exitValue()).as(printed).isZero();
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
