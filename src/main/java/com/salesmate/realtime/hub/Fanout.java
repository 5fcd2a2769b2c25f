package com.salesmate.realtime.hub;

import java.util.BitSet;
import java.util.List;

/**
 * The edge's side of one emit to several sockets of this node: the hub names the event and its recipients, the edge
 * decides how they are written (the Socket.IO edge encodes the frame once and groups the writes per event loop).
 */
public interface Fanout {

    /**
     * Queues {@code event} for each of {@code links}, in their order; the set bits are the indexes of those it was
     * queued for (a closing session or one over its outbound limit is not).
     */
    BitSet send(OutboundEvent event, List<Link> links);

    /** Each link on its own, through {@link Link#send}: for a hub whose edge does not group writes. */
    Fanout EACH = (event, links) -> {
        BitSet sent = new BitSet(links.size());
        for (int i = 0; i < links.size(); i++) {
            if (links.get(i).send(event)) {
                sent.set(i);
            }
        }
        return sent;
    };
}
