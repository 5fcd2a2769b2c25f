package com.salesmate.realtime.hub;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.salesmate.realtime.api.StrictJson;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.metrics.SocketMetrics;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import java.io.IOException;
import java.util.Comparator;
import java.util.stream.Collectors;

/**
 * Reads a Socket.IO payload into a validated record: strict JSON types (no coercion between strings, numbers and
 * booleans) and Bean Validation constraints; the first failure becomes {@code invalid_payload} with its field.
 * Unknown fields are ignored and counted per event, so that a newer app version that sends more works against this
 * server (REST, whose callers are services, keeps refusing them).
 */
public final class Payloads {
    private static final String EVENT = "event";

    private final ObjectMapper mapper;
    private final Validator validator;
    private final SocketMetrics metrics;

    public Payloads(Validator validator, SocketMetrics metrics) {
        this.validator = validator;
        this.metrics = metrics;
        this.mapper = StrictJson.apply(new ObjectMapper())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .addHandler(new CountUnknownFields());
    }

    /** Reads {@code node}, a payload of {@code event}, as {@code type}. */
    public <T> T read(String event, JsonNode node, Class<T> type) {
        if (node == null || !node.isObject()) {
            throw ApiException.invalid(null, "payload must be a JSON object");
        }
        T value;
        try {
            ObjectReader reader = mapper.readerFor(type).withAttribute(EVENT, event);
            value = reader.readValue(reader.treeAsTokens(node));
        } catch (MismatchedInputException e) {
            String field = path(e);
            throw ApiException.invalid(field, (field == null ? "payload" : field) + " has the wrong type");
        } catch (IOException | IllegalArgumentException e) {
            throw ApiException.invalid(null, "payload cannot be read");
        }
        if (value == null) {
            throw ApiException.invalid(null, "payload must be a JSON object");
        }
        validate(value);
        return value;
    }

    public <T> void validate(T value) {
        var violations = validator.validate(value);
        if (!violations.isEmpty()) {
            ConstraintViolation<T> first = violations.stream()
                    .min(Comparator.comparing(v -> v.getPropertyPath().toString()))
                    .orElseThrow();
            String field = first.getPropertyPath().toString();
            throw ApiException.invalid(field, field + " " + first.getMessage());
        }
    }

    private static String path(MismatchedInputException e) {
        if (e.getPath() == null || e.getPath().isEmpty()) {
            return null;
        }
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
                .collect(Collectors.joining("."));
    }

    /** Skips an unknown field (its value whole) and counts it against the event being read. */
    private final class CountUnknownFields extends DeserializationProblemHandler {
        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                             Object beanOrClass, String propertyName) throws IOException {
            Object event = ctxt.getAttribute(EVENT);
            metrics.unknownField(event == null ? "other" : event.toString());
            p.skipChildren();
            return true;
        }
    }
}
