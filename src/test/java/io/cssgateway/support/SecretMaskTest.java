package io.cssgateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretMaskTest {

    private static final String SIGN = "0123456789abcdef0123456789abcdef";

    private static String mask(SecretMask mask, String line, String sign) {
        return new String(mask.mask(line.getBytes(StandardCharsets.UTF_8), sign), StandardCharsets.UTF_8);
    }

    @Test
    void keysAndTheSignAreMaskedWhereverTheyAppear() {
        SecretMask mask = new SecretMask(List.of("key-one", "key-two"));

        assertThat(mask(mask, "{\"a\":\"key-one\",\"key-two\":\"x" + SIGN.toUpperCase() + "y\",\"n\":" + SIGN + "}", SIGN))
                .isEqualTo("{\"a\":\"***\",\"***\":\"x***y\",\"n\":***}");
    }

    @Test
    void aSignStartingWithALetterIsMaskedInEitherCaseBesideKeysStartingAnyway() {
        String sign = "ab" + SIGN.substring(2);
        SecretMask mask = new SecretMask(List.of("Zeta-key", "b-key"));

        assertThat(mask(mask, "{\"s\":\"" + sign.toUpperCase() + "\",\"t\":\"" + sign + "\",\"k\":\"Zeta-keyb-key\"}",
                sign)).isEqualTo("{\"s\":\"***\",\"t\":\"***\",\"k\":\"******\"}");
        // the sign's first letter alone, or followed by anything else, is left
        assertThat(mask(mask, "{\"a\":\"A\",\"b\":\"ab\"}", sign)).isEqualTo("{\"a\":\"A\",\"b\":\"ab\"}");
    }

    @Test
    void aLineWithoutSecretsIsReturnedAsItIs() {
        byte[] line = "{\"stream_id\":\"é ü 中\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(new SecretMask(List.of("key")).mask(line, SIGN)).isSameAs(line);
    }

    @Test
    void aSignThatCannotMatchAnyKeyIsLeftAlone() {
        // not 32 hex digits: no key can produce it, and masking "1" would garble the line
        assertThat(mask(new SecretMask(List.of()), "{\"t\":1,\"n\":1}", "1")).isEqualTo("{\"t\":1,\"n\":1}");
        assertThat(SecretMask.isSignShaped(SIGN)).isTrue();
        assertThat(SecretMask.isSignShaped(SIGN.substring(1) + "g")).isFalse();
    }

    @Test
    void manyKeysAreMaskedInOnePassTheLongestWhereTwoStartAlike() {
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            keys.add("TenantKey" + i + "x");
        }
        keys.add("TenantKey1");
        SecretMask mask = new SecretMask(keys);

        assertThat(mask(mask, "a TenantKey1x b TenantKey49x c TenantKey1 d TenantKey5 e", null))
                .isEqualTo("a *** b *** c *** d TenantKey5 e");
        assertThat(mask(mask, "TenantKey42x", SIGN)).isEqualTo("***");
        // a line's last bytes: a key cut short is no key
        assertThat(mask(mask, "x TenantKey4", null)).isEqualTo("x TenantKey4");
    }

    @Test
    void adjacentAndRepeatedSecretsAreAllMasked() {
        assertThat(mask(new SecretMask(List.of()), SIGN + SIGN + "-" + SIGN, SIGN)).isEqualTo("******-***");
    }
}
