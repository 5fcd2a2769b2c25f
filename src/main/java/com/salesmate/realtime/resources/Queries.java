package com.salesmate.realtime.resources;

import com.salesmate.realtime.auth.Caller;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.Ids;

import java.time.Clock;

/** Query parameters read the same way by every resource: the tenant, a page size, a time window. */
final class Queries {
    static final long DEFAULT_WINDOW_MS = 24 * 60 * 60 * 1000L;

    /** {@code from}/{@code to} epoch ms (default: the last 24 h) and a limit. */
    record Window(long from, long to, int limit) {
    }

    private Queries() {
    }

    /** The tenant a request addresses: {@code ?tenantId=} (required with the admin key) or the credential's own. */
    static String tenant(Caller caller, String tenantParam) {
        if (tenantParam != null) {
            Ids.require("tenantId", tenantParam);
        }
        return caller.resolveTenant(tenantParam);
    }

    /** {@code limit} in 1..{@code max}, {@code fallback} when absent; anything else is refused naming the field. */
    static int limit(String value, int fallback, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int limit = Integer.parseInt(value.trim());
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.invalid("limit", "limit must be an integer in 1.." + max);
    }

    static Window window(String fromParam, String toParam, String limitParam, int fallbackLimit, int maxLimit,
                         Clock clock) {
        long to = epochMillis("to", toParam, clock.millis());
        long from = epochMillis("from", fromParam, Math.max(0, to - DEFAULT_WINDOW_MS));
        if (from > to) {
            throw ApiException.invalid("from", "from must not be after to");
        }
        long limit = epochMillis("limit", limitParam, fallbackLimit); // its words for a non-integer or negative one
        if (limit < 1 || limit > maxLimit) {
            throw ApiException.invalid("limit", "limit must be an integer in 1.." + maxLimit);
        }
        return new Window(from, to, (int) limit);
    }

    static long epochMillis(String name, String value, long fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed < 0) {
                throw ApiException.invalid(name, name + " must not be negative");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw ApiException.invalid(name, name + " must be an integer");
        }
    }
}
