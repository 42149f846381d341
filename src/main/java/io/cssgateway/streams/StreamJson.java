package io.cssgateway.streams;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.support.IsoTime;

/** A stream's state as JSON, the same in a state message and in the API's answers. */
public final class StreamJson {

    private StreamJson() {}

    /**
     * {@code app}, {@code appname}, {@code stream_id}, {@code state}, {@code open_sequences}, {@code since},
     * {@code version}; with its last events when {@code withLastEvents}.
     */
    public static ObjectNode state(StreamState state, boolean withLastEvents) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("app", state.stream().app());
        json.put("appname", state.stream().appname());
        json.put("stream_id", state.stream().streamId());
        json.put("state", state.state());
        ArrayNode open = json.putArray("open_sequences");
        state.openSequences().forEach(open::add);
        json.put("since", state.since() == null ? null : IsoTime.format(state.since()));
        json.put("version", state.version());
        if (withLastEvents) {
            ArrayNode last = json.putArray("last_events");
            for (StreamState.Applied applied : state.lastEvents()) {
                last.add(applied(applied).put("at", IsoTime.format(applied.at())));
            }
        }
        return json;
    }

    /**
     * What an event did: {@code event_type} (null for a correction from the provider's list), {@code event}
     * ({@code push}, {@code interrupt} or {@code reconciled}), {@code sequence}, {@code message_id}, {@code effect}.
     */
    static ObjectNode applied(StreamState.Applied applied) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        if (applied.reconciled()) {
            json.putNull("event_type");
            json.put("event", "reconciled");
        } else {
            json.put("event_type", applied.eventType());
            json.put("event", applied.eventType() == StreamEvent.PUSH ? "push" : "interrupt");
        }
        json.put("sequence", applied.sequence());
        json.put("message_id", applied.messageId());
        json.put("effect", applied.effect());
        return json;
    }
}
