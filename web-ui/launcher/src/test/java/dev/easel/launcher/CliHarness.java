package dev.easel.launcher;

import dev.easel.engine.exec.CancellationToken;
import dev.easel.node.RuntimeInfo;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the CLI in-process with captured stdout/stderr. */
final class CliHarness {

    /** A CPU runtime that does not load libtorch (for workflows of test nodes). */
    static final RuntimeInfo NO_TORCH = RuntimeInfo.fixed("cpu", false);

    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final CommandLine cli = EaselCli.newCommandLine();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    CliHarness() {
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
    }

    /** Uses the stub runtime instead of libtorch. */
    CliHarness withoutTorch() {
        runCommand().runtimeFactory = () -> NO_TORCH;
        return this;
    }

    CliHarness withToken(CancellationToken token) {
        runCommand().token = token;
        return this;
    }

    private RunCommand runCommand() {
        return cli.getSubcommands().get("run").getCommand();
    }

    Result execute(String... args) {
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
