package com.salesmate.realtime.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * The reading rules shared by REST bodies and Socket.IO payloads: JSON types as sent (no coercion between strings,
 * numbers and booleans, no float truncated to an integer), unknown fields refused. The socket side reads with a
 * reader that ignores (and counts) unknown fields instead, as SPEC 4 asks: a newer app keeps working.
 */
public final class StrictJson {
    private StrictJson() {
    }

    @SuppressWarnings("deprecation") // ObjectMapper.configure(MapperFeature, ...) is the way to change a built mapper
    public static <M extends ObjectMapper> M apply(M mapper) {
        mapper.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        // ALLOW_COERCION_OF_SCALARS does not cover text targets: without this, {"tenantId": 42} reads as "42"
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }
}
