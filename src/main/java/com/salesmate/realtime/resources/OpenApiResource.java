package com.salesmate.realtime.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/openapi.json}: the OpenAPI 3 document of the REST API, for generating clients; no credential needed.
 * Hand-written ({@code openapi.json} on the classpath) and held to the Jersey resource model by a test.
 */
@Path(OpenApiResource.PATH)
public class OpenApiResource {
    public static final String PATH = "/api/openapi.json";
    static final String DOCUMENT = "/openapi.json";

    private final byte[] document;

    public OpenApiResource() {
        try (InputStream in = OpenApiResource.class.getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException(DOCUMENT + " is missing from the classpath");
            }
            this.document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DOCUMENT, e);
        }
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response document() {
        CacheControl cache = new CacheControl();
        cache.setMaxAge(300);
        return Response.ok(document).cacheControl(cache).build();
    }
}
