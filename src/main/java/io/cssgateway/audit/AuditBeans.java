package io.cssgateway.audit;

import io.cssgateway.support.ClosedWithCamel;
import io.cssgateway.support.Settings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.apache.camel.CamelContext;

/** The audit log of routes/audit.camel.yaml ({@code auditLog}), in the files of {@code gateway.audit.*}. */
public final class AuditBeans {

    private AuditBeans() {}

    /** @param secrets the callback keys: masked wherever they would appear in a line */
    public static AuditLog bind(CamelContext camelContext, Settings settings, List<String> secrets) throws Exception {
        AuditFiles files = new AuditFiles(Path.of(settings.text("gateway.audit.dir")),
                settings.integer("gateway.audit.max-file-bytes"),
                (int) settings.integer("gateway.audit.retention-days"), Clock.systemUTC());
        AuditLog auditLog = new AuditLog(files, secrets, (int) settings.integer("gateway.audit.raw-body-max-chars"),
                settings.instance());
        camelContext.getRegistry().bind("auditLog", auditLog);
        ClosedWithCamel.register(camelContext, "the audit file", files::close);
        return auditLog;
    }
}
