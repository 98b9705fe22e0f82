package io.boson.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code jcmd PID GC.class_histogram} (which runs a full GC first): instances and bytes per class. */
record ClassHistogram(Map<String, long[]> classes) {

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    static ClassHistogram of(Path jcmd, long pid) throws IOException, InterruptedException {
        String text = ProcessStats.run(jcmd.toString(), Long.toString(pid), "GC.class_histogram");
        Map<String, long[]> classes = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.find()) classes.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
        }
        return new ClassHistogram(classes);
    }

    /** A Markdown table of the {@code top} classes that grew most from {@code before} to this, per one of {@code n} devices. */
    String growthSince(ClassHistogram before, int n, int top) {
        Map<String, long[]> delta = new HashMap<>();
        classes.forEach((name, now) -> {
            long[] was = before.classes.getOrDefault(name, new long[2]);
            delta.put(name, new long[] {now[0] - was[0], now[1] - was[1]});
        });
        long total = delta.values().stream().mapToLong(d -> d[1]).sum();
        StringBuilder md = new StringBuilder("| class | instances per device | bytes per device |\n|---|---|---|\n");
        delta.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[1])).limit(top)
                .forEach(e -> md.append(String.format(Locale.ROOT, "| `%s` | %.2f | %.0f |%n", e.getKey(),
                        e.getValue()[0] / (double) n, e.getValue()[1] / (double) n)));
        md.append(String.format(Locale.ROOT, "| all classes | | %.0f |%n", total / (double) n));
        return md.toString();
    }
}
