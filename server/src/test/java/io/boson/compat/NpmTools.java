package io.boson.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finds compat/ and installs the pinned npm tools into it on first use. */
final class NpmTools {

    static final Duration NPM_TIMEOUT = Duration.ofMinutes(10);

    private NpmTools() {
    }

    /** The repository's compat/ directory: surefire runs in server/, so it is usually {@code ../compat}. */
    static Path findCompatDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("compat/package.json"))) return dir.resolve("compat");
        }
        throw new AssertionError("no compat/package.json above " + Path.of("").toAbsolutePath());
    }

    /** {@code npm ci} (or {@code npm install} without a lock file) when the pinned tools are not installed yet. */
    static void installTools(Path compat) {
        if (Files.isRegularFile(compat.resolve("node_modules/particle-cli/package.json"))
                && Files.isRegularFile(compat.resolve("node_modules/particle-api-js/package.json"))) {
            return;
        }
        boolean locked = Files.isRegularFile(compat.resolve("package-lock.json"));
        List<String> command = List.of("npm", locked ? "ci" : "install", "--no-audit", "--no-fund");
        try {
            Path log = Files.createTempFile("boson-compat-npm", ".log");
            Process npm = new ProcessBuilder(command).directory(compat.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            npm.getOutputStream().close();
            if (!npm.waitFor(NPM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                npm.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + NPM_TIMEOUT + ": "
                        + Files.readString(log));
            }
            if (npm.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " in " + compat + " failed (exit " + npm.exitValue()
                        + "):\n" + Files.readString(log));
            }
        } catch (IOException e) {
            throw new AssertionError("could not run npm (Node 20+ and npm must be on the PATH): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
