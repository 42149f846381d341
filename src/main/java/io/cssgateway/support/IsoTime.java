package io.cssgateway.support;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The one time format of the gateway's own fields ({@code received_at}): ISO-8601 UTC with milliseconds,
 * {@code 2026-11-25T16:34:16.042Z}. Written digit by digit: a DateTimeFormatter took 1.2% of a callback's CPU in
 * bench/'s profile, for a string written twice per callback.
 */
public final class IsoTime {

    private IsoTime() {}

    /** For instants of years 0 to 9999, every clock reading the gateway takes. */
    public static String format(Instant instant) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
        StringBuilder text = new StringBuilder(24);
        digits(text, t.getYear(), 4).append('-');
        digits(text, t.getMonthValue(), 2).append('-');
        digits(text, t.getDayOfMonth(), 2).append('T');
        digits(text, t.getHour(), 2).append(':');
        digits(text, t.getMinute(), 2).append(':');
        digits(text, t.getSecond(), 2).append('.');
        return digits(text, t.getNano() / 1_000_000, 3).append('Z').toString();
    }

    /** Appends {@code value} with leading zeros to {@code width} digits. */
    private static StringBuilder digits(StringBuilder text, int value, int width) {
        String number = Integer.toString(value);
        for (int i = number.length(); i < width; i++) {
            text.append('0');
        }
        return text.append(number);
    }
}
