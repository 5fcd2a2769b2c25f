package com.salesmate.realtime.resources;

import io.dropwizard.auth.UnauthorizedHandler;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/** 401 in the one error shape, with the Bearer challenge. */
public class JsonUnauthorizedHandler implements UnauthorizedHandler {
    @Override
    public Response buildResponse(String prefix, String realm) {
        Response base = ApiExceptionMapper.error(401, "unauthorized",
                "a valid credential is required: Authorization: Bearer <API key or manager JWT>", null);
        return Response.fromResponse(base)
                .header(HttpHeaders.WWW_AUTHENTICATE, prefix + " realm=\"" + realm + "\"")
                .build();
    }
}
