package com.salesmate.realtime.resources;

import com.salesmate.realtime.persistence.DatabaseErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Anything else: logged here, answered without internals (503 when the database is the cause, else 500). */
public class UnexpectedExceptionMapper implements ExceptionMapper<RuntimeException> {
    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedExceptionMapper.class);

    @Override
    public Response toResponse(RuntimeException e) {
        if (DatabaseErrors.fromDatabase(e)) {
            LOG.warn("request failed on the database: {}", DatabaseErrors.describe(e));
            return ApiExceptionMapper.error(503, "unavailable", "the database is unavailable; retry shortly", null);
        }
        LOG.error("request failed", e);
        return ApiExceptionMapper.error(500, "internal", "internal error", null);
    }
}
