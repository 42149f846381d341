package io.cssgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cssgateway.support.CidrBlock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SourceGuardTest {

    @ParameterizedTest(name = "{0} in {1}: {2}")
    @CsvSource({
        "10.1.2.3,       10.0.0.0/8,        true",
        "11.1.2.3,       10.0.0.0/8,        false",
        "192.168.1.130,  192.168.1.128/25,  true",
        "192.168.1.127,  192.168.1.128/25,  false",
        "172.16.5.4,     172.16.5.4,        true",
        "172.16.5.5,     172.16.5.4,        false",
        "8.8.8.8,        0.0.0.0/0,         true",
        "2001:db8::1,    2001:db8::/32,     true",
        "2001:db9::1,    2001:db8::/32,     false",
        "10.0.0.1,       2001:db8::/32,     false",
        "::ffff:10.0.0.1, 10.0.0.0/8,       true",
    })
    void anAddressIsAllowedWhenABlockHoldsIt(String address, String block, boolean allowed) {
        SourceGuard guard = new SourceGuard(List.of(block));
        String remote = address.contains(":") ? "[" + address + "]:1" : address + ":1";
        if (allowed) {
            assertThat(guard.check(remote)).isEqualTo(address);
        } else {
            assertThatThrownBy(() -> guard.check(remote)).isInstanceOf(SourceNotAllowedException.class);
        }
    }

    @Test
    void withoutAListEveryAddressMayPost() {
        assertThat(new SourceGuard(List.of()).check("192.0.2.4:5555")).isEqualTo("192.0.2.4");
        assertThat(new SourceGuard(List.of()).restricting()).isFalse();
    }

    @Test
    void theHostIsTakenFromEveryAddressForm() {
        assertThat(SourceGuard.host("1.2.3.4:80")).isEqualTo("1.2.3.4");
        assertThat(SourceGuard.host("[2001:db8::1]:443")).isEqualTo("2001:db8::1");
        assertThat(SourceGuard.host("2001:db8::1")).isEqualTo("2001:db8::1");
        assertThat(SourceGuard.host(io.vertx.core.net.SocketAddress.inetSocketAddress(8080, "10.0.0.7")))
                .isEqualTo("10.0.0.7");
    }

    @Test
    void aNameIsNeverLookedUpAndNeverMatches() {
        assertThat(CidrBlock.literal("localhost")).isNull();
        assertThat(CidrBlock.literal("abc.def")).isNull();
        assertThat(CidrBlock.literal("1.2.3")).isNull();
        assertThatThrownBy(() -> new SourceGuard(List.of("10.0.0.0/8")).check("example.com:80"))
                .isInstanceOf(SourceNotAllowedException.class);
    }

    @Test
    void aBadBlockIsAClearErrorAtStart() {
        assertThatThrownBy(() -> new SourceGuard(List.of("10.0.0.0/33")))
                .hasMessageContaining("'10.0.0.0/33' has a prefix length outside 0-32");
        assertThatThrownBy(() -> new SourceGuard(List.of("gateway.example.com")))
                .hasMessageContaining("'gateway.example.com' is not an IP address or CIDR block");
    }
}
