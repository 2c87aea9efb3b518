package dev.easel.launcher;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code easel} command line: {@code easel run WORKFLOW.json}, {@code easel nodes}. */
@Command(name = "easel",
        mixinStandardHelpOptions = true,
        versionProvider = EaselCli.Version.class,
        description = "Easel: a ComfyUI-compatible, node-based workflow engine for diffusion models on the JVM.",
        subcommands = {RunCommand.class, ServeCommand.class, NodesCommand.class, PluginsCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = ExitCodes.USAGE,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:usage or I/O error (bad arguments, missing file, not JSON)",
                "2:the workflow failed validation",
                "3:a node failed while running",
                "130:interrupted (Ctrl-C)"},
        footer = {"%nExamples:",
                "  easel run workflows/color-blend.json",
                "  easel run workflows/color-blend.json --set 1.color=255 --out /tmp/easel-out",
                "  easel nodes EmptyImage"})
public final class EaselCli implements Runnable {

    /** The writer for the process's stderr; the progress bar redraws only on this one. */
    static final PrintWriter SYSTEM_ERR = new PrintWriter(System.err, true);

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line; tests call {@code execute} on it, with their own out/err writers if they like. */
    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new EaselCli());
        cli.setErr(SYSTEM_ERR);
        return cli;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: run, serve, nodes or plugins");
    }

    /** The version from the jar manifest (Implementation-Version), or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = EaselCli.class.getPackage().getImplementationVersion();
            return new String[] {"easel " + (version == null ? "dev" : version),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
