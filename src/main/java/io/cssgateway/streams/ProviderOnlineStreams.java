package io.cssgateway.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * The provider's list of the streams online now: DescribeLiveStreamOnlineList (TencentCloud API 3.0, live,
 * 2018-08-01), every page of it, signed with the account's SecretId and SecretKey (TC3-HMAC-SHA256). A throttled
 * call ({@code RequestLimitExceeded}) is tried again after a growing pause; any other error, or an answer that does not
 * read, is a {@link ProviderApiException}: no list, and so no state is corrected from it.
 */
final class ProviderOnlineStreams {

    static final String ACTION = "DescribeLiveStreamOnlineList";
    static final String VERSION = "2018-08-01";
    static final String SERVICE = "live";
    private static final int THROTTLED_TRIES = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The provider could not give its list: why, in a sentence. */
    static final class ProviderApiException extends Exception {
        ProviderApiException(String message, Throwable cause) {
            super(message, cause);
        }

        ProviderApiException(String message) {
            super(message);
        }
    }

    private final URI endpoint;
    private final TencentCloudSigner signer;
    private final String region;
    private final int pageSize;
    private final Duration throttledPause;
    private final Clock clock;
    private final HttpClient http;

    /**
     * @param endpoint {@code https://live.tencentcloudapi.com} (or the international one, or a stand-in)
     * @param region the X-TC-Region header, or empty (this API needs none)
     * @param throttledPause the first pause after {@code RequestLimitExceeded}, doubling
     */
    ProviderOnlineStreams(URI endpoint, TencentCloudSigner signer, String region, int pageSize, Duration timeout,
            Duration throttledPause, Clock clock) {
        this.endpoint = endpoint;
        this.signer = signer;
        this.region = region;
        this.pageSize = pageSize;
        this.throttledPause = throttledPause;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** Every stream the provider lists online now, page by page. */
    Set<StreamKey> online() throws ProviderApiException, InterruptedException {
        Set<StreamKey> online = new HashSet<>();
        int page = 1;
        int pages;
        do {
            JsonNode answer = call(page);
            for (JsonNode info : answer.path("OnlineInfo")) {
                online.add(new StreamKey(info.path("DomainName").asText(""), info.path("AppName").asText(""),
                        info.path("StreamName").asText("")));
            }
            pages = answer.path("TotalPage").asInt(1);
            page++;
        } while (page <= pages);
        return online;
    }

    /** One page's {@code Response}, tried again while the provider throttles. */
    private JsonNode call(int page) throws ProviderApiException, InterruptedException {
        ObjectNode request = JSON.createObjectNode().put("PageNum", page).put("PageSize", pageSize);
        String body = request.toString();
        Duration pause = throttledPause;
        for (int attempt = 1; ; attempt++) {
            JsonNode response = post(body);
            JsonNode error = response.path("Error");
            if (error.isMissingNode()) {
                return response;
            }
            String code = error.path("Code").asText();
            if (!code.equals("RequestLimitExceeded") || attempt == THROTTLED_TRIES) {
                throw new ProviderApiException(ACTION + " answered " + code + ": " + error.path("Message").asText()
                        + " (RequestId " + response.path("RequestId").asText() + ")");
            }
            Thread.sleep(pause.toMillis());
            pause = pause.multipliedBy(2);
        }
    }

    private JsonNode post(String body) throws ProviderApiException, InterruptedException {
        String host = endpoint.getHost() + (endpoint.getPort() > 0 ? ":" + endpoint.getPort() : "");
        Instant now = clock.instant();
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.resolve("/")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", TencentCloudSigner.CONTENT_TYPE)
                .header("X-TC-Action", ACTION).header("X-TC-Version", VERSION)
                .header("X-TC-Timestamp", Long.toString(now.getEpochSecond()))
                .header("Authorization", signer.authorization(SERVICE, host, ACTION, body, now))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!region.isEmpty()) {
            request.header("X-TC-Region", region);
        }
        HttpResponse<String> answer;
        try {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ProviderApiException(ACTION + " at " + endpoint + " could not be reached: " + e, e);
        }
        if (answer.statusCode() != 200) {
            throw new ProviderApiException(ACTION + " at " + endpoint + " answered HTTP " + answer.statusCode());
        }
        try {
            JsonNode response = JSON.readTree(answer.body()).path("Response");
            if (!response.isObject()) {
                throw new ProviderApiException(ACTION + " answered without a Response object");
            }
            return response;
        } catch (IOException e) {
            throw new ProviderApiException(ACTION + " answered what is not JSON: " + e.getMessage(), e);
        }
    }
}
