package io.cssgateway.api;

import io.cssgateway.audit.AuditBeans;
import io.cssgateway.audit.AuditIndex;
import io.cssgateway.audit.AuditIndexer;
import io.cssgateway.event.EventMessage;
import io.cssgateway.publish.BrokerState;
import io.cssgateway.publish.ConfirmedPublisher;
import io.cssgateway.replay.ReplayedEvents;
import io.cssgateway.spool.Spool;
import io.cssgateway.streams.StreamStore;
import io.cssgateway.support.Settings;
import java.time.Clock;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * {@code /api} and {@code /console} on the management port ({@code camel.management.port}; in Karaf, its
 * configuration's): the events (from the audit index, which this binds with its indexer), the streams, the spool and
 * the unrouted queue, and the console page that shows them. Mounted once Camel has started its management server.
 */
public final class ApiBeans {

    private static final Logger LOG = LoggerFactory.getLogger(ApiBeans.class);

    private ApiBeans() {}

    /** Binds the audit index and mounts the API and the console; returns the indexer (null when the index is off). */
    public static AuditIndexer bind(CamelContext camelContext, Settings settings) throws Exception {
        Registry registry = camelContext.getRegistry();
        Spool spool = registry.lookupByNameAndType("spool", Spool.class);
        BrokerState brokerState = registry.lookupByNameAndType("brokerState", BrokerState.class);
        AuditIndexer indexer = AuditBeans.bindIndex(camelContext, settings,
                () -> OperationsApi.status(spool, brokerState));
        AuditIndex index = indexer == null ? null : indexer.index();
        ApiAccess access = new ApiAccess(settings.optional("gateway.api.token"),
                settings.bool("gateway.api.read-token-required"));
        Duration confirmTimeout = Duration.ofMillis(settings.positive("gateway.rabbitmq.confirm-timeout-ms"));
        EventsApi events = new EventsApi(index, access,
                new ReplayedEvents(registry.lookupByNameAndType("eventMessage", EventMessage.class)),
                registry.lookupByNameAndType("confirmedPublisher", ConfirmedPublisher.class), confirmTimeout,
                Clock.systemUTC());
        OperationsApi operations = new OperationsApi(index, access, settings.instance(), spool, brokerState,
                registry.lookupByNameAndType("rabbitConnectionFactory", CachingConnectionFactory.class),
                settings.text("gateway.rabbitmq.exchange"), settings.text("gateway.rabbitmq.unrouted-queue"),
                confirmTimeout, Clock.systemUTC());
        StreamStore streamStore = registry.lookupByNameAndType("streamStore", StreamStore.class);
        StreamsApi streams = streamStore == null ? null : new StreamsApi(streamStore, access);
        Console console = new Console();
        camelContext.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                // the management server is started with the context: its router takes the API once it is
                ManagementHttpServer management = context.hasService(ManagementHttpServer.class);
                if (management == null || management.getRouter() == null) {
                    LOG.warn("No management server (camel.management.enabled=false): /api and /console are not "
                            + "served");
                    return;
                }
                events.mount(management.getRouter());
                operations.mount(management.getRouter());
                if (streams != null) {
                    streams.mount(management.getRouter());
                }
                console.mount(management.getRouter());
            }
        });
        return indexer;
    }
}
