package io.boson.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.List;

/**
 * The answer to a request Jetty refuses before any route sees it (such as a path that is not UTF-8
 * once decoded): Particle's error shape, like every other error, instead of Jetty's HTML
 * page, since Particle's clients parse every error body as JSON. Found by ApiRequestFuzzTest.
 */
final class ErrorPages extends org.eclipse.jetty.server.handler.ErrorHandler {

    private final ObjectMapper json;

    ErrorPages(ObjectMapper json) {
        this.json = json;
    }

    /** Jetty writes a body for GET, POST and HEAD only; PUT, DELETE and unknown methods get the shape too. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected boolean generateAcceptableResponse(Request request, Response response, Callback callback, String contentType,
                                                 List<Charset> charsets, int code, String message, Throwable cause)
            throws java.io.IOException {
        String error = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        byte[] body = json.writeValueAsBytes(HttpApi.apiError(error, null));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8");
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
