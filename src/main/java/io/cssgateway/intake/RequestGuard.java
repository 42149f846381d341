package io.cssgateway.intake;

import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * Refuses what is not a callback before its body is read: a method other than POST (405), a content type other
 * than JSON or a body sent in a content coding (gzip, deflate, br: the gateway does not decode bodies, and the
 * provider sends plain JSON) (415). Checked in the route rather than by platform-http, so that these requests are
 * audited like every other.
 */
public final class RequestGuard {

    public void check(@Header(Exchange.HTTP_METHOD) String method, @Header(Exchange.CONTENT_TYPE) String contentType,
            @Header(Exchange.CONTENT_ENCODING) String contentEncoding) {
        if (!"POST".equals(method)) {
            throw new MethodNotAllowedException();
        }
        if (!isJson(contentType)) {
            throw new UnsupportedMediaTypeException("content type must be application/json");
        }
        if (contentEncoding != null && !contentEncoding.isBlank()
                && !contentEncoding.strip().equalsIgnoreCase("identity")) {
            throw new UnsupportedMediaTypeException("content encoding is not supported: send the body uncompressed");
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
