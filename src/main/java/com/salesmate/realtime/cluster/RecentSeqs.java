package com.salesmate.realtime.cluster;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sequence numbers delivered lately from each other node: an entry that carries one again is a copy (Lettuce sent
 * the append again after a reconnect) and is skipped. Exact pairs, not a high-water mark, so appends retried out of
 * order are each delivered once, and a forged entry can only shadow the numbers it names. Bounded per node (the
 * oldest go first): a copy arrives seconds after the original, well inside the bound.
 */
final class RecentSeqs {
    static final int PER_NODE = 65_536;
    private final Map<String, LinkedHashSet<Long>> byNode = new ConcurrentHashMap<>();

    /** True the first time {@code seq} of {@code node} is seen (entries without one always pass). */
    boolean first(String node, long seq) {
        if (seq <= 0) {
            return true;
        }
        LinkedHashSet<Long> seen = byNode.computeIfAbsent(node, n -> new LinkedHashSet<>());
        synchronized (seen) {
            if (!seen.add(seq)) {
                return false;
            }
            if (seen.size() > PER_NODE) {
                Iterator<Long> oldest = seen.iterator();
                oldest.next();
                oldest.remove();
            }
            return true;
        }
    }
}
