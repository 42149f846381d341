package io.cssgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.GatewayTestSupport;
import io.cssgateway.harness.TestCallbacks;
import io.cssgateway.intake.IntakeHttpServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The gateway over HTTP: every answer, what is published, duplicates, the alternate exchange, failures. */
class GatewayEndToEndIT extends GatewayTestSupport {

    @Override
    protected Properties moreProperties() {
        Properties properties = new Properties();
        // relay callbacks are never signed by the provider
        properties.setProperty("gateway.signature.unsigned-event-types", "314");
        return properties;
    }

    // ---------------------------------------------------------------- accepted events

    @Test
    void pushIsPublishedWithItsPropertiesHeadersAndBody() throws Exception {
        String queue = broker.bindQueue(exchange, "#");
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY);

        HttpResponse<String> answer = post(push.asString());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"code\":0}");
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
        GetResponse message = broker.next(queue, Duration.ofSeconds(5));
        assertThat(message).isNotNull();
        assertThat(message.getEnvelope().getRoutingKey()).isEqualTo("stream.push");
        var props = message.getProps();
        assertThat(props.getDeliveryMode()).isEqualTo(2);
        assertThat(props.getContentType()).isEqualTo("application/json");
        assertThat(props.getMessageId()).isEqualTo("1:" + push.text("sequence"));
        assertThat(props.getTimestamp()).isEqualTo(new Date(1703731478L * 1000));
        assertThat(props.getHeaders()).containsOnlyKeys(
                "css_event_type", "css_sequence", "css_stream_id", "css_app", "css_errcode", "css_signed");
        assertThat(props.getHeaders().get("css_signed")).isEqualTo(true);
        assertThat(props.getHeaders().get("css_errcode")).isEqualTo(0);
        assertThat(props.getHeaders().get("css_event_type")).isEqualTo(1);
        assertThat(props.getHeaders().get("css_sequence").toString()).isEqualTo(push.text("sequence"));
        assertThat(props.getHeaders().get("css_stream_id").toString()).isEqualTo("test_stream");
        assertThat(props.getHeaders().get("css_app").toString()).isEqualTo("test.domain.com");

        JsonNode body = json.readTree(message.getBody());
        JsonNode sent = push.json();
        ((com.fasterxml.jackson.databind.node.ObjectNode) sent).remove("sign");
        sent.fieldNames().forEachRemaining(field ->
                assertThat(body.get(field).toString()).as(field).isEqualTo(sent.get(field).toString()));
        assertThat(body.has("sign")).isFalse();
        assertThat(body.get("idc_id").asInt()).isEqualTo(34);
        assertThat(body.get("event").asText()).isEqualTo("push");
        assertThat(body.has("category")).isFalse();
        Instant receivedAt = Instant.parse(body.get("received_at").asText());
        assertThat(body.get("received_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(receivedAt).isBetween(Instant.now().minusSeconds(10), Instant.now());
    }

    @ParameterizedTest(name = "errcode {0} -> stream.interrupt.{1}")
    @CsvSource({
        "1, client-stop", "35, client-stop", "5, internal", "6, protocol", "33, protocol", "8, no-data",
        "12, network", "18, access-policy", "19, third-party-auth", "21, operator-action", "22, unknown",
        "999, unknown",
    })
    void interruptionIsPublishedUnderItsCategory(int errcode, String category) throws Exception {
        String queue = broker.bindQueue(exchange, "stream.interrupt.*");
        TestCallbacks interruption = TestCallbacks.sample("0-interrupt.doc.json")
                .withUniqueSequence().with("errcode", errcode).freshlySignedWith(KEY);

        assertThat(post(interruption.asString()).statusCode()).isEqualTo(200);

        GetResponse message = broker.next(queue, Duration.ofSeconds(5));
        assertThat(message.getEnvelope().getRoutingKey()).isEqualTo("stream.interrupt." + category);
        assertThat(message.getProps().getMessageId()).isEqualTo("0:" + interruption.text("sequence"));
        assertThat(message.getProps().getHeaders().get("css_errcode")).isEqualTo(errcode);
        JsonNode body = json.readTree(message.getBody());
        assertThat(body.get("event").asText()).isEqualTo("interrupt");
        assertThat(body.get("category").asText()).isEqualTo(category);
        assertThat(body.get("push_duration").asText()).isEqualTo("128581");
        assertThat(body.get("errcode").asInt()).isEqualTo(errcode);
    }

    @Test
    void aRecordingIsPublishedAsRecordFileIdentifiedByItsFileIdWithItsDecodedExtension() throws Exception {
        String queue = broker.bindQueue(exchange, "record.#");
        TestCallbacks recording = TestCallbacks.sample("100-record-file.doc-2022.json")
                .with("file_id", "f" + TestCallbacks.uniqueSequence()).freshlySignedWith(KEY);

        assertThat(post(recording.asString()).statusCode()).isEqualTo(200);

        GetResponse message = broker.next(queue, Duration.ofSeconds(5));
        assertThat(message.getEnvelope().getRoutingKey()).isEqualTo("record.file");
        assertThat(message.getProps().getMessageId()).isEqualTo("100:" + recording.text("file_id"));
        JsonNode body = json.readTree(message.getBody());
        assertThat(body.get("event").asText()).isEqualTo("record-file");
        assertThat(body.get("file_id").asText()).isEqualTo(recording.text("file_id"));
        assertThat(body.get("decoded").get("callback_ext")).isEqualTo(json.readTree(recording.text("callback_ext")));
        assertThat(body.has("sign")).isFalse();
    }

    @Test
    void aTypeTheTableDoesNotListIsPublishedUnderUnknown() throws Exception {
        String queue = broker.bindQueue(exchange, "unknown.#");
        TestCallbacks unknown = TestCallbacks.sample("1-push.doc.json").with("event_type", 999).withUniqueSequence()
                .freshlySignedWith(KEY);

        assertThat(post(unknown.asString()).statusCode()).isEqualTo(200);

        GetResponse message = broker.next(queue, Duration.ofSeconds(5));
        assertThat(message.getEnvelope().getRoutingKey()).isEqualTo("unknown.999");
        assertThat(message.getProps().getMessageId()).startsWith("999:sha256:");
    }

    @Test
    void aTypeListedAsUnsignedIsAcceptedWithoutTAndSignAndMarkedSoOthersAre401() throws Exception {
        String queue = broker.bindQueue(exchange, "relay");
        TestCallbacks relay = TestCallbacks.sample("314-relay.doc-task-start.json")
                .with("stream_id", "relay-" + TestCallbacks.uniqueSequence());
        TestCallbacks unsignedPush = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().without("t")
                .without("sign");

        HttpResponse<String> accepted = post(relay.asString());
        HttpResponse<String> refused = post(unsignedPush.asString());

        assertThat(accepted.statusCode()).isEqualTo(200);
        GetResponse message = broker.next(queue, Duration.ofSeconds(5));
        assertThat(message.getProps().getHeaders().get("css_signed")).isEqualTo(false);
        assertThat(json.readTree(message.getBody()).get("event").asText()).isEqualTo("relay");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(json.readTree(refused.body()).get("message").asText())
                .contains("gateway.signature.unsigned-event-types");
    }

    @Test
    void numbersSentAsStringsAreAccepted() throws Exception {
        String queue = broker.bindQueue(exchange, "stream.push");
        long t = Instant.now().getEpochSecond() + 600;
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .with("event_type", "1").with("t", Long.toString(t)).with("sign", TestCallbacks.md5Hex(KEY + t));

        assertThat(post(push.asString()).statusCode()).isEqualTo(200);
        assertThat(broker.next(queue, Duration.ofSeconds(5))).isNotNull();
    }

    @Test
    void theOldKeyStillWorksDuringRotation() throws Exception {
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(OLD_KEY);
        assertThat(post(push.asString()).statusCode()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- duplicates

    @Test
    void duplicateIsAnsweredButPublishedOnce() throws Exception {
        String queue = broker.bindQueue(exchange, "#");
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY);
        // the provider's retry, signed anew with a later t
        TestCallbacks retry = TestCallbacks.sample("1-push.doc.json").with("sequence", push.text("sequence"))
                .signedAt(Long.parseLong(push.text("t")) + 60).signedWith(KEY);

        HttpResponse<String> first = post(push.asString());
        HttpResponse<String> second = post(push.asString());
        HttpResponse<String> third = post(retry.asString());

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).isEqualTo("{\"code\":0}");
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(broker.drain(queue, Duration.ofMillis(500))).hasSize(1);
    }

    @Test
    void pushAndInterruptionOfOnePushAreNotDuplicatesOfEachOther() throws Exception {
        String queue = broker.bindQueue(exchange, "#");
        String sequence = TestCallbacks.uniqueSequence();
        post(TestCallbacks.sample("1-push.doc.json").with("sequence", sequence).freshlySignedWith(KEY).asString());
        post(TestCallbacks.sample("0-interrupt.doc.json").with("sequence", sequence).freshlySignedWith(KEY).asString());
        assertThat(broker.drain(queue, Duration.ofMillis(500))).extracting(m -> m.getEnvelope().getRoutingKey())
                .containsExactlyInAnyOrder("stream.push", "stream.interrupt.client-stop");
    }

    // ---------------------------------------------------------------- failures

    @Test
    void aFailedPublishIsSpooledAnsweredAndPublishedOnceTheBrokerTakesIt() throws Exception {
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY);
        publisherConnected();
        broker.deleteExchange(exchange);
        String queue;
        try {
            // the broker refuses the publish (no such exchange): the event is spooled and answered
            assertThat(post(push.asString()).statusCode()).isEqualTo(200);
            assertThat(Files.list(dataDir.resolve("spool")).filter(f -> f.toString().endsWith(".event"))).hasSize(1);
            // the provider's retry is a duplicate: the spooled event counts as seen
            assertThat(post(push.asString()).statusCode()).isEqualTo(200);
        } finally {
            broker.declareTopicExchange(exchange, unrouted);
            queue = broker.bindQueue(exchange, "#");
        }

        awaitEmptySpool(10_000);

        GetResponse message = broker.next(queue, Duration.ofSeconds(5));
        if (message == null) {
            // the drain published in the moment between the exchange's return and the queue's binding: the message
            // went to the alternate exchange's queue, which proves the publish as well
            message = parked("1:" + push.text("sequence"));
        }
        assertThat(message).isNotNull();
        assertThat(message.getProps().getMessageId()).isEqualTo("1:" + push.text("sequence"));
        assertThat(message.getProps().getHeaders().get("css_event_type")).isEqualTo(1);
        assertThat(message.getProps().getTimestamp()).isEqualTo(new Date(1703731478L * 1000));
        assertThat(json.readTree(message.getBody()).get("event").asText()).isEqualTo("push");
        assertThat(broker.drain(queue, Duration.ofMillis(300))).isEmpty();
    }

    @Test
    void whenNeitherBrokerNorSpoolTakeTheEventItIsA503AndTheRetryPublishes() throws Exception {
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY);
        publisherConnected();
        broker.deleteExchange(exchange);
        try (AutoCloseable restore = spoolMadeUnwritable()) {
            HttpResponse<String> failed = post(push.asString());
            assertThat(failed.statusCode()).isEqualTo(503);
            assertThat(failed.body()).isEqualTo("{\"code\":503,\"message\":\"event could not be handed on, retry later\"}");
        } finally {
            broker.declareTopicExchange(exchange, unrouted);
        }
        String queue = broker.bindQueue(exchange, "#");
        // the broker is marked down until the drain sees it take events again: the retry may be spooled first
        awaitEmptySpool(10_000);

        assertThat(post(push.asString()).statusCode()).isEqualTo(200);

        awaitEmptySpool(10_000);
        GetResponse message = broker.next(queue, Duration.ofSeconds(5));
        assertThat(message).isNotNull();
        assertThat(message.getProps().getMessageId()).isEqualTo("1:" + push.text("sequence"));
    }

    @Test
    void anEventNoQueueTakesGoesToTheAlternateExchangesQueue() throws Exception {
        String pushOnly = broker.bindQueue(exchange, "stream.push");
        TestCallbacks screenshot = TestCallbacks.sample("200-screenshot.doc-2021.json")
                .with("stream_id", "ae-" + run + "-" + TestCallbacks.uniqueSequence()).freshlySignedWith(KEY);

        assertThat(post(screenshot.asString()).statusCode()).isEqualTo(200);

        assertThat(broker.next(pushOnly, Duration.ofMillis(300))).isNull();
        // other tests' events that no queue took are parked there too: find this one
        GetResponse parked = null;
        for (GetResponse m : broker.drain(unrouted, Duration.ofMillis(500))) {
            if (json.readTree(m.getBody()).path("stream_id").asText().equals(screenshot.text("stream_id"))) {
                parked = m;
            }
        }
        assertThat(parked).isNotNull();
        assertThat(parked.getEnvelope().getRoutingKey()).isEqualTo("snapshot");
    }

    private GetResponse parked(String messageId) throws Exception {
        for (GetResponse m : broker.drain(unrouted, Duration.ofMillis(300))) {
            if (messageId.equals(m.getProps().getMessageId())) {
                return m;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- refusals

    @ParameterizedTest(name = "{0} -> 400 {1}")
    @CsvSource(delimiter = '|', value = {
        "not json                               | body is not valid JSON (line 1, column 5)",
        "[]                                     | body must be a JSON object",
        "'{\"t\":1,\"sign\":\"x\"}'              | field event_type is required",
        "'{\"event_type\":1,\"sign\":\"x\"}'     | field t is required",
        "'{\"event_type\":\"x\",\"t\":1,\"sign\":\"x\"}' | field event_type must be an integer",
        "'{\"event_type\":1,\"t\":true,\"sign\":\"x\"}'  | field t must be an integer",
        "'{\"event_type\":1,\"t\":1,\"sign\":{}}'        | field sign must be a string",
    })
    void malformedBodyIsRejectedWith400(String body, String message) throws Exception {
        HttpResponse<String> answer = post(body);
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json.readTree(answer.body())).isEqualTo(json.readTree(
                "{\"code\":400,\"message\":\"" + message + "\"}"));
    }

    @Test
    void emptyBodyIsRejectedWith400() throws Exception {
        HttpResponse<String> answer = post("");
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).isEqualTo("{\"code\":400,\"message\":\"body is empty\"}");
    }

    @Test
    void wrongSignatureIsRejectedWith401() throws Exception {
        String queue = broker.bindQueue(exchange, "#");
        HttpResponse<String> answer = post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .freshlySignedWith("not-the-key").asString());
        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.body()).isEqualTo("{\"code\":401,\"message\":\"invalid signature\"}");
        assertThat(broker.drain(queue, Duration.ofMillis(300))).isEmpty();
    }

    @Test
    void expiredSignatureIsRejectedWith401() throws Exception {
        long expired = Instant.now().getEpochSecond() - 31 - 5;
        HttpResponse<String> answer = post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .signedAt(expired).signedWith(KEY).asString());
        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.body()).isEqualTo("{\"code\":401,\"message\":\"signature expired\"}");
    }

    @Test
    void withinTheClockSkewIsAccepted() throws Exception {
        long justPast = Instant.now().getEpochSecond() - 20;
        assertThat(post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .signedAt(justPast).signedWith(KEY).asString()).statusCode()).isEqualTo(200);
    }

    @Test
    void otherMethodsAreRejectedWith405() throws Exception {
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(endpoint()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(endpoint())
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(put.statusCode()).isEqualTo(405);
    }

    @Test
    void bodyOverTheLimitIsRejectedWith413() throws Exception {
        String tooBig = "{\"event_type\":1,\"pad\":\"" + "x".repeat(65536) + "\"}";
        assertThat(post(tooBig).statusCode()).isEqualTo(413);
        // just under the limit, the body is read, and refused for what it says (no sign), not for its size
        String justUnder = "{\"event_type\":1,\"t\":1,\"pad\":\"" + "x".repeat(65000) + "\"}";
        assertThat(post(justUnder).statusCode()).isEqualTo(401);
    }

    @Test
    void contentTypeThatIsNotJsonIsRejectedWith415() throws Exception {
        String body = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY).asString();
        assertThat(post(body, "text/plain").statusCode()).isEqualTo(415);
        assertThat(post(body, "application/x-www-form-urlencoded").statusCode()).isEqualTo(415);
        assertThat(post(body, "application/json; charset=utf-8").statusCode()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- hostile input

    @Test
    void jsonBeyondTheParsersLimitsIsRejectedWith400NotA503() throws Exception {
        HttpResponse<String> deep = post("{\"x\":" + "[".repeat(1001) + "]".repeat(1001) + "}");
        HttpResponse<String> longNumber = post("{\"event_type\":1,\"t\":1,\"sign\":\"s\",\"x\":" + "9".repeat(1001) + "}");

        assertThat(deep.statusCode()).isEqualTo(400);
        assertThat(json.readTree(deep.body()).get("message").asText())
                .isEqualTo("body exceeds the JSON limits: Document nesting depth (101) exceeds the maximum allowed (100)");
        assertThat(longNumber.statusCode()).isEqualTo(400);
        assertThat(json.readTree(longNumber.body()).get("message").asText()).startsWith("body exceeds the JSON limits");
    }

    @Test
    void aBodyInAContentCodingIsRejectedWith415() throws Exception {
        String body = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY).asString();
        var gzipped = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(gzipped)) {
            gzip.write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        for (String coding : new String[] {"gzip", "deflate", "br"}) {
            HttpResponse<String> labelled = http.send(HttpRequest.newBuilder(endpoint())
                    .header("Content-Type", "application/json").header("Content-Encoding", coding)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(labelled.statusCode()).as(coding).isEqualTo(415);
            assertThat(labelled.body()).isEqualTo(
                    "{\"code\":415,\"message\":\"content encoding is not supported: send the body uncompressed\"}");
        }
        HttpResponse<String> compressed = http.send(HttpRequest.newBuilder(endpoint())
                .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzipped.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(compressed.statusCode()).isEqualTo(415);
        HttpResponse<String> identity = http.send(HttpRequest.newBuilder(endpoint())
                .header("Content-Type", "application/json").header("Content-Encoding", "identity")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(identity.statusCode()).isEqualTo(200);
    }

    @Test
    void tFarAheadIsRejectedWith401SayingWhy() throws Exception {
        long millis = System.currentTimeMillis();
        HttpResponse<String> answer = post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .signedAt(millis).signedWith(KEY).asString());
        HttpResponse<String> largest = post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .signedAt(Long.MAX_VALUE).signedWith(KEY).asString());

        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.body()).isEqualTo("{\"code\":401,\"message\":\"signature expiry t is more than 86400 s ahead\"}");
        assertThat(largest.statusCode()).isEqualTo(401);
        assertThat(largest.body()).contains("more than 86400 s ahead");
    }

    @Test
    void theSignCopiedIntoAnotherFieldNeverReachesTheMessage() throws Exception {
        String queue = broker.bindQueue(exchange, "#");
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY);
        String sign = push.text("sign");
        push.with("note", "sign was " + sign);

        assertThat(post(push.asString()).statusCode()).isEqualTo(200);

        GetResponse message = broker.next(queue, Duration.ofSeconds(5));
        String body = new String(message.getBody(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(body).doesNotContain(sign);
        assertThat(json.readTree(body).get("note").asText()).isEqualTo("sign was ***");
    }

    // ---------------------------------------------------------------- configuration

    @Test
    void httpWorkerThreadsAreOnePerCoreAndAtLeastTwoByDefault() {
        var server = context.getRegistry().lookupByNameAndType("intakeHttpServer", IntakeHttpServer.class);

        assertThat(server.workerThreads()).isEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
    }
}
