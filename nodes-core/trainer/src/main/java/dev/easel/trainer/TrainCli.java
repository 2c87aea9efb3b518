package dev.easel.trainer;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code easel train}: builds Easel's embedded default model. Each step is a subcommand, so a run can be resumed
 * or redone piece by piece; everything it makes goes under {@code target/} (never into git).
 */
@Command(name = "easel train", mixinStandardHelpOptions = true,
        description = "Train Easel's small default text-to-image model (SD1.x checkpoint layout) on emoji images.",
        subcommands = {DataCommand.class, VaeCommand.class, UNetCommand.class, ExportCommand.class, EvalCommand.class,
            CommandLine.HelpCommand.class})
public final class TrainCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainCli()).execute(args));
    }
}
