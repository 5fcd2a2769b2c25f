package com.salesmate.realtime.resources;

import io.dropwizard.jersey.validation.JerseyViolationException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

import java.util.Comparator;

/** Bean Validation failures of request bodies: 400 {@code invalid_payload} naming the first offending field. */
public class ValidationExceptionMapper implements ExceptionMapper<JerseyViolationException> {
    @Override
    public Response toResponse(JerseyViolationException e) {
        ConstraintViolation<?> first = e.getConstraintViolations().stream()
                .min(Comparator.comparing(v -> v.getPropertyPath().toString()))
                .orElse(null);
        if (first == null) {
            return ApiExceptionMapper.error(400, "invalid_payload", "invalid request", null);
        }
        String field = null;
        for (Path.Node node : first.getPropertyPath()) {
            if (node.getKind() == jakarta.validation.ElementKind.PROPERTY) {
                field = node.getName();
            }
        }
        String message = field == null ? "request body is required" : field + " " + first.getMessage();
        return ApiExceptionMapper.error(400, "invalid_payload", message, field);
    }
}
