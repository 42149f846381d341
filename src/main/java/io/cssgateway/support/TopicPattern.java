package io.cssgateway.support;

import java.util.ArrayList;
import java.util.List;

/**
 * A routing-key pattern as a RabbitMQ topic binding reads it: words split on dots, {@code *} one word, {@code #} zero
 * or more. Matched here ({@link #matches}) or, for a database, as the regular expression that selects the same keys
 * ({@link #regex}).
 */
public final class TopicPattern {

    /** The longest pattern taken: RabbitMQ's bound on a routing key. */
    public static final int MAX_LENGTH = 255;

    private TopicPattern() {}

    /**
     * Null when the pattern is one RabbitMQ would bind with as meant; else what is wrong with it: empty, too long, an
     * empty word ({@code a..b}), or a word that mixes {@code *} or {@code #} with other characters ({@code stream*}).
     */
    public static String problem(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            return "an empty pattern";
        }
        if (pattern.length() > MAX_LENGTH) {
            return "longer than " + MAX_LENGTH + " characters";
        }
        for (String word : pattern.split("\\.", -1)) {
            if (word.isEmpty()) {
                return "an empty word (two dots in a row, or a dot at an end)";
            }
            if (word.length() > 1 && (word.contains("*") || word.contains("#"))) {
                return "'" + word + "': * and # stand for whole words (stream.*, #.push)";
            }
        }
        return null;
    }

    /** RabbitMQ's topic matching: words split on dots, {@code *} one word, {@code #} zero or more. */
    public static boolean matches(String pattern, String routingKey) {
        return matches(pattern.split("\\.", -1), 0, routingKey.split("\\.", -1), 0);
    }

    private static boolean matches(String[] pattern, int p, String[] key, int k) {
        if (p == pattern.length) {
            return k == key.length;
        }
        if (pattern[p].equals("#")) {
            for (int skip = k; skip <= key.length; skip++) {
                if (matches(pattern, p + 1, key, skip)) {
                    return true;
                }
            }
            return false;
        }
        return k < key.length && (pattern[p].equals("*") || pattern[p].equals(key[k]))
                && matches(pattern, p + 1, key, k + 1);
    }

    /** The regular expression (POSIX and Java alike) that matches exactly the keys {@link #matches} matches. */
    public static String regex(String pattern) {
        // # followed by # is one #
        List<String> words = new ArrayList<>();
        for (String word : pattern.split("\\.", -1)) {
            if (!(word.equals("#") && !words.isEmpty() && words.get(words.size() - 1).equals("#"))) {
                words.add(word);
            }
        }
        StringBuilder regex = new StringBuilder("^");
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (word.equals("#")) {
                regex.append(words.size() == 1 ? ".*" : i == 0 ? "(.*[.])?" : "([.].*)?");
                continue;
            }
            if (i > 0 && !(i == 1 && words.get(0).equals("#"))) {
                regex.append("[.]");
            }
            regex.append(word.equals("*") ? "[^.]*" : literal(word));
        }
        return regex.append('$').toString();
    }

    /** A word as a regular expression that matches it alone: each character that is not a letter or digit escaped. */
    private static String literal(String word) {
        StringBuilder literal = new StringBuilder();
        word.codePoints().forEach(c -> {
            if (!Character.isLetterOrDigit(c) && c != '_') {
                // a backslash before a character that is neither letter nor digit is that character, in Java and POSIX
                literal.append('\\');
            }
            literal.appendCodePoint(c);
        });
        return literal.toString();
    }
}
