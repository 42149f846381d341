package io.cssgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.TestCallbacks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless browser (Debian's chromium, driven through chromium-driver by Selenium), against
 * the packaged gateway with real traffic on the real RabbitMQ: it loads, lists a posted event and the stream online,
 * finds the event by its stream, shows its body, replays it after a confirmation and the API token; a callback whose
 * fields hold script is shown as text and never runs. Screenshots (laptop and phone) in target/console/.
 */
class ConsoleIT {

    private static final String KEY = "console-key-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TITLE = "CSS Callback Gateway";
    /** What a hostile client could put in a callback's fields: each must be shown as text. */
    private static final String HOSTILE_STREAM = "<script>document.title='pwned'</script>\"><img src=x "
            + "onerror=\"document.title='pwned';alert(1)\">";

    @TempDir
    Path dir;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String exchange = "css.events.console-" + run;
    private final String token = "console-token-" + run;
    private BrokerProbe broker;
    private GatewayProcess gateway;
    private ChromeDriver browser;
    private int port;

    @BeforeEach
    void start() throws Exception {
        broker = new BrokerProbe();
        port = GatewayProcess.freePort();
        gateway = GatewayProcess.start(dir, Map.of("CSS_CALLBACK_KEYS", KEY, "GATEWAY_API_TOKEN", token),
                "-Dcamel.server.port=" + port, "-Dgateway.instance=console-gw",
                "-Dgateway.spool.dir=" + dir.resolve("spool"), "-Dgateway.rabbitmq.exchange=" + exchange,
                "-Dgateway.streams.enabled=true", "-Dgateway.audit.index.interval-ms=200").awaitStarted();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("test.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1366,900");
        browser = new ChromeDriver(new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(System.getProperty("test.chromedriver", "/usr/bin/chromedriver")).toFile())
                .build(), options);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (gateway != null) {
            gateway.close();
        }
        broker.deleteGatewayTopology(exchange);
        broker.deleteQueues();
        broker.close();
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    /** The event table's rows, as their text. */
    private String eventsText() {
        return browser.findElement(By.id("events")).getText();
    }

    @Test
    void anOperatorFindsAnEventSeesItsBodyAndReplaysItAndScriptInAFieldStaysText() throws Exception {
        String pushes = broker.bindQueue(exchange, "stream.push");
        String stream = "console-" + run;
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().with("stream_id", stream)
                .with("event_time", System.currentTimeMillis() / 1000).freshlySignedWith(KEY);
        String eventId = "1:" + push.text("sequence");
        assertThat(gateway.post(port, push.asString()).statusCode()).isEqualTo(200);
        TestCallbacks hostile = TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .with("stream_id", HOSTILE_STREAM).with("errmsg", "javascript:alert(2)")
                .with("event_time", System.currentTimeMillis() / 1000)
                .with("note", "<img src=x onerror=alert(3)><svg onload=alert(4)>").freshlySignedWith(KEY);
        assertThat(gateway.post(port, hostile.asString()).statusCode()).isEqualTo(200);
        assertThat(gateway.post(port, TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .with("stream_id", HOSTILE_STREAM).signedWith("not-the-key").asString()).statusCode()).isEqualTo(401);
        assertThat(broker.drain(pushes, Duration.ofSeconds(2))).hasSize(2);

        // it loads and lists the events, the streams online, the refusals, RabbitMQ's state
        browser.get("http://127.0.0.1:" + gateway.managementPort() + "/console");
        assertThat(browser.getTitle()).isEqualTo(TITLE);
        waiting().until(d -> eventsText().contains(stream) && eventsText().contains("<script>"));
        waiting().until(d -> d.findElement(By.id("streams")).getText().contains(stream));
        waiting().until(d -> d.findElement(By.id("refusals-total")).getText().equals("1"));
        assertThat(browser.findElement(By.id("refusals-by-reason")).getText()).contains("bad-signature");
        waiting().until(d -> d.findElement(By.id("instances")).getText().contains("console-gw - RabbitMQ up"));
        screenshot("console-laptop.png");

        // found by its stream: only its line is left
        WebElement search = browser.findElement(By.id("search-stream"));
        search.sendKeys(stream);
        browser.findElement(By.id("search")).click();
        waiting().until(d -> !eventsText().contains("<script>") && eventsText().contains(stream));
        assertThat(browser.findElements(By.cssSelector("#events tr"))).hasSize(1);

        // its lines and its body
        browser.findElement(By.xpath("//tbody[@id='events']//button[text()='" + eventId + "']")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("event-body")));
        assertThat(browser.findElement(By.id("event-id")).getText()).isEqualTo(eventId);
        assertThat(browser.findElement(By.id("event-body")).getText()).contains("\"stream_id\": \"" + stream + "\"")
                .doesNotContain("\"sign\"");
        assertThat(browser.findElement(By.id("event-lines")).getText()).contains("accepted");

        // replay: a confirmation first (cancel: nothing published), then the token, asked once for this tab
        browser.findElement(By.id("replay")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-dialog")));
        assertThat(browser.findElement(By.id("confirm-text")).getText()).contains(eventId);
        browser.findElement(By.id("confirm-cancel")).click();
        assertThat(broker.drain(pushes, Duration.ofMillis(700))).isEmpty();
        browser.findElement(By.id("replay")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-ok"))).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input"))).sendKeys(token);
        browser.findElement(By.id("token-ok")).click();
        waiting().until(d -> d.findElement(By.id("replay-result")).getText().startsWith("Replayed to stream.push"));
        GetResponse replayed = broker.next(pushes, Duration.ofSeconds(10));
        assertThat(replayed.getProps().getMessageId()).isEqualTo(eventId);
        assertThat(replayed.getProps().getHeaders()).containsEntry("css_replayed", true);
        assertThat(browser.findElement(By.id("token-state")).getText()).isEqualTo("API token set for this tab");
        // the second replay needs no token asked: the tab keeps it
        browser.findElement(By.id("replay")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-ok"))).click();
        assertThat(broker.next(pushes, Duration.ofSeconds(10)).getProps().getMessageId()).isEqualTo(eventId);

        // the hostile callback: its stream and its body shown as the text they are; nothing ran
        search.clear();
        search.sendKeys(HOSTILE_STREAM);
        browser.findElement(By.id("search")).click();
        waiting().until(d -> !eventsText().contains(stream) && eventsText().contains(HOSTILE_STREAM));
        browser.findElement(By.xpath("//tbody[@id='events']//tr[td[contains(@class, 'verdict-accepted')]]//button"))
                .click();
        waiting().until(d -> d.findElement(By.id("event-body")).getText().contains("javascript:alert(2)"));
        assertThat(browser.findElement(By.id("event-body")).getText()).contains("<img src=x onerror=alert(3)>")
                .contains("<svg onload=alert(4)>");
        assertThat(browser.findElements(By.cssSelector("img, svg, script:not([src])"))).isEmpty();
        assertThat(browser.findElements(By.tagName("a"))).isEmpty();
        assertThat(browser.getTitle()).isEqualTo(TITLE);
        assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);

        // a phone's width: the same page, readable
        browser.manage().window().setSize(new Dimension(390, 844));
        assertThat(browser.findElement(By.id("search")).isDisplayed()).isTrue();
        Long overflow = (Long) browser.executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(overflow).as("the page does not scroll sideways on a phone (its tables do)").isLessThanOrEqualTo(0L);
        screenshot("console-phone.png");
        assertThat(JSON.readTree(replayed.getBody()).path("stream_id").asText()).isEqualTo(stream);
    }

    private void screenshot(String name) throws Exception {
        Path folder = Files.createDirectories(Path.of("target", "console"));
        Files.write(folder.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
