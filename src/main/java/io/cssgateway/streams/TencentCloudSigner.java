package io.cssgateway.streams;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a TencentCloud API 3.0 request with TC3-HMAC-SHA256, as the provider documents it ("Signature v3"): a POST
 * of a JSON body, the headers content-type, host and x-tc-action signed. Written here because the provider's Java SDK
 * does not resolve from the Maven registry this project builds from; the test's stand-in checks it as documented.
 */
final class TencentCloudSigner {

    static final String ALGORITHM = "TC3-HMAC-SHA256";
    static final String CONTENT_TYPE = "application/json; charset=utf-8";
    static final String SIGNED_HEADERS = "content-type;host;x-tc-action";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final String secretId;
    private final String secretKey;

    TencentCloudSigner(String secretId, String secretKey) {
        this.secretId = secretId;
        this.secretKey = secretKey;
    }

    /** The Authorization header of a POST of {@code body} to {@code host} for {@code action} of {@code service}. */
    String authorization(String service, String host, String action, String body, Instant timestamp) {
        String day = DAY.format(timestamp);
        String scope = day + "/" + service + "/tc3_request";
        String canonicalRequest = "POST\n/\n\n" + "content-type:" + CONTENT_TYPE + "\n" + "host:" + host + "\n"
                + "x-tc-action:" + action.toLowerCase(java.util.Locale.ROOT) + "\n\n" + SIGNED_HEADERS + "\n"
                + sha256Hex(body);
        String stringToSign = ALGORITHM + "\n" + timestamp.getEpochSecond() + "\n" + scope + "\n"
                + sha256Hex(canonicalRequest);
        byte[] secretDate = hmac(("TC3" + secretKey).getBytes(StandardCharsets.UTF_8), day);
        byte[] secretService = hmac(secretDate, service);
        byte[] secretSigning = hmac(secretService, "tc3_request");
        String signature = HexFormat.of().formatHex(hmac(secretSigning, stringToSign));
        return ALGORITHM + " Credential=" + secretId + "/" + scope + ", SignedHeaders=" + SIGNED_HEADERS
                + ", Signature=" + signature;
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] hmac(byte[] key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
