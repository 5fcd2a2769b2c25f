package com.salesmate.realtime.hub;

import com.codahale.metrics.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.api.LocationBatchReply;
import com.salesmate.realtime.api.LocationBatchRequest;
import com.salesmate.realtime.api.LocationPoint;
import com.salesmate.realtime.api.LocationReply;
import com.salesmate.realtime.api.LocationUpdated;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.persistence.IdGenerator;
import com.salesmate.realtime.persistence.LocationRow;
import com.salesmate.realtime.persistence.LocationWriter;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code location:update} and {@code location:batch}: validated, handed to the group-commit writer, acknowledged only
 * after commit, then sent as {@code location:updated} to the tenant's managers (never to salesmen). Each ok ack is
 * timed from the event's arrival here to the ack sent ({@link #METRIC_ACK}).
 */
class LocationHandler {
    static final long MAX_FUTURE_MS = 5 * 60 * 1000;
    /** From a location event's arrival at its handler to its ok ack sent, after the commit (histogram). */
    static final String METRIC_ACK = "locations.ack";

    private final Payloads payloads;
    private final PointReader points;
    private final LocationWriter writer;
    private final Publisher publisher;
    private final IdGenerator ids;
    private final Clock clock;
    private final Timer acks;

    LocationHandler(Payloads payloads, PointReader points, LocationWriter writer, Publisher publisher, IdGenerator ids,
                    Clock clock, Timer acks) {
        this.payloads = payloads;
        this.points = points;
        this.writer = writer;
        this.publisher = publisher;
        this.ids = ids;
        this.clock = clock;
        this.acks = acks;
    }

    void onUpdate(Connection connection, JsonNode payload, Ack ack) {
        long arrived = System.nanoTime();
        Identity identity = requireSalesman(connection);
        long now = clock.millis();
        LocationRow row = toRow(identity, points.read(Events.LOCATION_UPDATE, payload), now);
        writer.submit(row).whenComplete((stored, error) -> {
            if (error != null) {
                onFailure(connection, ack, error);
                return;
            }
            Replies.ack(ack, new LocationReply(Long.toString(stored.row().id()), stored.row().receivedAt(),
                    stored.duplicate()));
            acked(ack, arrived);
            if (!stored.duplicate()) {
                broadcast(stored.row());
            }
        });
    }

    void onBatch(Connection connection, JsonNode payload, Ack ack) {
        long arrived = System.nanoTime();
        Identity identity = requireSalesman(connection);
        LocationBatchRequest request = payloads.read(Events.LOCATION_BATCH, payload, LocationBatchRequest.class);
        long now = clock.millis();
        List<LocationBatchReply.Rejection> rejected = new ArrayList<>();
        List<LocationRow> rows = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < request.points().size(); i++) {
            try {
                rows.add(toRow(identity, points.read(Events.LOCATION_BATCH, request.points().get(i)), now));
                indexes.add(i);
            } catch (ApiException e) {
                rejected.add(rejection(i, e.code()));
            }
        }
        List<CompletableFuture<LocationWriter.Stored>> results = writer.submitAll(rows);
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).whenComplete((ignored, error) -> {
            int accepted = 0;
            int duplicates = 0;
            LocationRow newest = null;
            for (int i = 0; i < results.size(); i++) {
                LocationWriter.Stored stored = results.get(i).exceptionally(e -> null).join();
                if (stored == null) {
                    rejected.add(rejection(indexes.get(i), ErrorCode.UNAVAILABLE));
                } else if (stored.duplicate()) {
                    duplicates++;
                } else {
                    accepted++;
                    if (newest == null || stored.row().recordedAt() > newest.recordedAt()) {
                        newest = stored.row();
                    }
                }
            }
            rejected.sort(Comparator.comparingInt(LocationBatchReply.Rejection::index));
            Replies.ack(ack, new LocationBatchReply(accepted, duplicates, rejected));
            acked(ack, arrived);
            if (newest != null) {
                broadcast(newest);
            }
        });
    }

    /** An ok ack went out (when the client asked for one): its time since the event arrived. */
    private void acked(Ack ack, long arrived) {
        if (ack.requested()) {
            acks.update(System.nanoTime() - arrived, TimeUnit.NANOSECONDS);
        }
    }

    private static LocationBatchReply.Rejection rejection(int index, ErrorCode code) {
        return new LocationBatchReply.Rejection(index, code.code());
    }

    private static Identity requireSalesman(Connection connection) {
        Identity identity = connection.identity();
        if (!identity.isSalesman()) {
            throw ApiException.forbidden("only salesmen send locations");
        }
        return identity;
    }

    private LocationRow toRow(Identity identity, LocationPoint p, long now) {
        if (p.salesmanId() != null && !p.salesmanId().equals(identity.salesmanId())) {
            throw ApiException.forbidden("salesmanId must be the token's");
        }
        if (p.timestamp() > now + MAX_FUTURE_MS) {
            throw ApiException.invalid("timestamp", "timestamp is more than 5 minutes ahead of the server clock");
        }
        return new LocationRow(ids.next(), identity.tenantId(), identity.salesmanId(), p.latitude(), p.longitude(),
                p.accuracy(), p.speed(), p.heading(), p.altitude(), p.battery(), p.timestamp(), now);
    }

    private void broadcast(LocationRow row) {
        LocationUpdated body = new LocationUpdated(row.tenantId(), row.salesmanId(), row.latitude(), row.longitude(),
                row.accuracy(), row.speed(), row.heading(), row.recordedAt(), row.receivedAt());
        publisher.toRoom(row.tenantId(), Rooms.managers(row.tenantId()), Events.LOCATION_UPDATED, body);
    }

    private void onFailure(Connection connection, Ack ack, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        ApiException e = cause instanceof ApiException api ? api
                : new ApiException(ErrorCode.UNAVAILABLE, "location not stored");
        Replies.fail(publisher, connection, ack, Events.LOCATION_UPDATE, e);
    }
}
