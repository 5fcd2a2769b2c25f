package com.salesmate.realtime.socketio;

import com.corundumstudio.socketio.protocol.AuthPacket;
import com.corundumstudio.socketio.protocol.JacksonJsonSupport;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.netty.buffer.ByteBufOutputStream;

import java.io.IOException;
import java.util.List;

/**
 * netty-socketio's JSON, corrected from outside: {@code java.time} and {@code Optional} support, nulls written out
 * (the contract's payloads list their fields), and the Engine.IO handshake written with {@code maxPayload}, which the
 * library leaves out although the Engine.IO 4 protocol requires it; and each event's payload encoded once for all its
 * recipients ({@link EncodedEvent}) instead of once per recipient.
 */
final class SocketJson extends JacksonJsonSupport {
    SocketJson(long maxPayload) {
        super(new JavaTimeModule(), new Jdk8Module(),
                new SimpleModule("engine-io-handshake").addSerializer(AuthPacket.class, new HandshakeWriter(maxPayload)));
    }

    /**
     * The encoder hands an EVENT packet's {@code [name, ...data]} here; for the service's events the data is one
     * {@link EncodedEvent} whose bytes are that whole array already, so they are copied as they are. Such a packet has
     * no binary attachments: the library's list of them is cleared first, as its own {@code writeValue} does.
     */
    @Override
    public void writeValue(ByteBufOutputStream out, Object value) throws IOException {
        if (value instanceof List<?> values && values.size() == 2 && values.get(1) instanceof EncodedEvent encoded) {
            modifier.getSerializer().clear();
            out.write(encoded.bytes());
            return;
        }
        super.writeValue(out, value);
    }

    @Override
    protected void init(ObjectMapper objectMapper) {
        super.init(objectMapper);
        objectMapper.setSerializationInclusion(JsonInclude.Include.ALWAYS);
    }

    /** The OPEN packet's JSON: sid, upgrades, pingInterval, pingTimeout and maxPayload. */
    private static final class HandshakeWriter extends StdSerializer<AuthPacket> {
        private final long maxPayload;

        HandshakeWriter(long maxPayload) {
            super(AuthPacket.class);
            this.maxPayload = maxPayload;
        }

        @Override
        public void serialize(AuthPacket open, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            gen.writeStringField("sid", open.getSid().toString());
            gen.writeArrayFieldStart("upgrades");
            for (String upgrade : open.getUpgrades()) {
                gen.writeString(upgrade);
            }
            gen.writeEndArray();
            gen.writeNumberField("pingInterval", open.getPingInterval());
            gen.writeNumberField("pingTimeout", open.getPingTimeout());
            gen.writeNumberField("maxPayload", maxPayload);
            gen.writeEndObject();
        }
    }
}
