package com.salesmate.realtime.tasks;

import com.salesmate.realtime.core.Ids;
import com.salesmate.realtime.realtime.Connection;
import com.salesmate.realtime.realtime.ConnectionRegistry;
import io.dropwizard.servlets.tasks.Task;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * Admin task: disconnect every socket of a salesman ({@code ?salesmanId=}) or of a tenant ({@code ?tenantId=}),
 * e.g. after revoking a device or a tenant. Clients reconnect and must authenticate again.
 */
public class DisconnectTask extends Task {
    private final ConnectionRegistry registry;

    public DisconnectTask(ConnectionRegistry registry) {
        super("disconnect");
        this.registry = registry;
    }

    @Override
    public void execute(Map<String, List<String>> parameters, PrintWriter output) {
        String salesmanId = single(parameters, "salesmanId");
        String tenantId = single(parameters, "tenantId");
        if ((salesmanId == null) == (tenantId == null)) {
            output.println("give exactly one of salesmanId or tenantId");
            return;
        }
        String id = salesmanId != null ? salesmanId : tenantId;
        if (!Ids.isValid(id)) {
            output.println("ids must match " + Ids.REGEX);
            return;
        }
        List<Connection> targets = salesmanId != null ? registry.ofSalesman(salesmanId) : registry.ofTenant(tenantId);
        targets.forEach(c -> c.client().disconnect());
        output.printf("disconnected %d sockets of %s %s%n", targets.size(), salesmanId != null ? "salesman" : "tenant", id);
    }

    private static String single(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
