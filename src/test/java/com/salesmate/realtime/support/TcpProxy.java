package com.salesmate.realtime.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of a port whose network a test can cut: {@link #cut()} resets every connection through it and
 * refuses new ones (as a tunnel or a lift does to a phone) until {@link #restore()}. The client and the server see
 * their connections die, as in the field; neither is told anything. {@link #retarget} sends new connections to another
 * port, as a load balancer does when a phone's address changes or its node stops.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private volatile int target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private boolean down; // guarded by this

    public TcpProxy(int target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "tcp-proxy-" + listener.getLocalPort());
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The network goes: every connection is reset, new ones are refused. */
    public synchronized void cut() {
        down = true;
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    /** New connections go to {@code port} (a phone whose address changed lands on another node); open ones stay. */
    public void retarget(int port) {
        this.target = port;
    }

    /** The network is back. */
    public synchronized void restore() {
        down = false;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server;
                try {
                    server = new Socket(InetAddress.getLoopbackAddress(), target);
                } catch (IOException e) {
                    closeQuietly(client); // nothing listens there (a node that stopped): refused, as it would be
                    continue;
                }
                if (!admit(client, server)) {
                    closeQuietly(client); // reset, as a dead network would
                    closeQuietly(server);
                    continue;
                }
                pipe(client, server);
                pipe(server, client);
            } catch (IOException e) {
                // the listener closed, or one connection failed: the others go on
            }
        }
    }

    /** Registers a pair unless the network is down: checked with {@link #cut()}'s lock, so no pair escapes a cut. */
    private synchronized boolean admit(Socket client, Socket server) {
        if (down) {
            return false;
        }
        open.add(client);
        open.add(server);
        return true;
    }

    private void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // cut or closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        cut();
        listener.close();
    }
}
