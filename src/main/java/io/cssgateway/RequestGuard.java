package io.cssgateway;

import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * Refuses what is not a callback before its body is read: a method other than POST (405) or a content type
 * other than JSON (415). Checked in the route rather than by platform-http, so that these requests are audited
 * like every other.
 */
public final class RequestGuard {

    public void check(@Header(Exchange.HTTP_METHOD) String method, @Header(Exchange.CONTENT_TYPE) String contentType) {
        if (!"POST".equals(method)) {
            throw new MethodNotAllowedException();
        }
        if (!isJson(contentType)) {
            throw new UnsupportedMediaTypeException();
        }
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int parameters = contentType.indexOf(';');
        String mediaType = (parameters < 0 ? contentType : contentType.substring(0, parameters)).strip();
        return mediaType.toLowerCase(Locale.ROOT).equals("application/json");
    }
}
