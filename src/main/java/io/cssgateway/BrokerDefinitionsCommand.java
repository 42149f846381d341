package io.cssgateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.classify.ClassifyBeans;
import io.cssgateway.config.GatewayBeans;
import io.cssgateway.publish.BrokerDefinitions;
import io.cssgateway.support.Settings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar css-callback-gateway.jar broker-definitions FILE}: writes the RabbitMQ definitions of the gateway's
 * topology for its configuration (application.properties, the profile's file, -D, the environment) to a file,
 * importable with {@code rabbitmqctl import_definitions} or the management UI, and prints the permissions its user
 * needs in each topology mode.
 */
@Command(name = "broker-definitions", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Writes the RabbitMQ definitions of the gateway's exchanges, queues and bindings, as its "
                + "configuration makes them, to FILE (rabbitmqctl import_definitions FILE), and prints the permissions "
                + "the gateway's user needs with gateway.rabbitmq.topology=verify and with declare.",
                "Configuration as the gateway's: application.properties, -Dkey=value, the environment."})
final class BrokerDefinitionsCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the definitions file to write (JSON)")
    Path file;

    private final PrintWriter out;

    BrokerDefinitionsCommand(PrintWriter out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        try (DefaultCamelContext camel = Settings.forCommandLine()) {
            Settings settings = new Settings(camel);
            BrokerDefinitions definitions = definitions(camel, settings);
            Files.writeString(file,
                    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(definitions.json()) + "\n");
            out.printf("RabbitMQ definitions written to %s: rabbitmqctl import_definitions %s%n", file, file);
            String vhost = settings.text("gateway.rabbitmq.virtual-host");
            String user = settings.text("gateway.rabbitmq.username");
            List<String> verify = definitions.verifyPermissions();
            List<String> declare = definitions.declarePermissions();
            out.printf("# gateway.rabbitmq.topology=verify: the gateway's user needs%n"
                    + "rabbitmqctl set_permissions -p '%s' '%s' '%s' '%s' '%s'%n", vhost, user, verify.get(0),
                    verify.get(1), verify.get(2));
            out.printf("# gateway.rabbitmq.topology=declare: the gateway's user needs%n"
                    + "rabbitmqctl set_permissions -p '%s' '%s' '%s' '%s' '%s'%n", vhost, user, declare.get(0),
                    declare.get(1), declare.get(2));
            return 0;
        }
    }

    /** The topology the gateway with these settings declares, or checks: the one it builds for itself. */
    static BrokerDefinitions definitions(CamelContext camel, Settings settings) throws Exception {
        return new BrokerDefinitions(settings.text("gateway.rabbitmq.virtual-host"),
                GatewayBeans.topology(settings, ClassifyBeans.eventTypes(camel, settings)));
    }
}
