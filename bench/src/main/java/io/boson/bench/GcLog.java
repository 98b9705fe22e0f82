package io.boson.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a JVM's unified GC log ({@code -Xlog:gc:file=…}): heap before and after each collection. */
final class GcLog {

    /** "... Pause Young (Normal) (G1 Evacuation Pause) 301M->121M(440M) 12.345ms" and the serial collector's like lines. */
    private static final Pattern PAUSE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private GcLog() {
    }

    static int lines(Path log) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    /**
     * The lowest heap after a collection among the log's lines from {@code from} on: {used KiB, committed KiB,
     * lines read}. No collection in the window: -1 for both.
     */
    static long[] lowestAfter(Path log, int from) throws IOException {
        List<String> all = Files.readAllLines(log);
        long best = -1, committed = -1;
        for (int i = from; i < all.size(); i++) {
            Matcher m = PAUSE.matcher(all.get(i));
            if (!m.find()) continue;
            long after = Long.parseLong(m.group(2)) * 1024;
            if (best < 0 || after < best) {
                best = after;
                committed = Long.parseLong(m.group(3)) * 1024;
            }
        }
        return new long[] {best, committed, all.size()};
    }
}
