package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.msgpack.jackson.dataformat.MessagePackFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Socket.IO Redis adapter's wire format: msgpack-encoded {@code [uid, packet, opts]} on the channels
 * {@code <key>#<nsp>#} (several rooms or none) and {@code <key>#<nsp>#<room>#} (one room), as the official adapter and
 * {@code @socket.io/redis-emitter} use them. Anyone who can publish on Redis can send here, so decoding is strict:
 * anything else is {@link Malformed} and must be dropped, never half-delivered.
 */
public final class AdapterCodec {
    /** The default key of the adapter and the emitter. */
    public static final String DEFAULT_KEY = "socket.io";
    private static final int EVENT = 2;
    private static final int MAX_DEPTH = 64;

    private final ObjectMapper msgpack;
    private final String key;

    /** Why a message on the bus was refused. */
    public static final class Malformed extends Exception {
        Malformed(String why) {
            super(why, null, false, false);
        }
    }

    public AdapterCodec(String key) {
        this.key = key;
        MessagePackFactory factory = new MessagePackFactory();
        this.msgpack = new ObjectMapper(factory);
    }

    /** The channel a broadcast goes to: the room's own channel when it addresses exactly one room. */
    public String channel(AdapterMessage message) {
        String base = key + "#" + message.nsp() + "#";
        return message.rooms().size() == 1 ? base + message.rooms().iterator().next() + "#" : base;
    }

    /** The pattern that receives every broadcast of a namespace (both kinds of channel). */
    public String pattern(String nsp) {
        return key + "#" + nsp + "#*";
    }

    /** The pattern that receives the broadcasts of every namespace. */
    public String everyNamespace() {
        return key + "#*";
    }

    public byte[] encode(AdapterMessage message) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ArrayNode data = f.arrayNode().add(message.event());
        message.args().forEach(data::add);
        ObjectNode packet = f.objectNode().put("type", EVENT);
        packet.set("data", data);
        packet.put("nsp", message.nsp());
        ObjectNode opts = f.objectNode();
        ArrayNode rooms = opts.putArray("rooms");
        message.rooms().forEach(rooms::add);
        opts.set("flags", message.flags() == null ? f.objectNode() : message.flags());
        ArrayNode except = opts.putArray("except");
        message.except().forEach(except::add);
        try {
            return msgpack.writeValueAsBytes(f.arrayNode().add(message.uid()).add(packet).add(opts));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an adapter message could not be encoded", e);
        }
    }

    public AdapterMessage decode(byte[] bytes) throws Malformed {
        JsonNode root;
        try {
            root = msgpack.readTree(bytes);
        } catch (IOException | RuntimeException e) {
            throw new Malformed("not msgpack, or nested too deeply");
        }
        if (depth(root, 0) > MAX_DEPTH) { // the msgpack parser does not apply Jackson's nesting constraint
            throw new Malformed("nested too deeply");
        }
        if (root == null || !root.isArray() || root.size() < 2 || !root.get(0).isTextual() || !root.get(1).isObject()) {
            throw new Malformed("not [uid, packet, opts]");
        }
        JsonNode packet = root.get(1);
        if (!packet.path("type").canConvertToInt() || packet.path("type").asInt() != EVENT) {
            throw new Malformed("only EVENT packets are broadcast");
        }
        JsonNode data = packet.path("data");
        if (!data.isArray() || data.isEmpty() || !data.get(0).isTextual()) {
            throw new Malformed("packet data must be [event, ...args]");
        }
        JsonNode nspNode = packet.get("nsp");
        String nsp = nspNode == null || nspNode.isNull() ? "/" : nspNode.isTextual() ? nspNode.asText() : null;
        if (nsp == null) {
            throw new Malformed("nsp must be a string");
        }
        List<JsonNode> args = new ArrayList<>();
        for (int i = 1; i < data.size(); i++) {
            args.add(data.get(i));
        }
        JsonNode opts = root.size() > 2 ? root.get(2) : JsonNodeFactory.instance.objectNode();
        if (!opts.isObject()) {
            throw new Malformed("opts must be an object");
        }
        JsonNode flags = opts.path("flags");
        return new AdapterMessage(root.get(0).asText(), nsp, data.get(0).asText(), List.copyOf(args),
                strings(opts.get("rooms"), "rooms"), strings(opts.get("except"), "except"),
                flags.isObject() ? flags : JsonNodeFactory.instance.objectNode());
    }

    /** How deep a tree goes, counting no further than just past the limit. */
    private static int depth(JsonNode node, int level) {
        if (node == null || !node.isContainerNode() || level > MAX_DEPTH) {
            return level;
        }
        int deepest = level + 1;
        for (JsonNode child : node) {
            deepest = Math.max(deepest, depth(child, level + 1));
            if (deepest > MAX_DEPTH) {
                break;
            }
        }
        return deepest;
    }

    private static Set<String> strings(JsonNode list, String name) throws Malformed {
        Set<String> out = new LinkedHashSet<>();
        if (list == null || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw new Malformed(name + " must be a list");
        }
        for (JsonNode room : list) {
            if (!room.isTextual()) {
                throw new Malformed(name + " must hold strings");
            }
            out.add(room.asText());
        }
        return out;
    }
}
