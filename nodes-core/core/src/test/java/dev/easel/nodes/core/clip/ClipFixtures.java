package dev.easel.nodes.core.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/** Paths and helpers for the shared reference fixtures (../shared/fixtures next to the repository). */
final class ClipFixtures {

    private ClipFixtures() {
    }

    static Path root() {
        return Path.of(System.getProperty("easel.repo.root", ".")).resolve("../shared/fixtures").normalize();
    }

    static JsonNode json(String relative) throws IOException {
        return new ObjectMapper().readTree(root().resolve(relative).toFile());
    }

    /** The README tolerance {@code max|a − b| ≤ 1e-4 · max(1, max|ref|)}; returns the max error seen. */
    static double maxAbsDiff(Tensor actual, Tensor expected) {
        try (PointerScope scope = new PointerScope()) {
            return actual.sub(expected).abs().max().item().toDouble();
        }
    }

    static double absMax(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            return t.abs().max().item().toDouble();
        }
    }
}
