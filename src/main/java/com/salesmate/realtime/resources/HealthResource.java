package com.salesmate.realtime.resources;

import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import com.salesmate.realtime.auth.Caller;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /health}: the admin port's health checks, run now, read-only, for the admin key (the console's operations
 * view), so that ops need not reach the admin port from a browser. Tenant credentials are refused: the checks describe
 * infrastructure every tenant shares (database, Redis, queue depths), not a tenant's data. Answers 200 with
 * {@code healthy: false} when a check fails: the request succeeded, the service is what is unhealthy.
 */
@Path(ApiPaths.ROOT + "/health")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {
    private final HealthCheckRegistry checks;

    public HealthResource(HealthCheckRegistry checks) {
        this.checks = checks;
    }

    @GET
    public Map<String, Object> health(@Auth Caller caller) {
        caller.requireAdmin();
        List<Map<String, Object>> results = checks.runHealthChecks().entrySet().stream()
                .map(e -> describe(e.getKey(), e.getValue()))
                .toList();
        boolean healthy = results.stream().allMatch(r -> Boolean.TRUE.equals(r.get("healthy")));
        return Answers.ok("healthy", healthy, "checks", results);
    }

    private static Map<String, Object> describe(String name, HealthCheck.Result result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("healthy", result.isHealthy());
        m.put("message", message(result));
        return m;
    }

    /** A check that threw says what failed, not the exception's text (it may carry driver details). */
    private static String message(HealthCheck.Result result) {
        if (result.getMessage() != null || result.getError() == null) {
            return result.getMessage();
        }
        return "check failed: " + result.getError().getClass().getSimpleName();
    }
}
