package io.boson;

import io.boson.cli.AotTrainingCommand;
import io.boson.cli.ServerKeyCommand;
import io.boson.cli.ServeCommand;
import io.boson.cli.SimulateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code boson} executable. */
@Command(name = "boson", mixinStandardHelpOptions = true, version = "Boson 0.1.0",
        description = "A self-hostable device cloud compatible with Particle's Cloud API.",
        subcommands = {ServeCommand.class, SimulateCommand.class, ServerKeyCommand.class, AotTrainingCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        // Javalin keeps a non-daemon thread for a few seconds after stop: exit explicitly.
        System.exit(code);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
