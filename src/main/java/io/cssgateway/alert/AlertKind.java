package io.cssgateway.alert;

import com.fasterxml.jackson.databind.JsonNode;
import io.cssgateway.support.Integers;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an alert is about, each with its own section of a digest and its own columns: an abnormal interruption
 * (event_type 0), a push error report (321), a recording exception (341). It reads, from an event's body, the values
 * its section shows; the alert's category (who gets it, how serious it is) is the interruption's errcode category,
 * or the event's name for the others.
 */
enum AlertKind {

    INTERRUPTION("interruption", List.of("stream_id", "app", "errcode", "errmsg", "event_time", "node", "user_ip", "push_duration", "category")),
    PUSH_ERROR("push-error", List.of("stream_id", "domain", "problems", "data_time", "user_ip", "category")),
    RECORD_ERROR("record-error", List.of("stream_id", "domain", "session_id", "level", "problem", "timestamp", "category"));

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    /** Its words in {@link AlertTexts}: kind.&lt;key&gt; (counted), section.&lt;key&gt; (a digest's section). */
    final String key;
    final List<String> columns;

    AlertKind(String key, List<String> columns) {
        this.key = key;
        this.columns = columns;
    }

    /** The kind of an event, by its event_type: 321 and 341 have their own, everything else is an interruption. */
    static AlertKind of(JsonNode body) {
        return switch (body.path("event_type").asInt(0)) {
            case 321 -> PUSH_ERROR;
            case 341 -> RECORD_ERROR;
            default -> INTERRUPTION;
        };
    }

    /** The values of this kind's columns, shown as they will be, and the alert's {@code category}. */
    Map<String, String> read(JsonNode body) {
        Map<String, String> alert = new LinkedHashMap<>();
        for (String column : columns) {
            alert.put(column, shown(body, column));
        }
        alert.put("category", this == INTERRUPTION ? text(body.get("category")) : text(body.get("event")));
        alert.put("app", text(body.has("app") ? body.get("app") : body.get("domain")));
        return alert;
    }

    private String shown(JsonNode body, String column) {
        return switch (column) {
            case "event_time", "timestamp" -> seconds(body.get(column));
            case "data_time" -> milliseconds(body.get(column));
            case "push_duration" -> {
                String millis = text(body.get(column));
                yield Integers.isInteger(millis) ? Duration.ofMillis(Long.parseLong(millis)).toSeconds() + " s" : millis;
            }
            case "problems" -> problems(body.path("abnormal_event"));
            case "level" -> text(body.get("exception_level"));
            case "problem" -> {
                JsonNode exception = body.path("exception");
                yield exception.isMissingNode() ? null : text(exception.get("desc")) + " (type "
                        + text(exception.get("type")) + ", " + text(exception.get("occurs")) + " times)";
            }
            default -> text(body.get(column));
        };
    }

    /** 321's abnormal_event[]: "video frame arrive interval bigger than 1000(ms) x2; ...". */
    private static String problems(JsonNode events) {
        if (!events.isArray()) {
            return null;
        }
        List<String> each = new ArrayList<>();
        for (JsonNode event : events) {
            String what = text(event.get("type_desc_en"));
            each.add((what == null || what.isBlank() ? "type " + text(event.get("type")) : what) + " x"
                    + event.path("count").asText("?"));
        }
        return String.join("; ", each);
    }

    private static String seconds(JsonNode value) {
        String text = text(value);
        return Integers.isInteger(text) ? TIME.format(Instant.ofEpochSecond(Long.parseLong(text))) : text;
    }

    private static String milliseconds(JsonNode value) {
        String text = text(value);
        return Integers.isInteger(text) ? TIME.format(Instant.ofEpochMilli(Long.parseLong(text))) : text;
    }

    private static String text(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode() ? null : value.asText();
    }
}
