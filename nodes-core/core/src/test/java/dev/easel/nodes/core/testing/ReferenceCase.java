package dev.easel.nodes.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.runtime.Torch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A case file of the shared reference fixtures ({@code ../shared/fixtures}, see its README): {@code in/<name>} inputs
 * and {@code out/<name>} expected outputs, read as float32 (integer tensors stay integers), and the README's tolerance.
 */
public final class ReferenceCase implements AutoCloseable {

    private final StateDict tensors;
    private final String name;

    private ReferenceCase(StateDict tensors, String name) {
        this.tensors = tensors;
        this.name = name;
    }

    /** {@code ../shared/fixtures} next to the repository. */
    public static Path fixtures() {
        return Path.of(System.getProperty("easel.repo.root", ".")).resolve("../shared/fixtures").normalize();
    }

    /** The case file {@code relative} (for example {@code "sd2/sd2_denoiser_b3.safetensors"}). */
    public static ReferenceCase open(String relative) {
        Torch.load();
        try {
            return new ReferenceCase(StateDict.readSafetensors(fixtures().resolve(relative), ScalarType.Float),
                    relative);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture folder's {@code index.json}. */
    public static JsonNode index(String folder) {
        try {
            return new ObjectMapper().readTree(fixtures().resolve(folder).resolve("index.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code in/<name>}. */
    public Tensor in(String input) {
        return tensors.get("in/" + input);
    }

    /** {@code out/<name>}. */
    public Tensor out(String output) {
        return tensors.get("out/" + output);
    }

    public boolean has(String key) {
        return tensors.has(key);
    }

    /**
     * Asserts {@code max|a − b| ≤ tolerance·max(1, max|ref|)} against {@code out/<output>} and the same shape; prints
     * the error so the test log shows it.
     */
    public void assertClose(Tensor actual, String output, double tolerance) {
        assertClose(actual, out(output), name + " " + output, tolerance);
    }

    /** The README's component tolerance, 1e-4. */
    public void assertClose(Tensor actual, String output) {
        assertClose(actual, output, 1e-4);
    }

    /** {@code expected} at {@code tolerance·max(1, max|expected|)}. */
    public static void assertClose(Tensor actual, Tensor expected, String what, double tolerance) {
        try (PointerScope scope = new PointerScope()) {
            assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
            Tensor e = expected.to(ScalarType.Float);
            double err = actual.to(ScalarType.Float).sub(e).abs().max().item().toDouble();
            double tol = tolerance * Math.max(1.0, e.abs().max().item().toDouble());
            System.out.printf("[fixture] %-50s max|a-b| = %.3e  tolerance %.3e (%.3f of it)%n", what, err, tol,
                    err / tol);
            assertTrue(err <= tol, what + ": max|a-b| = " + err + " > " + tol);
        }
    }

    /** Integer tensors equal element by element. */
    public void assertExact(Tensor actual, String output) {
        try (PointerScope scope = new PointerScope()) {
            Tensor e = out(output);
            assertArrayEquals(e.shape(), actual.shape(), name + " " + output + ": shape");
            assertTrue(actual.to(ScalarType.Double).eq(e.to(ScalarType.Double)).all().item().toBool(),
                    name + " " + output + ": not equal");
        }
    }

    @Override
    public void close() {
        tensors.release();
    }
}
