package io.cssgateway.alert;

import java.util.List;
import java.util.function.Predicate;

/** An alert that is one notice: silence, the gateway's trouble. A channel narrowed to domains gets it when its domain is theirs. */
record PlainAlert(String kind, List<String> recipients, Notice notice) implements Alert {

    PlainAlert {
        recipients = List.copyOf(recipients);
    }

    @Override
    public Notice notice(Predicate<String> domains) {
        return domains.test(notice.app()) ? notice : null;
    }
}
