package com.salesmate.realtime.core;

import java.util.regex.Pattern;

/** The id syntax of the contract: tenant, salesman and user ids match {@value #REGEX}. */
public final class Ids {
    public static final String REGEX = "[A-Za-z0-9._-]{1,64}";
    private static final Pattern PATTERN = Pattern.compile(REGEX);

    private Ids() {
    }

    public static boolean isValid(String id) {
        return id != null && PATTERN.matcher(id).matches();
    }

    /** Returns the id or throws {@code invalid_payload} naming the field. */
    public static String require(String field, String id) {
        if (!isValid(id)) {
            throw ApiException.invalid(field, field + " must match " + REGEX);
        }
        return id;
    }
}
