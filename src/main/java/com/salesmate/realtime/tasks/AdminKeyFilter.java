package com.salesmate.realtime.tasks;

import com.salesmate.realtime.auth.ApiKeys;
import com.salesmate.realtime.auth.Caller;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The admin port's tasks change state for every tenant (disconnects, revocations, log levels, GC): each needs
 * {@code Authorization: Bearer <admin key>}. Without it, 401 and nothing runs. Probes and scrapers ({@code /ping},
 * {@code /healthcheck}, {@code /metrics}, {@code /prometheus}) are not behind this filter.
 */
public final class AdminKeyFilter implements Filter {
    public static final String PATH = "/tasks/*";
    private static final String PREFIX = "Bearer ";

    private final ApiKeys keys;

    public AdminKeyFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String header = ((HttpServletRequest) request).getHeader("Authorization");
        boolean admin = header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                && keys.lookup(header.substring(PREFIX.length()).trim()).map(Caller::isAdmin).orElse(false);
        if (admin) {
            chain.doFilter(request, response);
            return;
        }
        HttpServletResponse http = (HttpServletResponse) response;
        http.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        http.setHeader("WWW-Authenticate", "Bearer realm=\"admin tasks\"");
        http.setContentType("application/json");
        http.getOutputStream().write(("{\"code\":401,\"message\":\"admin tasks need Authorization: Bearer "
                + "<admin key>\"}").getBytes(StandardCharsets.UTF_8));
    }
}
