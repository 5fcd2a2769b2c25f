package com.salesmate.realtime.resources;

import com.salesmate.realtime.core.ErrorCode;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Jersey's own refusals (unknown route, wrong method or media type) in the one error shape. */
public class WebExceptionMapper implements ExceptionMapper<WebApplicationException> {
    @Override
    public Response toResponse(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        ErrorCode code = ErrorCode.forStatus(status);
        String message = switch (status) {
            case 404 -> "no such endpoint";
            case 405 -> "method not allowed";
            case 406 -> "only application/json is produced";
            case 413 -> "request body is too large";
            case 415 -> "request body must be application/json";
            default -> status >= 500 ? "internal error" : "invalid request";
        };
        // 415 is reported as the contract's 400 invalid_payload; 405/406 keep their status with the closest code.
        int answer = status == 415 ? 400 : status;
        return ApiExceptionMapper.error(answer, code.code(), message, null);
    }
}
