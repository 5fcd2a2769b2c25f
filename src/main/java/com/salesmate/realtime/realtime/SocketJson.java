package com.salesmate.realtime.realtime;

import com.corundumstudio.socketio.protocol.JacksonJsonSupport;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * netty-socketio's JSON with {@code java.time} and {@code Optional} support, and nulls written out: the contract's
 * payloads list their fields (e.g. {@code accuracy: null}), where netty-socketio would drop them.
 */
final class SocketJson extends JacksonJsonSupport {
    SocketJson() {
        super(new JavaTimeModule(), new Jdk8Module());
    }

    /** The mapper netty-socketio writes packets with (for encoding a broadcast's payload once). */
    ObjectMapper mapper() {
        return objectMapper;
    }

    @Override
    protected void init(ObjectMapper objectMapper) {
        super.init(objectMapper);
        objectMapper.setSerializationInclusion(JsonInclude.Include.ALWAYS);
    }
}
