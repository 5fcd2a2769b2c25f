package com.salesmate.realtime;

import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Bounds shutdown: registered last, so it is stopped first, and from then on the process halts if the rest of the
 * shutdown (sockets, writer drain) has not finished within the bound. It halts only while the JVM is shutting down
 * (SIGTERM runs the stop in a shutdown hook): an application stopped in-process, as in tests, leaves the JVM alone.
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
                if (jvmShuttingDown()) {
                    LOG.error("shutdown did not finish within {}; halting", bound);
                    Runtime.getRuntime().halt(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown-watchdog");
        t.setDaemon(true);
        t.start();
        LOG.info("shutting down (bound {})", bound);
    }

    /** True once the JVM has begun its shutdown: hooks can then no longer be added. */
    private static boolean jvmShuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
