package com.salesmate.realtime.realtime;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.AuthorizationResult;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.listener.ExceptionListener;
import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.persistence.LocationWriter;
import io.dropwizard.lifecycle.Managed;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The embedded netty-socketio server as a Managed object: configured explicitly (random session ids, Origin
 * allow-list, no compression, limits, manual acks), with one handler per inbound event behind a common gate that
 * counts the event, requires authentication, applies the rate limit and maps refusals to acks or {@code error}.
 */
public class SocketServer implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(SocketServer.class);
    private static final Set<String> RATE_LIMITED = Set.of(Events.LOCATION_UPDATE, Events.LOCATION_BATCH,
            Events.TYPING, Events.STOP_TYPING);

    private final SocketIoFactory settings;
    private final ConnectionRegistry registry;
    private final Publisher publisher;
    private final SocketMetrics metrics;
    private final Executor blocking;
    private final SessionHandler session;
    private final JoinHandler joins;
    private final TypingHandler typing;
    private final LocationHandler locations;
    private final NotificationAckHandler notificationAcks;
    private final LocationWriter writer;
    private final SocketJson json = new SocketJson();
    private volatile SocketIOServer server;
    private volatile boolean running;

    SocketServer(SocketIoFactory settings, ConnectionRegistry registry, Publisher publisher, SocketMetrics metrics,
                 Executor blocking, SessionHandler session, JoinHandler joins, TypingHandler typing,
                 LocationHandler locations, NotificationAckHandler notificationAcks, LocationWriter writer) {
        this.settings = settings;
        this.registry = registry;
        this.publisher = publisher;
        this.metrics = metrics;
        this.blocking = blocking;
        this.session = session;
        this.joins = joins;
        this.typing = typing;
        this.locations = locations;
        this.notificationAcks = notificationAcks;
        this.writer = writer;
    }

    public int port() {
        return settings.getPort();
    }

    public boolean isRunning() {
        return running;
    }

    Configuration nettyConfiguration() {
        Configuration config = new Configuration();
        config.setHostname(settings.getHost());
        config.setPort(settings.getPort());
        config.setRandomSession(true); // a client must never choose (and so take over) a session id
        config.setAuthorizationListener(this::checkOrigin);
        config.setEnableCors(true); // answers CORS for allowed origins only: others are refused at the handshake
        config.setWebsocketCompression(settings.isWebsocketCompression());
        config.setHttpCompression(false);
        config.setPingInterval((int) settings.getPingInterval().toMilliseconds());
        config.setPingTimeout((int) settings.getPingTimeout().toMilliseconds());
        config.setUpgradeTimeout((int) settings.getUpgradeTimeout().toMilliseconds());
        config.setFirstDataTimeout((int) settings.getFirstDataTimeout().toMilliseconds());
        config.setMaxFramePayloadLength((int) settings.getMaxFramePayload().toBytes());
        config.setMaxHttpContentLength((int) settings.getMaxHttpContent().toBytes());
        config.setBossThreads(settings.getBossThreads());
        config.setWorkerThreads(settings.getWorkerThreads());
        config.setTransports(Transport.WEBSOCKET, Transport.POLLING);
        config.setAckMode(AckMode.MANUAL); // acks are sent by the handlers, after commit where it matters
        config.setAddVersionHeader(false);
        config.setJsonSupport(json);
        config.setExceptionListener(new LoggingExceptionListener());
        SocketConfig socket = new SocketConfig();
        socket.setReuseAddress(true);
        socket.setTcpNoDelay(true);
        config.setSocketConfig(socket);
        return config;
    }

    private AuthorizationResult checkOrigin(HandshakeData data) {
        if (!running) {
            return AuthorizationResult.FAILED_AUTHORIZATION; // shutting down: clients go to another node
        }
        String origin = data.getHttpHeaders().get("Origin");
        List<String> allowed = settings.getAllowedOrigins();
        if (origin == null || allowed.contains("*") || allowed.contains(origin)) {
            return AuthorizationResult.SUCCESSFUL_AUTHORIZATION;
        }
        LOG.info("refused a Socket.IO handshake from Origin {}", origin);
        return AuthorizationResult.FAILED_AUTHORIZATION;
    }

    @Override
    public void start() {
        SocketIOServer s = new SocketIOServer(nettyConfiguration());
        s.addConnectListener(session::onConnect);
        s.addDisconnectListener(session::onDisconnect);
        s.getNamespace("").addAuthTokenListener(session::onHandshakeAuth);
        on(s, Events.AUTHENTICATE, false, session::onAuthenticate);
        on(s, Events.JOIN_TENANT, false, joins::onJoinTenant);
        on(s, Events.JOIN_SALESMAN, false, joins::onJoinSalesman);
        on(s, Events.TYPING, false, typing::onTyping);
        on(s, Events.STOP_TYPING, false, typing::onStopTyping);
        on(s, Events.LOCATION_UPDATE, false, locations::onUpdate);
        on(s, Events.LOCATION_BATCH, false, locations::onBatch);
        on(s, Events.NOTIFICATION_ACK, true, notificationAcks::onAck);
        publisher.attach(s, json.mapper());
        s.start();
        server = s;
        running = true;
        LOG.info("Socket.IO server listening on {}:{}", settings.getHost(), settings.getPort());
    }

    /**
     * Shutdown, in the order that loses nothing: refuse new sockets, drain the location writer while the connected
     * sockets are still open (so every stored location is acknowledged; later updates get {@code unavailable}), then
     * close the sockets so that clients reconnect elsewhere, then stop Netty.
     */
    @Override
    public void stop() throws InterruptedException {
        running = false;
        SocketIOServer s = server;
        if (s == null) {
            return;
        }
        writer.stop();
        int open = registry.size();
        for (Connection c : registry.all()) {
            c.client().disconnect();
        }
        s.stop();
        LOG.info("Socket.IO server stopped; {} sockets were disconnected", open);
    }

    private void on(SocketIOServer s, String event, boolean blockingWork, EventHandler handler) {
        s.addEventListener(event, JsonNode.class, (client, data, ack) -> {
            Connection connection = registry.get(client);
            if (connection == null) {
                return;
            }
            Identity identity = connection.identity();
            metrics.received(event, identity == null ? null : identity.tenantId());
            Runnable work = () -> dispatch(event, connection, data, ack, handler);
            if (blockingWork) {
                blocking.execute(work);
            } else {
                work.run();
            }
        });
    }

    private void dispatch(String event, Connection connection, JsonNode data,
                          com.corundumstudio.socketio.AckRequest ack, EventHandler handler) {
        Identity identity = connection.identity();
        MDC.put("connection", connection.id());
        if (identity != null) {
            MDC.put("tenant", identity.tenantId());
        }
        try {
            if (identity == null && !Events.AUTHENTICATE.equals(event)) {
                throw new ApiException(ErrorCode.UNAUTHENTICATED, "authenticate first");
            }
            if (RATE_LIMITED.contains(event) && !connection.rateLimiter().tryAcquire(System.nanoTime())) {
                metrics.rateLimited();
                throw new ApiException(ErrorCode.RATE_LIMITED, "too many events; slow down");
            }
            handler.handle(connection, data, ack);
        } catch (ApiException e) {
            Replies.fail(publisher, connection, ack, event, e);
        } catch (RuntimeException e) {
            metrics.handlerError();
            LOG.error("handler of {} failed on connection {}", event, connection.id(), e);
            Replies.fail(publisher, connection, ack, event,
                    new ApiException(ErrorCode.UNAVAILABLE, "the server could not handle this event"));
        } finally {
            MDC.remove("connection");
            MDC.remove("tenant");
        }
    }

    /** Logs with the connection id and never drops a connection for a handler's failure. */
    private final class LoggingExceptionListener implements ExceptionListener {
        private String id(SocketIOClient client) {
            Connection c = client == null ? null : registry.get(client);
            return c == null ? "-" : c.id();
        }

        @Override
        public void onEventException(Exception e, List<Object> args, SocketIOClient client) {
            metrics.handlerError();
            LOG.error("event handler failed on connection {}", id(client), e);
        }

        @Override
        public void onDisconnectException(Exception e, SocketIOClient client) {
            LOG.error("disconnect handler failed on connection {}", id(client), e);
        }

        @Override
        public void onConnectException(Exception e, SocketIOClient client) {
            LOG.error("connect handler failed on connection {}", id(client), e);
        }

        @Override
        public void onPingException(Exception e, SocketIOClient client) {
            LOG.debug("ping failed on connection {}", id(client), e);
        }

        @Override
        public void onPongException(Exception e, SocketIOClient client) {
            LOG.debug("pong failed on connection {}", id(client), e);
        }

        @Override
        public boolean exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
            LOG.debug("socket channel error: {}", e.toString());
            ctx.close();
            return true;
        }

        @Override
        public void onAuthException(Throwable e, SocketIOClient client) {
            LOG.error("handshake auth failed on connection {}", id(client), e);
        }
    }
}
