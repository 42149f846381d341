package io.cssgateway.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.publish.BrokerDefinitions;
import io.cssgateway.publish.BrokerTopology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Writes the RabbitMQ definitions of the gateway's topology for its configuration (application.properties, the
 * profile's file, -D, the environment) to a file, importable with {@code rabbitmqctl import_definitions} or the
 * management UI, and prints the permissions its user needs in each topology mode:
 * {@code java -cp target/css-callback-gateway.jar io.cssgateway.config.BrokerDefinitionsCommand definitions.json}.
 */
public final class BrokerDefinitionsCommand {

    private BrokerDefinitionsCommand() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -cp css-callback-gateway.jar " + BrokerDefinitionsCommand.class.getName()
                    + " <definitions.json to write>");
            System.exit(2);
        }
        try (DefaultCamelContext camel = Settings.commandContext()) {
            Settings settings = new Settings(camel);
            BrokerDefinitions definitions = definitions(camel, settings);
            Files.writeString(Path.of(args[0]),
                    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(definitions.json()) + "\n");
            System.out.printf("RabbitMQ definitions written to %s: rabbitmqctl import_definitions %s%n", args[0], args[0]);
            String vhost = settings.text("gateway.rabbitmq.virtual-host");
            String user = settings.text("gateway.rabbitmq.username");
            List<String> verify = definitions.verifyPermissions();
            List<String> declare = definitions.declarePermissions();
            System.out.printf("# gateway.rabbitmq.topology=verify: the gateway's user needs%n"
                    + "rabbitmqctl set_permissions -p '%s' '%s' '%s' '%s' '%s'%n", vhost, user, verify.get(0),
                    verify.get(1), verify.get(2));
            System.out.printf("# gateway.rabbitmq.topology=declare: the gateway's user needs%n"
                    + "rabbitmqctl set_permissions -p '%s' '%s' '%s' '%s' '%s'%n", vhost, user, declare.get(0),
                    declare.get(1), declare.get(2));
        }
    }

    /** The topology the gateway with these settings declares, or checks. */
    static BrokerDefinitions definitions(DefaultCamelContext camel, Settings settings) throws Exception {
        List<BrokerTopology.BoundQueue> queues = new ArrayList<>();
        if (settings.bool("gateway.alert.enabled")) {
            queues.add(GatewayBeans.alertQueue(settings,
                    GatewayBeans.eventTypes(camel, settings.text("gateway.classify.event-types")),
                    settings.list("gateway.alert.categories")));
        }
        return new BrokerDefinitions(settings.text("gateway.rabbitmq.virtual-host"),
                settings.text("gateway.rabbitmq.exchange"), settings.text("gateway.rabbitmq.alternate-exchange"),
                settings.text("gateway.rabbitmq.unrouted-queue"), GatewayBeans.queueArguments(settings),
                settings.bool("gateway.rabbitmq.declare-alternate-exchange"), queues);
    }
}
