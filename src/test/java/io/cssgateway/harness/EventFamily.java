package io.cssgateway.harness;

import java.util.List;
import java.util.Map;

/** The CSS event family as the tests know it, from DESIGN.md and the provider's samples. */
public final class EventFamily {

    private EventFamily() {}

    /** The samples' types that come without t and sign from some accounts or revisions. */
    public static final String UNSIGNED = "100, 314, 317, 321, 343, 344, 345, 348, 349";
    /** The routing key and event name of each type, as DESIGN.md gives them. */
    public static final Map<Integer, List<String>> FAMILY = Map.ofEntries(
            Map.entry(1, List.of("stream.push", "push")), Map.entry(0, List.of("stream.interrupt", "interrupt")),
            Map.entry(100, List.of("record.file", "record-file")), Map.entry(332, List.of("record.status", "record-status")),
            Map.entry(341, List.of("record.error", "record-error")), Map.entry(200, List.of("snapshot", "snapshot")),
            Map.entry(317, List.of("moderation.image", "moderation-image")),
            Map.entry(315, List.of("moderation.audio", "moderation-audio")),
            Map.entry(321, List.of("push.error", "push-error")), Map.entry(314, List.of("relay", "relay")),
            Map.entry(348, List.of("summary", "summary")), Map.entry(338, List.of("subtitle", "subtitle")),
            Map.entry(343, List.of("quality.control", "quality-control")),
            Map.entry(344, List.of("quality.evaluation", "quality-evaluation")),
            // documented in 2025 (CSS doc 267/73168); the page's sample reads event_type 344 by mistake: the test
            // sample, 345-average-score.doc.repaired.json, is that sample with 345
            Map.entry(345, List.of("quality.average", "quality-average")),
            Map.entry(347, List.of("erasing", "erasing")), Map.entry(349, List.of("highlight", "highlight")));

    /** The sample, with the identity fields its type is known by made unique, signed anew when it was signed. */
    public static TestCallbacks prepared(String file, String key) {
        TestCallbacks sample = TestCallbacks.sample(file);
        for (String field : new String[] {"sequence", "seq", "file_id", "record_file_id"}) {
            if (sample.has(field)) {
                sample.with(field, "u" + TestCallbacks.uniqueSequence());
            }
        }
        return sample.has("sign") ? sample.freshlySignedWith(key) : sample;
    }
}
