package com.salesmate.realtime.console;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * In front of everything under {@code /console}: {@code /console} is redirected to {@code /console/} (the page's
 * relative URLs need the slash), and every answer gets security headers: scripts only from the jar (an injected
 * inline script would not run), no framing, no referrer. Images and connections stay open to any http(s)/ws(s)
 * origin because the tile server and the Socket.IO address are configuration, not known here.
 */
public class ConsoleFilter implements Filter {
    public static final String PATH = "/console";
    static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data: http: https:; connect-src 'self' http: https: ws: wss:; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse http = (HttpServletResponse) response;
        if (PATH.equals(req.getRequestURI())) {
            http.setHeader("Location", PATH + "/");
            http.setStatus(HttpServletResponse.SC_MOVED_PERMANENTLY);
            return;
        }
        http.setHeader("Content-Security-Policy", POLICY);
        http.setHeader("X-Content-Type-Options", "nosniff");
        http.setHeader("Referrer-Policy", "no-referrer");
        chain.doFilter(request, response);
    }
}
