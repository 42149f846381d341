package io.cssgateway;

/** Parses the integers the provider sends as JSON numbers or as strings of digits. */
final class Integers {

    private Integers() {}

    static boolean isInteger(String text) {
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
        return true;
    }

    static Integer parseIntOrNull(String text) {
        if (!isInteger(text)) {
            return null;
        }
        long value = Long.parseLong(text);
        return value < Integer.MIN_VALUE || value > Integer.MAX_VALUE ? null : (int) value;
    }
}
