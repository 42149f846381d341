package io.cssgateway;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The one time format of the gateway's own fields ({@code received_at}): ISO-8601 UTC with milliseconds. */
final class IsoTime {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private IsoTime() {}

    static String format(Instant instant) {
        return FORMAT.format(instant);
    }
}
