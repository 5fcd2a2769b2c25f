package com.salesmate.realtime;

import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Bounds shutdown: registered last, so it is stopped first, and from then on the process halts if the rest of the
 * shutdown (sockets, writer drain) has not finished within the bound.
 */
class ShutdownWatchdog implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(ShutdownWatchdog.class);
    private final Duration bound;

    ShutdownWatchdog(Duration bound) {
        this.bound = bound;
    }

    @Override
    public void stop() {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(bound.toMillis());
                LOG.error("shutdown did not finish within {}; halting", bound);
                Runtime.getRuntime().halt(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown-watchdog");
        t.setDaemon(true);
        t.start();
        LOG.info("shutting down (bound {})", bound);
    }
}
