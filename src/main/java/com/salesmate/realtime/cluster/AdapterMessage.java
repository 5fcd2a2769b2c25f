package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Set;

/**
 * One broadcast as the Socket.IO Redis adapter and {@code @socket.io/redis-emitter} publish it: {@code [uid, packet,
 * opts]}, where the packet is an EVENT {@code {type: 2, data: [event, ...args], nsp}} and the options say which rooms
 * it addresses (none: everyone), which rooms it skips, and its flags.
 *
 * @param uid    the publisher's id (a node's, or {@code "emitter"}); a node drops its own messages
 * @param nsp    the namespace, {@code "/"} for the default one
 * @param event  the event name
 * @param args   the event's arguments, as JSON trees
 * @param rooms  rooms addressed; empty means every socket of the namespace
 * @param except rooms whose sockets are skipped
 * @param flags  the broadcast flags as sent (e.g. {@code volatile}, {@code compress}); kept as a JSON object
 */
public record AdapterMessage(String uid, String nsp, String event, List<JsonNode> args, Set<String> rooms,
                             Set<String> except, JsonNode flags) {
}
