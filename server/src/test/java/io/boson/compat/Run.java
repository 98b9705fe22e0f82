package io.boson.compat;

import java.util.List;

/** How a finished command went. */
record Run(String command, int exit, String stdout, String stderr) {
    List<String> lines() {
        return stdout.lines().map(String::stripTrailing).toList();
    }

    @Override
    public String toString() {
        return "`" + command + "` exit " + exit + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
    }
}
