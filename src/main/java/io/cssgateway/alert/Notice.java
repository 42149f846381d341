package io.cssgateway.alert;

import java.util.List;

/**
 * One alert as every channel receives it, before a channel renders it (a mail, a Slack message, a Teams card...):
 * a title, a summary, then sections of counts and of rows. The gateway's own words are keys of {@link AlertTexts};
 * what comes from callbacks (domains, stream ids, errmsg) is kept apart as values, which each channel escapes for its
 * format, so that a stream named {@code @all} or {@code [x](http://evil)} mentions nobody and links nowhere.
 *
 * @param kind what it is about, as {@code gateway.alert.webhook.<name>.kinds} names it: {@link #KINDS}
 * @param app the push domain it is about, for channels narrowed to domains; null for the gateway's own trouble
 */
public record Notice(String kind, String app, Phrase title, Phrase summary, List<Section> sections) {

    /** The interruption digests, silence, RabbitMQ, the spool and audit folders, the unrouted queue, mail. */
    public static final List<String> KINDS = List.of("interruptions", "silence", "broker", "folders", "unrouted", "mail");

    public Notice {
        sections = List.copyOf(sections);
    }

    /**
     * A text of {@link AlertTexts} with its arguments: values from callbacks, numbers, times, other phrases.
     *
     * @param count for a text that depends on a count (key.one, key.other), the count; else null
     */
    public record Phrase(String key, Long count, List<Object> args) {
        public Phrase {
            args = List.copyOf(args);
        }

        public static Phrase of(String key, Object... args) {
            return new Phrase(key, null, List.of(args));
        }

        /** "1 push error", "3 push errors": key.one or key.other, the count as {0}. */
        public static Phrase counted(String key, long count) {
            return new Phrase(key, count, List.of(count));
        }
    }

    /**
     * A heading, then counts (category or domain, how many) or rows (one per stream), and how many rows were left
     * out. {@code width} pads the counts' labels in plain text.
     */
    public record Section(Phrase heading, List<Count> counts, int width, List<List<Fact>> rows, int more) {
        public Section {
            counts = List.copyOf(counts);
            rows = List.copyOf(rows);
        }

        public static Section counts(Phrase heading, List<Count> counts, int width) {
            return new Section(heading, counts, width, List.of(), 0);
        }

        public static Section rows(Phrase heading, List<List<Fact>> rows, int more) {
            return new Section(heading, List.of(), 0, rows, more);
        }

        public static Section facts(List<Fact> facts) {
            return new Section(null, List.of(), 0, List.of(facts), 0);
        }
    }

    /** A label (a value from a callback: a category, a domain) and how many. */
    public record Count(String label, long count) {}

    /** A field's name (the provider's, or a key of {@link AlertTexts} when {@code named}) and its value. */
    public record Fact(String name, String value, boolean named) {
        public static Fact field(String name, String value) {
            return new Fact(name, value, false);
        }

        public static Fact named(String key, String value) {
            return new Fact(key, value, true);
        }
    }
}
