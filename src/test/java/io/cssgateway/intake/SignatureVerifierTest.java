package io.cssgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cssgateway.event.Callback;
import io.cssgateway.harness.TestCallbacks;
import io.cssgateway.harness.TestTenants;
import io.cssgateway.tenant.Tenant;
import io.cssgateway.tenant.Tenants;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SignatureVerifierTest {

    private static final long NOW = 1_703_731_606L;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    private final CallbackReader reader = new CallbackReader();

    private SignatureVerifier verifier(String... keys) {
        return new SignatureVerifier(List.of(keys), Tenants.none(), Duration.ofSeconds(30), Duration.ofDays(1), true,
                Set.of(314), CLOCK);
    }

    private Callback callback(String t, String sign) {
        String body = "{\"event_type\":1,\"sequence\":\"1\",\"t\":" + t + ",\"sign\":\"" + sign + "\"}";
        return reader.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "md5({0} + {1}) = {2}")
    @CsvSource({
        // md5("abc123"), a widely published vector
        "abc, 123, e99a18c428cb38d5f260853678922e03",
        // computed with md5sum: printf '%s' 'k11703732206' | md5sum
        "k1, 1703732206, cab4a468f0523dc8206427e49bb53aeb",
        "secret-key-2, 1766000000, 4f6f2bc9af98e7201e44ed685274e764",
    })
    void signIsMd5OfKeyFollowedByT(String key, String t, String sign) {
        assertThat(verifier(key).matchesAnyKey(t, sign)).isTrue();
        assertThat(SignatureVerifier.sign(key, t)).isEqualTo(sign);
        assertThat(verifier(key + "x").matchesAnyKey(t, sign)).isFalse();
        assertThat(verifier(key).matchesAnyKey(t + "0", sign)).isFalse();
    }

    @Test
    void providerSampleSignedWithTheKeyIsAccepted() {
        // 0-interrupt.doc.json with t = 1703732206; its published sign is masked, so it is signed anew
        assertThat(TestCallbacks.sample("0-interrupt.doc.json").signedAt(1_703_732_206L).signedWith("k1").text("sign"))
                .isEqualTo("cab4a468f0523dc8206427e49bb53aeb");
        verifier("k1").verify(callback("1703732206", "cab4a468f0523dc8206427e49bb53aeb"), null);
    }

    @Test
    void upperCaseHexIsAccepted() {
        verifier("k1").verify(callback("1703732206", "CAB4A468F0523DC8206427E49BB53AEB"), null);
    }

    @Test
    void tSentAsStringIsVerifiedLikeANumber() {
        verifier("k1").verify(callback("\"1703732206\"", "cab4a468f0523dc8206427e49bb53aeb"), null);
    }

    @Test
    void eitherKeyWorksDuringRotation() {
        SignatureVerifier rotating = verifier("old-key", "k1");
        rotating.verify(callback("1703732206", "cab4a468f0523dc8206427e49bb53aeb"), null);
        String oldSign = TestCallbacks.md5Hex("old-key1703732206");
        rotating.verify(callback("1703732206", oldSign), null);
        assertThatThrownBy(() -> verifier("k1").verify(callback("1703732206", oldSign), null))
                .isInstanceOf(InvalidSignatureException.class);
    }

    @Test
    void wrongSignIsRejectedAsInvalid() {
        assertThatThrownBy(() -> verifier("k1").verify(callback("1703732206", "cab4a468f0523dc8206427e49bb53aea"), null))
                .isInstanceOf(InvalidSignatureException.class)
                .hasMessage("invalid signature");
    }

    @Test
    void signOfWrongLengthIsRejectedAsInvalid() {
        assertThatThrownBy(() -> verifier("k1").verify(callback("1703732206", "cab4"), null))
                .isInstanceOf(InvalidSignatureException.class);
        assertThatThrownBy(() -> verifier("k1").verify(callback("1703732206", ""), null))
                .isInstanceOf(InvalidSignatureException.class);
    }

    @Test
    void expiryEdges() {
        // accepted up to and including now == t + 30 s of clock skew; refused one second later
        long lastAccepted = NOW - 30;
        verifier("k1").verify(callback(Long.toString(lastAccepted), TestCallbacks.md5Hex("k1" + lastAccepted)), null);
        long firstExpired = NOW - 31;
        assertThatThrownBy(() -> verifier("k1")
                        .verify(callback(Long.toString(firstExpired), TestCallbacks.md5Hex("k1" + firstExpired)), null))
                .isInstanceOf(ExpiredSignatureException.class)
                .hasMessage("signature expired");
    }

    @Test
    void anExpiryFurtherAheadThanAllowedIsRefusedSayingSo() {
        long lastAccepted = NOW + 86_400;
        verifier("k1").verify(callback(Long.toString(lastAccepted), TestCallbacks.md5Hex("k1" + lastAccepted)), null);
        for (long t : new long[] {NOW + 86_401, 32_503_680_000L /* year 3000 */, NOW * 1000 /* milliseconds */}) {
            assertThatThrownBy(() -> verifier("k1").verify(callback(Long.toString(t), TestCallbacks.md5Hex("k1" + t)), null))
                    .isInstanceOf(ExpiryTooFarException.class)
                    .hasMessage("signature expiry t is more than 86400 s ahead");
        }
    }

    @Test
    void theLargestAndSmallestTDoNotOverflow() {
        String max = Long.toString(Long.MAX_VALUE);
        // the most negative t the reader takes (19 characters)
        String min = "-999999999999999999";
        assertThatThrownBy(() -> verifier("k1").verify(callback(max, TestCallbacks.md5Hex("k1" + max)), null))
                .isInstanceOf(ExpiryTooFarException.class);
        assertThatThrownBy(() -> verifier("k1").verify(callback(min, TestCallbacks.md5Hex("k1" + min)), null))
                .isInstanceOf(ExpiredSignatureException.class);
    }

    @Test
    void expiredWithAWrongSignIsReportedAsInvalid() {
        assertThatThrownBy(() -> verifier("k1").verify(callback("1000", TestCallbacks.md5Hex("other1000")), null))
                .isInstanceOf(InvalidSignatureException.class);
    }

    @Test
    void aVerifiedCallbackIsSigned() {
        assertThat(verifier("k1").verify(callback("1703732206", "cab4a468f0523dc8206427e49bb53aeb"), null)).isTrue();
    }

    @Test
    void aCallbackWithoutTAndSignIsAcceptedUnsignedOnlyForAListedType() {
        Callback relay = reader.parse("{\"event_type\":314,\"stream_id\":\"s\"}".getBytes(StandardCharsets.UTF_8));
        Callback push = reader.parse("{\"event_type\":1,\"t\":1703732206}".getBytes(StandardCharsets.UTF_8));

        assertThat(verifier("k1").verify(relay, null)).isFalse();
        assertThatThrownBy(() -> verifier("k1").verify(push, null)).isInstanceOf(UnsignedCallbackException.class)
                .hasMessage("event_type 1 callbacks must carry t and sign: list 1 in "
                        + "gateway.signature.unsigned-event-types to accept them unsigned");
    }

    @Test
    void withSignaturesNotRequiredEveryTypeMayComeUnsigned() {
        SignatureVerifier trial = new SignatureVerifier(List.of(), Tenants.none(), Duration.ofSeconds(30),
                Duration.ofDays(1), false, Set.of(), CLOCK);
        Callback push = reader.parse("{\"event_type\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(trial.verify(push, null)).isFalse();
    }

    @Test
    void aListedTypeThatCarriesASignIsVerified() {
        Callback relay = reader.parse(("{\"event_type\":314,\"t\":1703732206,\"sign\":\""
                + TestCallbacks.md5Hex("other1703732206") + "\"}").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> verifier("k1").verify(relay, null)).isInstanceOf(InvalidSignatureException.class);
    }

    @Test
    void keysNeverAppearInToString() {
        assertThat(verifier("super-secret-key").toString()).doesNotContain("super-secret-key");
    }

    // ---------------------------------------------------------------- keys bound to tenants

    private static final String T = "1703732206";

    private Callback signed(String app, String key) {
        return reader.parse(("{\"event_type\":1,\"app\":\"" + app + "\",\"t\":" + T + ",\"sign\":\""
                + SignatureVerifier.sign(key, T) + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static SignatureVerifier bound(Tenants tenants, String... flatKeys) {
        return new SignatureVerifier(List.of(flatKeys), tenants, Duration.ofSeconds(30), Duration.ofDays(1), true,
                Set.of(314), CLOCK);
    }

    private static Tenants tenants(Map<String, String> more) throws Exception {
        Map<String, String> settings = TestTenants.twoTenants();
        settings.putAll(more);
        return TestTenants.read(settings, List.of());
    }

    @Test
    void aTenantsCallbackIsValidWithItsKeyOnly() throws Exception {
        Tenants tenants = tenants(Map.of());
        Tenant a = tenants.named("a");
        SignatureVerifier verifier = bound(tenants);

        assertThat(verifier.verify(signed("push.a.example.com", TestTenants.KEY_A), a)).isTrue();
        // b's key for a's domain: the answer is any bad signature's; the reason says whose key it was not
        assertThatThrownBy(() -> verifier.verify(signed("push.a.example.com", TestTenants.KEY_B), a))
                .isInstanceOf(InvalidSignatureException.class).hasMessage("invalid signature")
                .extracting("reason").isEqualTo("key-of-another-tenant");
        assertThatThrownBy(() -> verifier.verify(signed("push.a.example.com", "NoOnesKey00000000001"), a))
                .isInstanceOf(InvalidSignatureException.class).extracting("reason").isEqualTo("bad-signature");
    }

    @Test
    void aDomainNoTenantOwnsHasNoKeyWhenEveryKeyIsBound() throws Exception {
        SignatureVerifier verifier = bound(tenants(Map.of()));
        assertThatThrownBy(() -> verifier.verify(signed("other.example.net", TestTenants.KEY_A), null))
                .isInstanceOf(NoKeyForDomainException.class).hasMessage("no key for push domain other.example.net")
                .extracting("reason").isEqualTo("no-key-for-domain");
        Callback hostile = reader.parse(("{\"event_type\":1,\"app\":\"<script>\",\"t\":" + T + ",\"sign\":\"x\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> verifier.verify(hostile, null)).hasMessage("no key for this callback's push domain");
    }

    @Test
    void theUnboundKeysStillSignForEveryDomain() throws Exception {
        Tenants tenants = tenants(Map.of());
        SignatureVerifier verifier = bound(tenants, "FlatKey0000000000001");

        assertThat(verifier.verify(signed("push.a.example.com", "FlatKey0000000000001"), tenants.named("a"))).isTrue();
        assertThat(verifier.verify(signed("other.example.net", "FlatKey0000000000001"), null)).isTrue();
        // a bound key does not sign for a domain no tenant owns
        assertThatThrownBy(() -> verifier.verify(signed("other.example.net", TestTenants.KEY_A), null))
                .extracting("reason").isEqualTo("key-of-another-tenant");
    }

    @Test
    void duringARotationBothKeysOfTheTenantSign() throws Exception {
        Tenants rotating = tenants(Map.of("gateway.tenant.a.keys", "{{test.key.a}},{{test.key.a2}}"));
        SignatureVerifier verifier = bound(rotating);
        assertThat(verifier.verify(signed("push.a.example.com", TestTenants.KEY_A), rotating.named("a"))).isTrue();
        assertThat(verifier.verify(signed("push.a.example.com", TestTenants.KEY_A2), rotating.named("a"))).isTrue();
        assertThat(verifier.verify(signed("c.example.com", TestTenants.KEY_B), rotating.named("b"))).isTrue();
    }

    @Test
    void anUnsignedTypeOfOneTenantIsNotAcceptedForAnother() throws Exception {
        Tenants tenants = tenants(Map.of("gateway.tenant.a.unsigned-event-types", "100"));
        SignatureVerifier verifier = bound(tenants);
        Callback recording = reader.parse("{\"event_type\":100,\"app\":\"x\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(verifier.verify(recording, tenants.named("a"))).isFalse();
        assertThatThrownBy(() -> verifier.verify(recording, tenants.named("b")))
                .isInstanceOf(UnsignedCallbackException.class)
                .hasMessage("event_type 100 callbacks must carry t and sign: list 100 in the unsigned event types of "
                        + "its push domain's tenant (gateway.tenant.<name>.unsigned-event-types) to accept them unsigned");
        // the gateway's own list (314 here) is for the domains no tenant owns
        Callback relay = reader.parse("{\"event_type\":314}".getBytes(StandardCharsets.UTF_8));
        assertThat(verifier.verify(relay, null)).isFalse();
        assertThatThrownBy(() -> verifier.verify(relay, tenants.named("a"))).isInstanceOf(UnsignedCallbackException.class);
    }
}
