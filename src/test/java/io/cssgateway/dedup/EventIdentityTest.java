package io.cssgateway.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.event.EventTypes;
import io.cssgateway.harness.TestCallbacks;
import io.cssgateway.intake.CallbackReader;
import org.junit.jupiter.api.Test;

class EventIdentityTest {

    private final CallbackReader reader = new CallbackReader(true);
    private final EventIdentity identity = new EventIdentity(EventTypes.CSS);

    private String identityOf(TestCallbacks callback) {
        return identity.of(reader.parse(callback.bytes()));
    }

    @Test
    void pushAndInterruptionAreIdentifiedByTypeAndSequence() {
        assertThat(identityOf(TestCallbacks.sample("1-push.doc.json"))).isEqualTo("1:2210464508206756938");
        // the interruption of the same push shares its sequence, not its identity
        assertThat(identityOf(TestCallbacks.sample("0-interrupt.doc.json"))).isEqualTo("0:2210464508206756938");
    }

    @Test
    void aRetrySignedAnewHasTheSameIdentity() {
        String first = identityOf(TestCallbacks.sample("100-record-file.doc-2022.json").signedAt(2_000_000_000L).signedWith("k"));
        String retry = identityOf(TestCallbacks.sample("100-record-file.doc-2022.json").signedAt(2_000_000_060L).signedWith("k"));
        assertThat(first).startsWith("100:sha256:").hasSize("100:sha256:".length() + 32).isEqualTo(retry);
    }

    @Test
    void otherBodiesHaveOtherIdentities() {
        String one = identityOf(TestCallbacks.sample("100-record-file.doc-2022.json").signedWith("k"));
        String other = identityOf(TestCallbacks.sample("100-record-file.doc-2022.json").with("file_id", "x").signedWith("k"));
        assertThat(one).isNotEqualTo(other);
    }

    @Test
    void pushWithoutAPlainSequenceFallsBackToTheDigest() {
        assertThat(identityOf(TestCallbacks.sample("1-push.legacy-copy.json"))).startsWith("1:sha256:");
        assertThat(identityOf(TestCallbacks.sample("1-push.doc.json").with("sequence", "a\nb"))).startsWith("1:sha256:");
    }
}
