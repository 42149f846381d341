package io.cssgateway.streams;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.support.IsoTime;

/** A stream's state as JSON, the same in a state message and in the API's answers. */
final class StreamJson {

    private StreamJson() {}

    /**
     * {@code app}, {@code appname}, {@code stream_id}, {@code state}, {@code open_sequences}, {@code since},
     * {@code version}; with its last events when {@code withLastEvents}.
     */
    static ObjectNode state(StreamState state, boolean withLastEvents) {
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
                ObjectNode event = last.addObject();
                event.put("event_type", applied.eventType());
                event.put("sequence", applied.sequence());
                event.put("message_id", applied.messageId());
                event.put("at", IsoTime.format(applied.at()));
                event.put("effect", applied.effect());
            }
        }
        return json;
    }
}
