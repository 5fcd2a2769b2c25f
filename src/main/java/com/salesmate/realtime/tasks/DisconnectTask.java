package com.salesmate.realtime.tasks;

import com.salesmate.realtime.auth.Revocations;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.Ids;
import com.salesmate.realtime.hub.Directory;
import io.dropwizard.servlets.tasks.Task;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Admin task: disconnect every socket of a salesman ({@code ?salesmanId=}) or of a tenant ({@code ?tenantId=}),
 * on every node of a cluster, e.g. after revoking a device or a tenant. Clients reconnect and must authenticate again; with
 * {@code &revokeFor=1h} (a Dropwizard duration) their still-valid tokens are refused for that long, REST
 * credentials of a revoked tenant too.
 */
public class DisconnectTask extends Task {
    private final Directory directory;
    private final Revocations revocations;

    public DisconnectTask(Directory directory, Revocations revocations) {
        super("disconnect");
        this.directory = directory;
        this.revocations = revocations;
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
        Duration revokeFor;
        try {
            String given = single(parameters, "revokeFor");
            revokeFor = given == null ? null : io.dropwizard.util.Duration.parse(given).toJavaDuration();
        } catch (IllegalArgumentException e) {
            output.println("revokeFor must be a duration such as 30m, 12h or 7d");
            return;
        }
        String what = salesmanId != null ? "salesman" : "tenant";
        if (revokeFor != null) { // before disconnecting, so that an immediate reconnect is already refused
            Instant until;
            try {
                until = salesmanId != null ? revocations.revokeSalesman(id, revokeFor)
                        : revocations.revokeTenant(id, revokeFor);
            } catch (Revocations.NotShared e) {
                // said plainly, and as a failure (HTTP 500): this node refuses them, the others were not told
                output.printf("FAILED: the revocation of %s %s was not stored in Redis (%s): only this node refuses "
                        + "its tokens; nothing was disconnected. Run the task again once Redis takes writes.%n",
                        what, id, e.getMessage());
                throw new IllegalStateException("revocation of " + what + " " + id + " not shared with the cluster", e);
            }
            output.printf("tokens of %s %s refused until %s%n", what, id, until);
        }
        try {
            int closed = directory.disconnect(tenantId, salesmanId);
            output.printf("disconnected %d sockets of %s %s%n", closed, what, id);
        } catch (ApiException e) { // a cluster whose Redis is unreachable: this node's sockets are closed
            output.println("FAILED: " + e.getMessage());
            // a failure (HTTP 500), not a done: the other nodes' sockets are still open
            throw new IllegalStateException("disconnect of " + what + " " + id + " not told to the other nodes", e);
        }
    }

    private static String single(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
