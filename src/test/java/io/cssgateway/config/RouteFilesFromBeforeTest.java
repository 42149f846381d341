package io.cssgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.harness.RouteHarness;
import io.cssgateway.harness.TestCallbacks;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A site's route files from before the request path's steps had names of their own (docs/deploying.md, "Upgrading")
 * still run: each step written back as the bean call it was ({@code process: ref: "readCallback"} as
 * {@code bean: ref: "callbackReader" method: "read"}, {@code ref: expression: "verifySignature"} as
 * {@code method: ref: "signatureVerifier" method: "verify"}), the callback's way is the same.
 */
class RouteFilesFromBeforeTest {

    /** Each step of the route files, and the bean and method the files called before. */
    private static final Map<String, String> PROCESSORS = new LinkedHashMap<>();
    private static final Map<String, String> EXPRESSIONS = new LinkedHashMap<>();

    static {
        PROCESSORS.put("checkRequest", "requestGuard.check");
        PROCESSORS.put("readCallback", "callbackReader.read");
        PROCESSORS.put("checkTenantSource", "sourceGuard.checkTenant");
        PROCESSORS.put("noteAccepted", "acceptedCallbacks.accepted");
        PROCESSORS.put("classifyEvent", "eventClassifier.classify");
        PROCESSORS.put("prepareEventMessage", "eventMessage.prepare");
        PROCESSORS.put("requireBrokerUp", "brokerState.requireUp");
        PROCESSORS.put("appendAuditLine", "auditLog.write");
        PROCESSORS.put("countRequest", "gatewayMetrics.request");
        EXPRESSIONS.put("allowedSource", "sourceGuard.check");
        EXPRESSIONS.put("callbackTenant", "tenantOfCallback.of");
        EXPRESSIONS.put("verifySignature", "signatureVerifier.verify");
        EXPRESSIONS.put("tenantRateLimited", "tenantOfCallback.rateLimited");
        EXPRESSIONS.put("callbackIdentity", "eventIdentity.of");
        EXPRESSIONS.put("errcodeCategory", "errcodeTable.categoryOf");
    }

    @TempDir
    Path data;

    /** The route file's text with each step as the bean call it was; counts the steps written back. */
    private static String asBefore(String routeFile, AtomicInteger rewritten) {
        String text = routeFile;
        for (Map.Entry<String, String> step : PROCESSORS.entrySet()) {
            text = rewrite(text, "- process:\n(\\s+)ref: \"" + step.getKey() + "\"\n", step.getValue(), "- bean:\n",
                    rewritten);
        }
        for (Map.Entry<String, String> step : EXPRESSIONS.entrySet()) {
            text = rewrite(text, "ref:\n(\\s+)expression: \"" + step.getKey() + "\"\n", step.getValue(), "method:\n",
                    rewritten);
        }
        return text;
    }

    private static String rewrite(String text, String step, String beanCall, String head, AtomicInteger rewritten) {
        String bean = beanCall.substring(0, beanCall.indexOf('.'));
        String method = beanCall.substring(beanCall.indexOf('.') + 1);
        Matcher matcher = Pattern.compile(step).matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            rewritten.incrementAndGet();
            String indent = Matcher.quoteReplacement(matcher.group(1));
            matcher.appendReplacement(out, head + indent + "ref: \"" + bean + "\"\n" + indent + "method: \"" + method
                    + "\"\n");
        }
        matcher.appendTail(out);
        return out.toString();
    }

    @Test
    void routeFilesThatCallTheBeansByNameStillTakeACallbackTheSameWay() throws Exception {
        AtomicInteger rewritten = new AtomicInteger();
        try (RouteHarness routes = new RouteHarness(data, new Properties(), file -> asBefore(file, rewritten))) {
            // every step of the path was written back, none is left under its new name
            assertThat(rewritten).hasValue(PROCESSORS.size() + EXPRESSIONS.size());

            String sequence = TestCallbacks.uniqueSequence();
            String push = TestCallbacks.sample("1-push.doc.json").with("sequence", sequence)
                    .freshlySignedWith(RouteHarness.KEY).asString();
            Exchange accepted = routes.post(push);
            Exchange retry = routes.post(push);
            TestCallbacks interruption = TestCallbacks.sample("0-interrupt.doc.json").withUniqueSequence()
                    .with("errcode", 12).freshlySignedWith(RouteHarness.KEY);
            Exchange interrupted = routes.post(interruption.asString());
            Exchange forged = routes.post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                    .freshlySignedWith("not-the-key").asString());

            assertThat(RouteHarness.status(accepted)).isEqualTo(200);
            assertThat(RouteHarness.status(retry)).isEqualTo(200);
            assertThat(RouteHarness.status(interrupted)).isEqualTo(200);
            assertThat(RouteHarness.status(forged)).isEqualTo(401);
            assertThat(routes.published()).extracting(OutgoingEvent::routingKey, OutgoingEvent::messageId)
                    .containsExactly(
                            tuple("stream.push", "1:" + sequence),
                            tuple("stream.interrupt.network",
                                    "0:" + interruption.text("sequence")));
            assertThat(routes.auditLines()).extracting(line -> line.get("verdict").asText())
                    .containsExactly("accepted", "duplicate", "accepted", "rejected");
        }
    }
}
