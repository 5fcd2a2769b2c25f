package com.salesmate.realtime.hub;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Addresses events to rooms, single sockets or everyone. This node's implementation is {@link LocalPublisher}; the
 * cluster's also hands each emit to the other nodes and counts the sockets it addresses there. Never blocks: callers
 * run on event-loop threads too.
 */
public interface Publisher {

    /**
     * What an emit reached: the sockets of this node it was queued to now, and, counted only when asked (in a cluster
     * that is a round trip to Redis), every socket it addressed on every node.
     */
    final class Delivery {
        private final IntSupplier here;
        private final Supplier<CompletionStage<Integer>> elsewhere;

        private Delivery(IntSupplier here, Supplier<CompletionStage<Integer>> elsewhere) {
            this.here = here;
            this.elsewhere = elsewhere;
        }

        /** Reached on this node; nothing addressed elsewhere. */
        public static Delivery local(int reached) {
            return new Delivery(() -> reached, null);
        }

        /**
         * Addressed on this node, as {@code here} counts it when a caller asks (most emits are never asked: a
         * location's broadcast), plus what {@code elsewhere} counts on the other nodes.
         */
        public static Delivery of(IntSupplier here, Supplier<CompletionStage<Integer>> elsewhere) {
            return new Delivery(here, elsewhere);
        }

        public int local() {
            return here.getAsInt();
        }

        /** Every socket addressed, on every node. */
        public CompletionStage<Integer> total() {
            int local = local();
            return elsewhere == null ? CompletableFuture.completedFuture(local)
                    : elsewhere.get().thenApply(n -> local + n);
        }

        /** How long an answer waits for the other nodes' count before it gives this node's. */
        private static final Duration COUNT_WAIT = Duration.ofSeconds(2);

        /** The cluster-wide count, or this node's when the other nodes cannot be counted in time. Blocking. */
        public int awaitTotal() {
            try {
                return total().toCompletableFuture().get(COUNT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return local();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                return local();
            }
        }
    }

    /** Emits to every authenticated socket in a room of {@code tenantId}. */
    Delivery toRoom(String tenantId, String room, String event, Object payload);

    /** As {@link #toRoom}, skipping every socket of user {@code exceptUserId} (of the same tenant). */
    Delivery toRoomExceptUser(String tenantId, String room, String event, Object payload, String exceptUserId);

    /**
     * Emits to every authenticated socket in any of {@code rooms} of {@code tenantId}, once each: a socket in two of
     * them (a manager who joined a salesman's room) gets it once, as Socket.IO's {@code io.to([a, b]).emit(...)}.
     */
    void toRooms(String tenantId, List<String> rooms, String event, Object payload);

    /** Emits to every authenticated socket, whatever its tenant. */
    Delivery toEveryone(String event, Object payload);

    /** Emits to one socket of this node; 1 when it was queued, else 0. */
    int toSocket(Connection connection, String event, Object payload);
}
