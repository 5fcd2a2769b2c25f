package com.salesmate.realtime.hub;

import com.salesmate.realtime.api.PresenceEvent;
import com.salesmate.realtime.core.Identity;

import java.util.List;
import java.util.Optional;

/**
 * Which salesmen are online. A salesman is online from his first socket until his last socket has been gone for the
 * grace period. This node-local view is one implementation; a cluster-wide one can replace it.
 */
public interface Presence {

    /** The live state of one online salesman. */
    record Online(String tenantId, String salesmanId, int connections, long onlineSince) {
    }

    /** The payload of {@code salesman:online} / {@code salesman:offline}. */
    static PresenceEvent event(String tenantId, String salesmanId, long at) {
        return new PresenceEvent(tenantId, salesmanId, at);
    }

    /** An authenticated salesman socket arrived. */
    void connected(Identity salesman);

    /** An authenticated salesman socket left at {@code at} (epoch ms). */
    void disconnected(Identity salesman, long at);

    /** Present while the salesman counts as online (grace period included). */
    Optional<Online> online(String salesmanId);

    /** Online salesmen of a tenant. */
    List<Online> onlineInTenant(String tenantId);

    /** Told each {@code salesman:online} / {@code salesman:offline} this node sends, with its payload. */
    interface Listener {
        void changed(String event, PresenceEvent payload);
    }

    /** Sets the listener (webhooks); none by default. */
    void listen(Listener listener);

    /** Sends {@code event} to the tenant's managers and tells the listener (null: none): what both presences do. */
    static void tell(Publisher publisher, Listener listener, String event, String tenantId, String salesmanId, long at) {
        PresenceEvent payload = event(tenantId, salesmanId, at);
        publisher.toRoom(tenantId, com.salesmate.realtime.core.Rooms.managers(tenantId), event, payload);
        if (listener != null) {
            listener.changed(event, payload);
        }
    }
}
