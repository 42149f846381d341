package io.cssgateway.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cssgateway.event.OutgoingEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @TempDir
    Path dir;

    private static OutgoingEvent event(String body) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("css_event_type", 0);
        headers.put("css_sequence", "2210464508206756938");
        headers.put("css_errcode", 13);
        return new OutgoingEvent("stream.interrupt.network", "0:2210464508206756938", 1703731478000L, headers,
                body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aKeptEventComesBackAsItWasByteForByte() {
        Spool spool = new Spool(dir);
        String body = "{\"ratio\":1.10,\"big\":1e400,\"n\":18446744073709551616,\"text\":\"é 中\\n\",\"event\":\"interrupt\"}";
        spool.keep(event(body));

        List<Path> files = spool.oldest(10);
        assertThat(files).hasSize(1);
        OutgoingEvent back = spool.load(files.get(0));

        assertThat(back.routingKey()).isEqualTo("stream.interrupt.network");
        assertThat(back.messageId()).isEqualTo("0:2210464508206756938");
        assertThat(back.timestamp()).isEqualTo(1703731478000L);
        assertThat(back.headers()).containsExactly(Map.entry("css_event_type", 0),
                Map.entry("css_sequence", "2210464508206756938"), Map.entry("css_errcode", 13));
        assertThat(new String(back.body(), StandardCharsets.UTF_8)).isEqualTo(body);
        assertThat(spool.depth()).isEqualTo(1);
    }

    @Test
    void aFileOfTheEarlierFormatIsReadWithItsDecimalsExact() throws Exception {
        Files.writeString(dir.resolve("1700000000000-0000000001.event"), "{\"routing_key\":\"stream.push\","
                + "\"message_id\":\"1:42\",\"timestamp\":1703731478000,\"headers\":{\"css_event_type\":1,"
                + "\"css_app\":\"a\"},\"body\":{\"event_type\":1,\"ratio\":1.10,\"event\":\"push\"}}");
        Spool spool = new Spool(dir);

        OutgoingEvent back = spool.load(spool.oldest(1).get(0));

        assertThat(back.routingKey()).isEqualTo("stream.push");
        assertThat(back.headers()).containsExactly(Map.entry("css_event_type", 1), Map.entry("css_app", "a"));
        assertThat(new String(back.body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"event_type\":1,\"ratio\":1.10,\"event\":\"push\"}");
    }

    @Test
    void anUnreadableFileIsMovedAsideAndTheDrainGoesOn() throws Exception {
        Files.writeString(dir.resolve("1700000000000-0000000001.event"), "{\"routing_key\":");
        Spool spool = new Spool(dir);
        spool.keep(event("{}"));
        Path corrupt = spool.oldest(1).get(0);

        assertThatThrownBy(() -> spool.load(corrupt)).isInstanceOf(SpoolReadException.class)
                .hasMessageContaining("moved to unreadable");

        assertThat(dir.resolve("unreadable").resolve(corrupt.getFileName())).exists();
        assertThat(spool.oldest(10)).hasSize(1).doesNotContain(corrupt);
        assertThat(spool.depth()).isEqualTo(1);
    }

    @Test
    void anEventThatCannotBeKeptIsAHandOffFailureAnswered503() throws Exception {
        Spool spool = new Spool(dir);
        spool.close();
        Files.delete(dir.resolve(".lock"));
        Files.delete(dir);
        Files.writeString(dir, "a file where the spool folder should be");

        assertThatThrownBy(() -> spool.keep(event("{}"))).isInstanceOf(HandOffFailedException.class)
                .hasMessage("event could not be handed on, retry later")
                .satisfies(e -> assertThat(((HandOffFailedException) e).getHttpStatus()).isEqualTo(503));
    }

    @Test
    void aSecondGatewayOnTheSameFolderIsRefusedNamingTheHolder() {
        new Spool(dir);

        assertThatThrownBy(() -> new Spool(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("spool folder " + dir + " is in use by another gateway (pid "
                        + ProcessHandle.current().pid() + " on ")
                .hasMessageContaining("each instance needs a gateway.spool.dir of its own");
    }

    @Test
    void aFolderLetGoIsTakenByTheNextGatewayWithWhatItHolds() {
        Spool first = new Spool(dir);
        first.keep(event("{\"a\":1}"));
        first.keep(event("{\"a\":2}"));
        first.close();

        Spool next = new Spool(dir);

        assertThat(next.depth()).isEqualTo(2);
        assertThat(next.oldest(10)).hasSize(2);
    }

    @Test
    void theOldestAreTakenInOrderWithoutListingEveryFileIntoMemory() throws Exception {
        Spool spool = spoolHolding(200);
        List<Path> all = spool.oldest(1000);

        List<Path> oldest = spool.oldest(7);

        assertThat(all).hasSize(200).isSorted();
        assertThat(oldest).containsExactlyElementsOf(all.subList(0, 7));
        assertThat(new String(spool.load(oldest.get(0)).body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":0}");
    }

    @Test
    void theDrainTakesRoundAfterRoundFromOneListingAndFindsWhatStayedAtTheNext() throws Exception {
        Spool spool = spoolHolding(30);
        List<Path> all = spool.oldest(100);

        List<Path> first = spool.nextToDrain(2);
        for (Path published : first) {
            spool.remove(published);
        }
        spool.keep(event("{\"n\":30}"));
        // the rounds after it come from the same listing (10 rounds of 2): the new file is not in it
        List<Path> served = new ArrayList<>(first);
        for (int round = 1; round < 10; round++) {
            served.addAll(spool.nextToDrain(2));
        }

        assertThat(first).containsExactlyElementsOf(all.subList(0, 2));
        assertThat(served).containsExactlyElementsOf(all.subList(0, 20));
        // nothing of rounds 2-10 was removed (their publishes failed): the next listing finds them again first
        assertThat(spool.nextToDrain(2)).containsExactlyElementsOf(all.subList(2, 4));
        assertThat(spool.depth()).isEqualTo(29);
    }

    /** A spool of the test's folder with {@code events} events, {"n":0} the oldest. */
    private Spool spoolHolding(int events) {
        Spool spool = new Spool(dir);
        for (int i = 0; i < events; i++) {
            spool.keep(event("{\"n\":" + i + "}"));
        }
        return spool;
    }
}
