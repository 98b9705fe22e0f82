package io.boson.health;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4: every line must be a HELP or
 * TYPE comment or a well-formed sample of a declared family; anything else fails the test.
 */
final class PrometheusText {

    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)( -?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\[\\\\\"n])*)\"");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    final List<Sample> samples = new ArrayList<>();
    final Map<String, String> types = new HashMap<>();

    static PrometheusText parse(String text) {
        PrometheusText out = new PrometheusText();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) continue;
            if (line.startsWith("# HELP ")) {
                String rest = line.substring(7);
                String name = rest.contains(" ") ? rest.substring(0, rest.indexOf(' ')) : rest;
                require(NAME.matcher(name).matches(), n, line);
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                require(parts.length == 2 && NAME.matcher(parts[0]).matches() && TYPES.contains(parts[1]), n, line);
                require(out.types.put(parts[0], parts[1]) == null, n, "family declared twice: " + line);
            } else if (line.startsWith("#")) {
                // other comments are allowed by the format
            } else {
                Matcher m = SAMPLE.matcher(line);
                require(m.matches(), n, line);
                String name = m.group(1);
                require(out.family(name) != null, n, "sample of an undeclared family: " + line);
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(3) != null && !m.group(3).isEmpty()) {
                    String body = m.group(3);
                    if (body.endsWith(",")) body = body.substring(0, body.length() - 1);
                    Matcher l = LABEL.matcher(body);
                    int at = 0;
                    while (at < body.length()) {
                        require(l.find(at) && l.start() == at, n, "bad labels: " + line);
                        require(labels.put(l.group(1), unescape(l.group(2))) == null, n, "duplicate label: " + line);
                        at = l.end();
                        if (at < body.length()) {
                            require(body.charAt(at) == ',', n, "bad labels: " + line);
                            at++;
                        }
                    }
                }
                out.samples.add(new Sample(name, labels, value(m.group(4), n, line)));
            }
        }
        require(text.endsWith("\n"), n, "the exposition must end with a newline");
        return out;
    }

    /** The declared family a sample belongs to (histograms add _bucket, _sum, _count). */
    private String family(String sample) {
        if (types.containsKey(sample)) return sample;
        for (String suffix : new String[] {"_bucket", "_sum", "_count", "_total", "_created"}) {
            if (sample.endsWith(suffix) && types.containsKey(sample.substring(0, sample.length() - suffix.length()))) {
                return sample.substring(0, sample.length() - suffix.length());
            }
        }
        return null;
    }

    private static double value(String v, int n, String line) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                try {
                    yield Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new AssertionError("line " + n + ": bad value: " + line);
                }
            }
        };
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
    }

    private static void require(boolean ok, int line, String what) {
        if (!ok) throw new AssertionError("not Prometheus text format, line " + line + ": " + what);
    }

    /** The sum of the samples named {@code name} whose labels include {@code labels} (0 when none). */
    double sum(String name, Map<String, String> labels) {
        double total = 0;
        for (Sample s : samples) {
            if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) total += s.value();
        }
        return total;
    }

    double sum(String name) {
        return sum(name, Map.of());
    }

    boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }
}
