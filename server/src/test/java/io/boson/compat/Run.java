package io.boson.compat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How a finished command went. */
record Run(String command, int exit, String stdout, String stderr) {
    List<String> lines() {
        return stdout.lines().map(String::stripTrailing).toList();
    }

    /** The OK lines of a steps.mjs script: step → its JSON (null when none). */
    Map<String, JsonNode> okSteps() throws java.io.IOException {
        Map<String, JsonNode> ok = new LinkedHashMap<>();
        for (String line : lines()) {
            String[] parts = line.split(" ", 3);
            if (parts[0].equals("OK")) ok.put(parts[1], parts.length > 2 ? Api.JSON.readTree(parts[2]) : null);
        }
        return ok;
    }

    /** The FAIL lines of a steps.mjs script. */
    List<String> failedSteps() {
        return lines().stream().filter(l -> l.startsWith("FAIL ")).toList();
    }

    @Override
    public String toString() {
        return "`" + command + "` exit " + exit + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
    }
}
