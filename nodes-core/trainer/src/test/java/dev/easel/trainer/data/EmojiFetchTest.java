package dev.easel.trainer.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No network: npm is replaced by commands that are missing or fail, and the packages by the fixture. */
class EmojiFetchTest {

    @TempDir
    Path dir;

    @Test
    void installedPackagesAreNotFetchedAgain() throws IOException {
        EmojiFixture.write(dir);
        assertTrue(EmojiFetch.isFetched(dir));
        // This npm does not exist, so running it would throw.
        assertFalse(new EmojiFetch(dir.resolve("no-such-npm").toString()).fetch(dir));
    }

    @Test
    void anotherVersionOrAMissingPackageIsNotFetched() throws IOException {
        assertFalse(EmojiFetch.isFetched(dir));
        EmojiFixture.write(dir);
        Path manifest = EmojiFetch.packageFolder(dir, EmojiSet.TWITTER).resolve("package.json");
        Files.writeString(manifest, "{\"version\": \"15.1.2\"}");
        assertFalse(EmojiFetch.isFetched(dir));
        Files.delete(manifest);
        assertFalse(EmojiFetch.isFetched(dir));
    }

    @Test
    void missingNpmIsAClearError() {
        String npm = dir.resolve("no-such-npm").toString();
        IOException e = assertThrows(IOException.class, () -> new EmojiFetch(npm).fetch(dir));
        assertTrue(e.getMessage().contains("cannot run '" + npm + "'") && e.getMessage().contains("install Node.js"),
                e.getMessage());
    }

    @Test
    void failingNpmReportsItsExitStatusAndOutput() throws IOException {
        Path npm = dir.resolve("npm");
        Files.writeString(npm, "#!/bin/sh\necho \"npm error 404 Not Found: $5\" >&2\nexit 7\n");
        assertTrue(npm.toFile().setExecutable(true));
        IOException e = assertThrows(IOException.class, () -> new EmojiFetch(npm.toString()).fetch(dir.resolve("data")));
        assertTrue(e.getMessage().contains("exit 7") && e.getMessage().contains("404 Not Found"), e.getMessage());
    }

    @Test
    void npmThatSucceedsWithoutInstallingIsAnError() throws IOException {
        Path npm = dir.resolve("npm");
        Files.writeString(npm, "#!/bin/sh\nexit 0\n");
        assertTrue(npm.toFile().setExecutable(true));
        IOException e = assertThrows(IOException.class, () -> new EmojiFetch(npm.toString()).fetch(dir.resolve("data")));
        assertTrue(e.getMessage().contains("not complete"), e.getMessage());
    }
}
