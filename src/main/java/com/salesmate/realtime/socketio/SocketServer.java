package com.salesmate.realtime.socketio;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.AuthorizationResult;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.ConnectionRegistry;
import com.salesmate.realtime.hub.DisconnectReason;
import com.salesmate.realtime.hub.SocketEvents;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.persistence.LocationWriter;
import io.dropwizard.lifecycle.Managed;
import io.netty.channel.epoll.Epoll;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The embedded netty-socketio server as a Managed object, configured explicitly (random session ids, no compression,
 * limits, manual acks), with the project's handlers in its pipeline: the edge decides who gets in, reads every
 * client packet itself and ends sessions for real.
 */
public class SocketServer implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(SocketServer.class);
    private static final String PATH = "/socket.io/";

    private final SocketIoFactory settings;
    private final SocketEvents hub;
    private final ConnectionRegistry registry;
    private final SocketMetrics metrics;
    private final LocationWriter writer;
    private final ScheduledExecutorService timers;
    private final EdgeLimits limits;
    private final EdgeSessions sessions;
    private final EdgeExceptions exceptions;
    private volatile SocketIOServer server;
    private volatile ScheduledFuture<?> pruning;
    private volatile boolean running;

    public SocketServer(SocketIoFactory settings, SocketEvents hub, ConnectionRegistry registry, SocketMetrics metrics,
                        LocationWriter writer, ScheduledExecutorService timers) {
        this.settings = settings;
        this.hub = hub;
        this.registry = registry;
        this.metrics = metrics;
        this.writer = writer;
        this.timers = timers;
        this.limits = EdgeLimits.from(settings);
        this.sessions = new EdgeSessions(limits);
        this.exceptions = new EdgeExceptions(metrics);
    }

    public int port() {
        return settings.getPort();
    }

    /**
     * The address a local probe reaches the server on: the configured host, or loopback when it is bound to every
     * interface (0.0.0.0, ::, empty).
     */
    public String probeHost() {
        return probeHost(settings.getHost());
    }

    static String probeHost(String host) {
        if (host == null || host.isBlank() || host.equals("0.0.0.0")) {
            return "127.0.0.1";
        }
        if (host.equals("::") || host.equals("[::]") || host.equals("0:0:0:0:0:0:0:0")) {
            return "::1";
        }
        return host;
    }

    public boolean isRunning() {
        return running;
    }

    Configuration nettyConfiguration() {
        Configuration config = new Configuration();
        config.setHostname(settings.getHost());
        config.setPort(settings.getPort());
        config.setContext(PATH.substring(0, PATH.length() - 1));
        config.setRandomSession(true); // a client must never choose (and so take over) a session id
        config.setAuthorizationListener(data -> AuthorizationResult.SUCCESSFUL_AUTHORIZATION); // the RequestGate decides
        config.setEnableCors(true); // only requests from allowed origins get this far
        config.setWebsocketCompression(settings.isWebsocketCompression());
        config.setHttpCompression(false);
        config.setPingInterval((int) settings.getPingInterval().toMilliseconds());
        config.setPingTimeout((int) settings.getPingTimeout().toMilliseconds());
        config.setUpgradeTimeout((int) settings.getUpgradeTimeout().toMilliseconds());
        config.setFirstDataTimeout((int) settings.getFirstDataTimeout().toMilliseconds());
        config.setMaxFramePayloadLength((int) settings.getMaxFramePayload().toBytes());
        config.setMaxHttpContentLength((int) settings.getMaxHttpContent().toBytes());
        config.setUseLinuxNativeEpoll(settings.isNativeTransport() && Epoll.isAvailable());
        config.setBossThreads(settings.getBossThreads());
        config.setWorkerThreads(settings.getWorkerThreads());
        config.setTransports(Transport.WEBSOCKET, Transport.POLLING);
        config.setAckMode(AckMode.MANUAL); // the library handles no event: the PacketGate does
        config.setAddVersionHeader(false);
        config.setJsonSupport(new SocketJson(limits.maxPayload()));
        config.setExceptionListener(exceptions);
        SocketConfig socket = new SocketConfig();
        socket.setReuseAddress(true);
        socket.setTcpNoDelay(true);
        config.setSocketConfig(socket);
        return config;
    }

    @Override
    public void start() {
        MalformedInput malformed = new MalformedInput(metrics);
        ClientAddresses addresses = new ClientAddresses(settings.trustedProxyList());
        RequestGate requests = new RequestGate(PATH, new Origins(settings.allowedOriginList(), addresses), addresses,
                sessions, metrics, () -> running, (int) settings.getMaxFramePayload().toBytes());
        PacketGate packets = new PacketGate(sessions, hub, malformed);
        int maxBody = (int) settings.getMaxHttpContent().toBytes();
        SocketIOServer s = new SocketIOServer(nettyConfiguration());
        s.setPipelineFactory(new EdgePipeline(requests, new SessionRegistration(this::newSession),
                new ResponseRewriter(), packets, () -> new BodyLimit(maxBody, sessions), new ErrorTail(exceptions)));
        s.addDisconnectListener(client -> {
            EdgeSession session = sessions.get(client.getSessionId());
            if (session != null) {
                session.closedByClient(DisconnectReason.TRANSPORT_CLOSE);
            }
        });
        s.start();
        server = s;
        running = true;
        pruning = timers.scheduleWithFixedDelay(sessions::pruneHandshakeRates, 1, 1, TimeUnit.MINUTES);
        LOG.info("Socket.IO server listening on {}:{} ({} transport)", settings.getHost(), settings.getPort(),
                s.getConfiguration().isUseLinuxNativeEpoll() ? "epoll" : "NIO");
    }

    private EdgeSession newSession(LibrarySession library, EdgeSessions.Slot slot) {
        EdgeSession session = new EdgeSession(library, slot, sessions, limits, hub, timers);
        sessions.add(session);
        return session;
    }

    /**
     * Shutdown, in the order that loses nothing: refuse new sockets, drain the location writer while the connected
     * sockets are still open (so every stored location is acknowledged; later updates get {@code unavailable}), then
     * close every session (the clients are told and reconnect elsewhere), then stop Netty.
     */
    @Override
    public void stop() throws InterruptedException {
        running = false;
        SocketIOServer s = server;
        if (s == null) {
            return;
        }
        ScheduledFuture<?> p = pruning;
        if (p != null) {
            p.cancel(false);
        }
        writer.stop();
        int open = registry.size();
        for (Connection c : registry.all()) {
            // the transport is closed without a Socket.IO disconnect (as Node's server does on close): clients
            // reconnect by themselves, to another node, and recover there (a 41 would tell them not to)
            c.closed(DisconnectReason.SHUTDOWN);
        }
        for (EdgeSession session : sessions.all()) {
            session.close(DisconnectReason.SHUTDOWN, false); // those with no socket (after a client's 41)
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.closeTimeoutMillis() + 500);
        while (sessions.size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20); // the last packets reach the clients before Netty goes
        }
        s.stop();
        LOG.info("Socket.IO server stopped; {} sockets were disconnected", open);
    }
}
