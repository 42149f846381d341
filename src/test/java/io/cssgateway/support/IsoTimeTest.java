package io.cssgateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IsoTimeTest {

    private static final DateTimeFormatter REFERENCE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-25T16:34:16.042Z", "2026-01-01T00:00:00Z", "2026-12-31T23:59:59.999Z",
            "2024-02-29T09:05:07.5Z", "1999-12-31T23:59:59.010Z", "0999-03-04T05:06:07.008Z"})
    void writesUtcWithMillisecondsAsTheFormatterDoes(String time) {
        Instant instant = Instant.parse(time);

        assertThat(IsoTime.format(instant)).isEqualTo(REFERENCE.format(instant)).hasSize(24);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 999, 1_000, 1_764_088_456_789L, 4_102_444_799_999L})
    void cutsSubMillisecondsLikeTheFormatter(long epochMillis) {
        Instant instant = Instant.ofEpochMilli(epochMillis).plusNanos(999_999);

        assertThat(IsoTime.format(instant)).isEqualTo(REFERENCE.format(instant));
    }
}
