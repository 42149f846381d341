package io.cssgateway.support;

/** Parses the integers the provider sends as JSON numbers or as strings of digits. */
public final class Integers {

    private Integers() {}

    /** Whether the text is a whole number that fits in a long. */
    public static boolean isInteger(String text) {
        if (text == null || text.isEmpty() || text.length() > 19) {
            return false;
        }
        int start = text.charAt(0) == '-' ? 1 : 0;
        if (start == text.length()) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        if (text.length() - start < 19) {
            return true;
        }
        // 19 digits may still be beyond a long
        try {
            Long.parseLong(text);
            return true;
        } catch (NumberFormatException tooLarge) {
            return false;
        }
    }

    public static Integer parseIntOrNull(String text) {
        if (!isInteger(text)) {
            return null;
        }
        long value = Long.parseLong(text);
        return value < Integer.MIN_VALUE || value > Integer.MAX_VALUE ? null : (int) value;
    }
}
