package io.boson.bench;

import ch.qos.logback.classic.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/** The shared start of every benchmark's main: quiet logs, parsed options, a built server jar. */
final class Launch {

    interface Run<T> {
        void run(T options) throws Exception;
    }

    private Launch() {
    }

    static <T> void main(String[] args, Function<String[], T> parse, Function<T, Path> serverJar, Run<T> run)
            throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        T options;
        try {
            options = parse.apply(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path jar = serverJar.apply(options);
        if (!Files.isRegularFile(jar)) {
            System.err.println("no Boson jar at " + jar.toAbsolutePath()
                    + "; build it first (./mvnw -q -B -Dmaven.test.skip=true install) or pass --server-jar");
            System.exit(2);
        }
        run.run(options);
        // The server process and the clients' threads are done; do not wait for stray non-daemon threads.
        System.exit(0);
    }
}
