package com.salesmate.realtime.realtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.salesmate.realtime.api.StrictJson;
import com.salesmate.realtime.core.ApiException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import java.util.Comparator;
import java.util.stream.Collectors;

/**
 * Reads a Socket.IO payload into a validated record: strict JSON types (no coercion between strings, numbers and
 * booleans), unknown fields refused, Bean Validation constraints checked; the first failure becomes
 * {@code invalid_payload} with its field.
 */
public final class Payloads {
    private final ObjectMapper mapper;
    private final Validator validator;

    public Payloads(Validator validator) {
        this.validator = validator;
        this.mapper = StrictJson.apply(new ObjectMapper());
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public <T> T read(JsonNode node, Class<T> type) {
        if (node == null || !node.isObject()) {
            throw ApiException.invalid(null, "payload must be a JSON object");
        }
        T value;
        try {
            value = mapper.treeToValue(node, type);
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.invalid(e.getPropertyName(), "unknown field " + e.getPropertyName());
        } catch (MismatchedInputException e) {
            String field = path(e);
            throw ApiException.invalid(field, (field == null ? "payload" : field) + " has the wrong type");
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw ApiException.invalid(null, "payload cannot be read");
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
}
