package dev.easel.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JavaScript packs in {@code <data-dir>/plugins} (the example pack of plugins/js-nodes) next to PF4J plugins, read by
 * the bundled {@code easel-js} plugin as the distribution does: the CLI lists and runs their nodes, a broken
 * JavaScript pack is reported by name while the rest runs, and the inline JavaScript node is there. Runs after
 * {@code package} (the surefire execution {@code bundled-plugins-test}), when {@code target/plugins} exists.
 */
class JavaScriptPacksTest {

    @TempDir
    Path dir;

    @BeforeEach
    void needsTheBundledPlugins() {
        Assumptions.assumeTrue(System.getProperty(Plugins.BUNDLED_PROPERTY) != null, "runs after package (mvn verify)");
    }

    private CliHarness.Result cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dir.resolve("data").toString();
        return new CliHarness().withoutTorch().execute(all);
    }

    private void copyExamplePack() throws IOException {
        Path example = Path.of(System.getProperty("easel.repo.root", "../.."))
                .resolve("plugins/js-nodes/examples/text-tools");
        Path target = Files.createDirectories(dir.resolve("data/plugins/text-tools"));
        try (Stream<Path> files = Files.list(example)) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
    }

    @Test
    void javaScriptPackNodesListAndRunBesidePlugins() throws IOException {
        copyExamplePack();
        Path broken = Files.createDirectories(dir.resolve("data/plugins/broken"));
        Files.writeString(broken.resolve("easel-pack.json"), "{\"id\": \"broken\", \"nodes\": [\"bad.js\"]}");
        Files.writeString(broken.resolve("bad.js"), "defineNode({name: 'Bad', inputs: {required: {x: ['NOPE'");

        CliHarness.Result nodes = cli("nodes", "RepeatText");
        assertEquals(ExitCodes.SUCCESS, nodes.exitCode(), nodes.toString());
        assertTrue(nodes.out().contains("RepeatText"), nodes.toString());
        assertTrue(nodes.err().contains("bad.js"), "the broken pack is reported by file: " + nodes);
        assertFalse(nodes.err().contains("text-tools") , "no plugin-host warning about a JS pack: " + nodes);

        Path wf = Files.writeString(dir.resolve("repeat.json"), """
                {"1": {"class_type": "RepeatText", "inputs": {"text": "ab", "times": 3, "separator": ", "}},
                 "2": {"class_type": "LauncherTestEcho", "inputs": {"text": ["1", 0], "count": 1}},
                 "3": {"class_type": "JavaScriptExpression", "inputs": {"script": "a * 2 + 1", "a": 20}},
                 "4": {"class_type": "LauncherTestEcho", "inputs": {"text": ["3", 3], "count": 1}}}""");
        CliHarness.Result run = cli("run", wf.toString());
        assertEquals(ExitCodes.SUCCESS, run.exitCode(), run.toString());
        assertTrue(run.out().contains("text: ab, ab, ab"), run.toString());
        assertTrue(run.out().contains("text: 41"), run.toString());
    }
}
