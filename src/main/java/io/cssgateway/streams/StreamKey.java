package io.cssgateway.streams;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A stream, as the provider names it: its push domain ({@code app}), path ({@code appname}) and name
 * ({@code stream_id}). A field the callback does not carry is the empty string.
 */
public record StreamKey(String app, String appname, String streamId) {

    public StreamKey {
        app = app == null ? "" : app;
        appname = appname == null ? "" : appname;
        streamId = streamId == null ? "" : streamId;
    }

    /** {@code app/appname/stream_id}, each part URL-encoded: the stream's path under {@code /api/streams/}. */
    public String path() {
        return encode(app) + "/" + encode(appname) + "/" + encode(streamId);
    }

    private static String encode(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return app + "/" + appname + "/" + streamId;
    }
}
