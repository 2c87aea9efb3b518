package dev.easel.e2e.browser;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shared reference fixtures are: {@code ../shared} beside the repository ({@code easel.repo.root}). */
final class Fixtures {

    private Fixtures() {
    }

    static Path shared() {
        String root = System.getProperty("easel.repo.root");
        Path repo = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
        Path shared = repo.resolve("../shared").normalize();
        if (!Files.isDirectory(shared.resolve("fixtures"))) {
            throw new IllegalStateException("no shared fixtures at " + shared + " (easel.repo.root=" + root + ")");
        }
        return shared;
    }
}
