package com.salesmate.realtime.resources;

import com.salesmate.realtime.core.ErrorCode;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Errors that Jetty answers before a request reaches Jersey (e.g. an ambiguous {@code %2F} in a path) in the same
 * JSON shape as the API's own: {@code { success: false, error: { code, message } }}, never an HTML page.
 */
public class JsonErrorHandler extends ErrorHandler {

    static String body(int status) {
        ErrorCode code = ErrorCode.forStatus(status);
        String message = status == 400 ? "malformed request" : "request refused (HTTP " + status + ")";
        return "{\"success\":false,\"error\":{\"code\":\"" + code.code() + "\",\"message\":\"" + message + "\"}}";
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON_UTF_8.asString());
        response.write(true, ByteBuffer.wrap(body(code).getBytes(StandardCharsets.UTF_8)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON_UTF_8.asString()));
        return ByteBuffer.wrap(body(status).getBytes(StandardCharsets.UTF_8));
    }
}
