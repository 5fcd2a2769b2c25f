package com.salesmate.realtime.cluster;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The sequence numbers delivered lately from each other node: an entry that carries one again is a copy (Lettuce sent
 * the append again after a reconnect) and is skipped. Exact pairs, not a high-water mark, so appends retried out of
 * order are each delivered once, and a forged entry can only shadow the numbers it names. Bounded per node (the
 * oldest go first): a copy arrives seconds after the original, well inside the bound.
 */
final class RecentSeqs {
    static final int PER_NODE = 65_536;
    /** Nodes remembered (a cluster has at most 256; each restart is a new uid): the longest unheard go first. */
    static final int NODES = 512;
    private final Map<String, LinkedHashSet<Long>> byNode = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, LinkedHashSet<Long>> eldest) {
                    return size() > NODES;
                }
            });

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
