package com.salesmate.realtime.health;

import com.codahale.metrics.health.HealthCheck;
import com.salesmate.realtime.socketio.SocketServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Is the Socket.IO server bound and accepting on its port, at the address it is bound to? */
public class SocketIoHealthCheck extends HealthCheck {
    private final SocketServer server;

    public SocketIoHealthCheck(SocketServer server) {
        this.server = server;
    }

    @Override
    protected Result check() {
        if (!server.isRunning()) {
            return Result.unhealthy("socket server not running (port %d)", server.port());
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.probeHost(), server.port()), 1000);
            return Result.healthy("accepting on %s:%d", server.probeHost(), server.port());
        } catch (IOException e) {
            return Result.unhealthy("socket server not accepting on %s:%d: %s", server.probeHost(), server.port(),
                    e.getMessage());
        }
    }
}
