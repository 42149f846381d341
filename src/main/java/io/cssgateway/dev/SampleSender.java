package io.cssgateway.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.intake.SignatureVerifier;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Sends the provider's sample callbacks (push, a normal interruption, abnormal ones of several categories,
 * a duplicate, a bad signature, an expired one), signed with a key, to a gateway, and prints each answer
 * beside the expected one. Exits 0 when every answer is the expected one. For a dev gateway and for real
 * deployments alike: {@code java -jar target/css-callback-gateway.jar send-samples [--url URL] [--key KEY]}
 * (also, as before the command line had subcommands, {@code java -cp target/css-callback-gateway.jar
 * io.cssgateway.dev.SampleSender [--url URL] [--key KEY]}).
 */
@Command(name = "send-samples", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Signs and posts the provider's sample callbacks (a push, interruptions of several categories, a "
                + "duplicate, a bad signature, an expired one) to a gateway, and prints each answer beside the "
                + "expected one. Exit 0 when every answer is the expected one, 1 when not."})
public final class SampleSender implements Callable<Integer> {

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080/callbacks/tencent/css",
            description = "the gateway's callback endpoint (default: ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--key", paramLabel = "KEY",
            description = "the key to sign with (default: the first of CSS_CALLBACK_KEYS, else dev-key)")
    String key;

    private record Sample(String name, String file, int errcode, String key, long expiresIn, int expected) {}

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** The command line of before: {@code java -cp ... io.cssgateway.dev.SampleSender [--url URL] [--key KEY]}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new SampleSender()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        String signWith = key != null ? key
                : System.getenv().getOrDefault("CSS_CALLBACK_KEYS", "dev-key").split(",")[0].strip();
        return send(url, signWith, System.out) ? 0 : 1;
    }

    /** Sends every sample; true when every answer was the expected one. */
    public boolean send(String url, String key, PrintStream out) throws Exception {
        String sequence = Long.toString(System.currentTimeMillis() * 1000 + (System.nanoTime() % 1000));
        List<Sample> samples = List.of(
                new Sample("push", "1-push.doc.json", 0, key, 600, 200),
                new Sample("interruption, normal (client-stop)", "0-interrupt.doc.json", 1, key, 600, 200),
                new Sample("interruption, network", "0-interrupt.doc.json", 13, key, 600, 200),
                new Sample("interruption, internal", "0-interrupt.doc.json", 5, key, 600, 200),
                new Sample("interruption, third-party-auth", "0-interrupt.doc.json", 19, key, 600, 200),
                new Sample("interruption, access-policy", "0-interrupt.doc.json", 18, key, 600, 200),
                new Sample("duplicate of the push", "1-push.doc.json", 0, key, 660, 200),
                new Sample("bad signature", "1-push.doc.json", 0, key + "-wrong", 600, 401),
                new Sample("expired signature", "1-push.doc.json", 0, key, -3600, 401));
        out.printf("Sending %d sample callbacks to %s%n", samples.size(), url);
        boolean allExpected = true;
        int n = 0;
        for (Sample sample : samples) {
            n++;
            ObjectNode body = load(sample.file());
            // one push session: the push and its interruptions share a sequence; each interruption is its own
            // event, so each gets a sequence of its own (the duplicate reuses the push's)
            body.put("sequence", sample.file().startsWith("1-") ? sequence : sequence + n);
            body.put("stream_id", "sample_stream_" + sequence);
            long now = System.currentTimeMillis() / 1000;
            body.put("event_time", now);
            if (sample.file().startsWith("0-")) {
                body.put("errcode", sample.errcode());
            }
            long t = now + sample.expiresIn();
            body.put("t", t);
            body.put("sign", SignatureVerifier.sign(sample.key(), Long.toString(t)));
            HttpResponse<String> answer;
            try {
                answer = http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                out.printf("Cannot reach %s (%s): is the gateway running there?%n", url, e);
                return false;
            }
            boolean expected = answer.statusCode() == sample.expected();
            allExpected &= expected;
            out.printf("  %-36s %d %-45s %s%n", sample.name(), answer.statusCode(), answer.body(),
                    expected ? "as expected" : "EXPECTED " + sample.expected());
        }
        out.println(allExpected ? "Every answer is as expected." : "Some answers are not as expected.");
        return allExpected;
    }

    private ObjectNode load(String file) throws Exception {
        try (InputStream in = SampleSender.class.getResourceAsStream("/samples/" + file)) {
            return (ObjectNode) json.readTree(in);
        }
    }
}
