package com.salesmate.realtime.resources;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builds success answers: {@code { success: true, ... }} in the order given. */
final class Answers {
    private Answers() {
    }

    static Map<String, Object> ok(Object... keyValues) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        for (int i = 0; i < keyValues.length; i += 2) {
            body.put((String) keyValues[i], keyValues[i + 1]);
        }
        return body;
    }
}
