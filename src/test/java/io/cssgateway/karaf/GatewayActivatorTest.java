package io.cssgateway.karaf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the Karaf bundle runs the gateway with: ConfigAdmin's keys, Karaf's defaults, the feature's configuration. */
class GatewayActivatorTest {

    @Test
    void theGatewaysKeysOfAConfigurationAreTakenAsTextWithoutTheContainersOwn() {
        Hashtable<String, Object> configuration = new Hashtable<>();
        configuration.put("service.pid", GatewayActivator.PID);
        configuration.put("felix.fileinstall.filename", "file:/opt/karaf/etc/io.cssgateway.cfg");
        configuration.put("camel.server.port", 8081);
        configuration.put("gateway.rabbitmq.exchange", "css.events.site");

        Properties settings = GatewayActivator.settings(configuration);

        assertThat(settings).containsOnlyKeys("camel.server.port", "gateway.rabbitmq.exchange");
        assertThat(settings.getProperty("camel.server.port")).isEqualTo("8081");
    }

    @Test
    void noConfigurationYetIsNoKey() {
        assertThat(GatewayActivator.settings(null)).isEmpty();
    }

    @Test
    void karafsDefaultsAndTheFeaturesConfigurationUseTheKeysOfApplicationProperties() throws IOException {
        Properties application = load(Files.readString(Path.of("application.properties")));
        Properties karaf = load(Files.readString(Path.of("src/main/karaf/karaf.properties")));
        Matcher config = Pattern.compile("<config name=\"" + Pattern.quote(GatewayActivator.PID)
                + "\">(.*?)</config>", Pattern.DOTALL).matcher(Files.readString(Path.of("src/main/karaf/features.xml")));
        assertThat(config.find()).as("the feature's configuration").isTrue();
        Properties feature = load(config.group(1));

        assertThat(application.stringPropertyNames()).containsAll(karaf.stringPropertyNames())
                .containsAll(feature.stringPropertyNames());
        // every folder the gateway writes is under Karaf's data folder, the routes under its etc folder
        assertThat(karaf.getProperty("camel.main.routes-include-pattern")).startsWith("file:{{sys:karaf.etc}}/");
        application.stringPropertyNames().stream().filter(k -> k.endsWith("dir") || k.endsWith(".file"))
                .forEach(key -> assertThat(karaf.getProperty(key)).as(key).startsWith("{{sys:karaf.data}}/"));
    }

    private static Properties load(String text) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return properties;
    }
}
