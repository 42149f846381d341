package io.cssgateway.alert;

import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * The words of every alert and digest in the language of {@code gateway.alert.locale}, from the resource bundles
 * {@code alerts/alerts*.properties} (UTF-8, one file per language, English the base that a missing key falls back
 * to), so that a translator corrects a file, not the code. Every text is a {@link MessageFormat} pattern (a quote is
 * written {@code ''}).
 */
public final class AlertTexts {

    /** The languages of the provider's own documents, and so of its customers' operations teams. */
    public static final List<String> LOCALES = List.of("en", "zh-CN", "ja", "ko", "id");

    private final String locale;
    private final ResourceBundle bundle;

    private AlertTexts(String locale, ResourceBundle bundle) {
        this.locale = locale;
        this.bundle = bundle;
    }

    /** The texts of one of {@link #LOCALES}; refused, naming the choices, for any other. */
    public static AlertTexts of(String locale) {
        if (!LOCALES.contains(locale)) {
            throw new IllegalStateException("gateway.alert.locale must be one of " + String.join(", ", LOCALES)
                    + ", got '" + locale + "'");
        }
        // no fallback to the JVM's default locale: a server set to zh_CN still mails in English when told "en"
        ResourceBundle bundle = ResourceBundle.getBundle("alerts.alerts", Locale.forLanguageTag(locale),
                AlertTexts.class.getClassLoader(),
                ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
        return new AlertTexts(locale, bundle);
    }

    public String locale() {
        return locale;
    }

    /** The text of a key, its arguments put in ({0}, {1,number,integer}, {0,choice,...}). */
    public String format(String key, Object... args) {
        // numbers as digits: MessageFormat would group them (1,950), which a count in a subject need not
        Object[] shown = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            shown[i] = args[i] instanceof Number number ? number.toString() : args[i];
        }
        // always through MessageFormat, so that a quote is written '' in every pattern, with or without arguments
        return new MessageFormat(bundle.getString(key), Locale.forLanguageTag(locale)).format(shown);
    }

    /** The key of a count: key.one for 1 in a language with a singular form (plural.singular), else key.other. */
    public String counted(String key, long count) {
        return key + (count == 1 && Boolean.parseBoolean(bundle.getString("plural.singular")) ? ".one" : ".other");
    }

    /** The text of a key, or null when no bundle has it (an errcode the provider does not describe). */
    public String optional(String key) {
        try {
            return bundle.getString(key);
        } catch (MissingResourceException e) {
            return null;
        }
    }
}
