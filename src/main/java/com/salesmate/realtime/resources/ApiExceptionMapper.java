package com.salesmate.realtime.resources;

import com.salesmate.realtime.api.ErrorResponse;
import com.salesmate.realtime.core.ApiException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** A contract refusal: its status and code. */
public class ApiExceptionMapper implements ExceptionMapper<ApiException> {
    @Override
    public Response toResponse(ApiException e) {
        Response error = error(e.code().status(), e.code().code(), e.getMessage(), e.field());
        return e.retryAfterSeconds() == null ? error
                : Response.fromResponse(error).header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds()).build();
    }

    static Response error(int status, String code, String message, String field) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorResponse.of(code, message, field))
                .build();
    }
}
