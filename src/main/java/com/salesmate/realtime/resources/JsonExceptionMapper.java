package com.salesmate.realtime.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.salesmate.realtime.core.ApiException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

import java.util.stream.Collectors;

/** Bodies that are not JSON or have the wrong shape: 400 {@code invalid_payload}, never the parser's internals. */
public class JsonExceptionMapper implements ExceptionMapper<JsonProcessingException> {
    @Override
    public Response toResponse(JsonProcessingException e) {
        // Jackson wraps what the body stream throws (BodyLimitFilter's 413 on a streamed body) as a mapping error
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof ApiException refused) {
                return new ApiExceptionMapper().toResponse(refused);
            }
        }
        if (e instanceof UnrecognizedPropertyException u) {
            return ApiExceptionMapper.error(400, "invalid_payload", "unknown field " + u.getPropertyName(),
                    u.getPropertyName());
        }
        if (e instanceof JsonMappingException m && m.getPath() != null && !m.getPath().isEmpty()) {
            String field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
                    .collect(Collectors.joining("."));
            return ApiExceptionMapper.error(400, "invalid_payload", field + " has the wrong type", field);
        }
        return ApiExceptionMapper.error(400, "invalid_payload", "body is not valid JSON", null);
    }
}
