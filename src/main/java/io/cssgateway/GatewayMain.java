package io.cssgateway;

import io.cssgateway.dev.SampleSender;
import io.cssgateway.replay.ReplayCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.camel.main.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The jar's one command line, {@code java -jar css-callback-gateway.jar [COMMAND]}: without a command (or with
 * {@code run}) it runs the gateway, Camel Main with {@code ./application.properties} (overridable per key with
 * {@code -Dkey=value} or the environment), overridden by {@code ./application-<profile>.properties} when present
 * ({@code -Dcamel.main.profile=dev} or {@code CAMEL_MAIN_PROFILE=dev}; prod when unset), and the routes under
 * {@code ./routes/}; {@code replay}, {@code broker-definitions} and {@code send-samples} are the operator's tools;
 * {@code --help} lists them, {@code COMMAND --help} describes one. A wrong command line is one line on standard error
 * and exit 2.
 */
@Command(name = "css-callback-gateway", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        versionProvider = GatewayMain.Version.class,
        description = {"Tencent Cloud CSS callbacks verified, classified and published to RabbitMQ. Without a "
                + "command, runs the gateway (as 'run'). Configuration: ./application.properties, "
                + "./application-<profile>.properties, -Dkey=value, the environment (docs/configuration.md)."})
public final class GatewayMain implements Callable<Integer> {

    private static final String LOG_FORMAT = "gateway.log.format";
    private static final String LOG_LEVEL = "gateway.log.level";

    private boolean ranGateway;

    /** Runs the gateway, as {@code java -jar} without a command does. */
    @Command(name = "run", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"Runs the gateway until it is stopped (SIGTERM): the intake on camel.server.port, health "
                    + "and metrics on camel.management.port, RabbitMQ at gateway.rabbitmq.addresses. "
                    + "-Dcamel.main.profile=dev starts an embedded broker and mailbox beside it."})
    static final class RunCommand implements Callable<Integer> {
        private final GatewayMain main;

        RunCommand(GatewayMain main) {
            this.main = main;
        }

        @Override
        public Integer call() {
            return main.call();
        }
    }

    /** The version the jar's manifest gives. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = GatewayMain.class.getPackage().getImplementationVersion();
            return new String[] {"CSS Callback Gateway " + (version == null ? "(version unknown)" : version)};
        }
    }

    public static void main(String[] args) {
        String profile = System.getProperty("camel.main.profile",
                System.getenv().getOrDefault("CAMEL_MAIN_PROFILE", "prod"));
        try {
            // before the first log line: log4j2.properties picks its layout by this system property
            System.setProperty(LOG_FORMAT, logFormat(profile));
        } catch (IOException | IllegalArgumentException wrong) {
            System.err.println("The gateway could not start: " + wrong);
            System.exit(1);
        }
        GatewayMain gateway = new GatewayMain();
        int exit = commandLine(gateway, new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                Clock.systemUTC()).execute(args);
        // after the gateway ran, the JVM ends with Camel's last thread: an exit here could race its shutdown hook
        if (exit != 0 || !gateway.ranGateway) {
            System.exit(exit);
        }
    }

    /** The command line with its subcommands, writing to {@code out} and {@code err}. */
    static CommandLine commandLine(GatewayMain gateway, PrintWriter out, PrintWriter err, Clock clock) {
        CommandLine line = new CommandLine(gateway)
                .addSubcommand(new RunCommand(gateway))
                .addSubcommand(new ReplayCommand(out, clock))
                .addSubcommand(new BrokerDefinitionsCommand(out))
                .addSubcommand(new SampleSender())
                .setOut(out).setErr(err);
        // a wrong option or value: one line naming the command, and exit 2, not the whole usage
        line.setParameterExceptionHandler((wrong, arguments) -> {
            CommandLine at = wrong.getCommandLine();
            String name = at.getCommandName();
            err.println(name + ": " + wrong.getMessage() + " (" + name + " --help lists the "
                    + (at.getSubcommands().isEmpty() ? "options" : "commands") + ")");
            return 2;
        });
        line.setExecutionExceptionHandler((failure, command, parsed) -> {
            err.println(command.getCommandName() + ": " + failure.getMessage());
            return 1;
        });
        line.setExecutionStrategy(parsed -> {
            // a tool's output is its own lines: the log at WARN unless -Dgateway.log.level says otherwise
            Object chosen = last(parsed).commandSpec().userObject();
            if (!(chosen instanceof GatewayMain) && !(chosen instanceof RunCommand)
                    && System.getProperty(LOG_LEVEL) == null) {
                System.setProperty(LOG_LEVEL, "WARN");
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return line;
    }

    private static CommandLine.ParseResult last(CommandLine.ParseResult parsed) {
        return parsed.hasSubcommand() ? last(parsed.subcommand()) : parsed;
    }

    /** Runs the gateway until Camel stops; a gateway that cannot start ends the process with exit 1. */
    @Override
    public Integer call() {
        ranGateway = true;
        String profile = System.getProperty("camel.main.profile",
                System.getenv().getOrDefault("CAMEL_MAIN_PROFILE", "prod"));
        try {
            Main main = new Main();
            // the first location that has a key gives its value: the profile's file comes first
            main.setPropertyPlaceholderLocations(
                    "file:application-" + profile + ".properties;optional=true,file:application.properties");
            main.run();
            return 0;
        } catch (Throwable e) {
            // a gateway that could not start must not linger with half its threads (HTTP, dev broker) running
            System.err.println("The gateway could not start: " + e);
            System.exit(1);
            return 1;
        }
    }

    /**
     * gateway.log.format as Camel would resolve it, read before Camel (and the log) starts: -D, the environment
     * (GATEWAY_LOG_FORMAT), the profile's properties file, application.properties; text when none sets it.
     */
    static String logFormat(String profile) throws IOException {
        String format = System.getProperty(LOG_FORMAT, System.getenv("GATEWAY_LOG_FORMAT"));
        for (String file : List.of("application-" + profile + ".properties", "application.properties")) {
            Path path = Path.of(file);
            if (format == null && Files.isRegularFile(path)) {
                Properties properties = new Properties();
                try (Reader in = Files.newBufferedReader(path)) {
                    properties.load(in);
                }
                format = properties.getProperty(LOG_FORMAT);
            }
        }
        format = format == null ? "text" : format.trim();
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException(LOG_FORMAT + " must be text or json, got '" + format + "'");
        }
        return format;
    }
}
