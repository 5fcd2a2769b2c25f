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
}
