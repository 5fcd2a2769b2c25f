package com.salesmate.realtime.ops;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads: a scan of its identifiers that leaves out functions and aggregations
 * (an identifier followed by a parenthesis), keywords, label names (inside braces and grouping clauses), strings,
 * durations and Grafana variables. {@code {__name__="x"}} names x; {@code {__name__=~"re"}} is kept as a pattern
 * that some exported family must match.
 */
record PromQlNames(Set<String> names, Set<String> patterns) {
    private static final Pattern NAME_MATCHER = Pattern.compile("__name__\\s*(=~|=)\\s*\"((?:\\\\.|[^\"\\\\])*)\"");
    private static final Pattern STRING = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])*'");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan", "le");

    static PromQlNames of(String expr) {
        Set<String> names = new LinkedHashSet<>();
        Set<String> patterns = new LinkedHashSet<>();
        Matcher byName = NAME_MATCHER.matcher(expr);
        while (byName.find()) {
            (byName.group(1).equals("=") ? names : patterns).add(byName.group(2));
        }
        String s = STRING.matcher(expr).replaceAll("\"\"");
        s = s.replaceAll("\\$\\{?\\w+\\}?", " "); // Grafana variables: $job, $__rate_interval
        s = s.replaceAll("\\{[^}]*\\}", " "); // label matchers
        s = GROUPING.matcher(s).replaceAll(" ");
        s = s.replaceAll("\\[[^\\]]*\\]", " "); // ranges and subqueries
        Matcher id = IDENTIFIER.matcher(s);
        while (id.find()) {
            String rest = s.substring(id.end()).stripLeading();
            if (rest.startsWith("(") || KEYWORDS.contains(id.group().toLowerCase(Locale.ROOT))) {
                continue; // a function or aggregation, or a keyword
            }
            names.add(id.group());
        }
        return new PromQlNames(names, patterns);
    }
}
