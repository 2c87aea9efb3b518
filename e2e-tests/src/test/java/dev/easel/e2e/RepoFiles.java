package dev.easel.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Where the e2e tests find the repository's files and the reference fixtures. */
final class RepoFiles {

    private RepoFiles() {
    }

    /** The repository root: {@code easel.repo.root} (set by surefire), else the parent of this module. */
    static Path root() {
        String property = System.getProperty("easel.repo.root");
        for (Path candidate : new Path[] {property == null ? null : Path.of(property), Path.of("").toAbsolutePath(),
                Path.of("").toAbsolutePath().getParent()}) {
            if (candidate != null && Files.isDirectory(candidate.resolve("workflows"))
                    && Files.isRegularFile(candidate.resolve("easel"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("cannot find the repository root (easel.repo.root=" + property + ")");
    }

    /** A text-to-image workflow on the reference fixtures' tiny random-weight SD1.5 checkpoint. */
    static Path fixtureWorkflow() {
        return root().resolve("e2e-tests/src/test/resources/sd15-txt2img.json");
    }

    /** Puts the reference fixtures' tiny random-weight checkpoints into {@code <data>/models/checkpoints}. */
    static void linkFixtureCheckpoints(Path data) throws IOException {
        Path checkpoints = Files.createDirectories(data.resolve("models/checkpoints"));
        Path fixtures = root().resolve("../shared/fixtures").normalize();
        try (Stream<Path> list = Files.list(fixtures)) {
            for (Path ckpt : list.filter(p -> p.getFileName().toString().endsWith(".safetensors")
                    && p.getFileName().toString().startsWith("sd15_tiny")).toList()) {
                Files.createSymbolicLink(checkpoints.resolve(ckpt.getFileName()), ckpt);
            }
        }
    }
}
