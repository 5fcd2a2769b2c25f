package com.salesmate.realtime.hub;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.UncheckedIOException;

/**
 * How payloads going to clients are written: {@code java.time} and {@code Optional} supported, nulls written out (the
 * contract's payloads list their fields, e.g. {@code accuracy: null}).
 */
public final class WireJson {
    private final ObjectMapper mapper = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .registerModule(new Jdk8Module())
            .setSerializationInclusion(JsonInclude.Include.ALWAYS);

    public String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public OutboundEvent event(String name, Object payload) {
        return new OutboundEvent(name, write(payload));
    }

    public ObjectMapper mapper() {
        return mapper;
    }
}
