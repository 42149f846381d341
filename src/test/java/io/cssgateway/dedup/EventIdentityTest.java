package io.cssgateway.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.event.EventTypes;
import io.cssgateway.harness.TestCallbacks;
import io.cssgateway.intake.CallbackReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventIdentityTest {

    private final CallbackReader reader = new CallbackReader();
    private final EventIdentity identity;

    EventIdentityTest() throws IOException {
        try (var in = EventIdentityTest.class.getResourceAsStream("/event-types.txt")) {
            identity = new EventIdentity(EventTypes.parse(new InputStreamReader(in, StandardCharsets.UTF_8), "shipped"));
        }
    }

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
        String first = identityOf(TestCallbacks.sample("200-screenshot.doc-2021.json").signedAt(2_000_000_000L).signedWith("k"));
        String retry = identityOf(TestCallbacks.sample("200-screenshot.doc-2021.json").signedAt(2_000_000_060L).signedWith("k"));
        assertThat(first).startsWith("200:sha256:").hasSize("200:sha256:".length() + 32).isEqualTo(retry);
    }

    @Test
    void otherBodiesHaveOtherIdentities() {
        String one = identityOf(TestCallbacks.sample("200-screenshot.doc-2021.json").signedWith("k"));
        String other = identityOf(TestCallbacks.sample("200-screenshot.doc-2021.json").with("pic_url", "x").signedWith("k"));
        assertThat(one).isNotEqualTo(other);
    }

    @Test
    void aRecordingIsIdentifiedByItsFileIdElseItsRecordFileId() {
        assertThat(identityOf(TestCallbacks.sample("100-record-file.capture-2025.json").with("file_id", "f1")))
                .isEqualTo("100:f1");
        assertThat(identityOf(TestCallbacks.sample("100-record-file.capture-2025.json").without("file_id")
                .with("record_file_id", "r1"))).isEqualTo("100:r1");
        assertThat(identityOf(TestCallbacks.sample("100-record-file.capture-2025.json").without("file_id")
                .without("record_file_id"))).startsWith("100:sha256:");
    }

    @Test
    void aRecordingStatusIsIdentifiedByItsSeq() {
        assertThat(identityOf(TestCallbacks.sample("332-record-status.doc.repaired.json").with("seq", "77")))
                .isEqualTo("332:77");
    }

    @Test
    void pushWithoutAPlainSequenceFallsBackToTheDigest() {
        assertThat(identityOf(TestCallbacks.sample("1-push.legacy-copy.json"))).startsWith("1:sha256:");
        assertThat(identityOf(TestCallbacks.sample("1-push.doc.json").with("sequence", "a\nb"))).startsWith("1:sha256:");
    }
}
