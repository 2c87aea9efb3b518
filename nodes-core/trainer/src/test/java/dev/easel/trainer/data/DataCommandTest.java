package dev.easel.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.trainer.TrainCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code easel train data} on the fixture packages (already "fetched", so npm is never run). */
class DataCommandTest {

    @TempDir
    Path dir;

    @Test
    void buildsTheCacheWritesLicensesAndSummarises() throws IOException {
        EmojiFixture.write(dir);
        String first = run("data", "--data-dir", dir.toString(), "--examples", "3");
        assertTrue(first.contains("already there"), first);
        assertTrue(first.contains("cache built from the PNGs"), first);
        assertTrue(first.contains("images: 14 (google 8, twitter 6)"), first);
        assertTrue(first.contains("captions: 14 distinct (4 emoji names)"), first);
        assertTrue(first.contains("      0  grinning face, google style"), first);
        assertTrue(first.contains("cache: " + DatasetCache.file(dir)), first);
        assertTrue(DatasetCache.isCurrent(DatasetCache.file(dir)));
        assertTrue(Files.readString(dir.resolve("LICENSES.md")).contains("CC-BY-4.0"));

        String second = run("data", "--data-dir", dir.toString());
        assertTrue(!second.contains("cache built"), "the second run reads the cache: " + second);
        assertTrue(second.contains("images: 14 (google 8, twitter 6)"), second);
    }

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, new CommandLine(new TrainCli()).execute(args));
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
