package dev.easel.nodes.core.conditioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.testing.Tensors;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.runtime.TensorRef;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConditioningNodesTest {

    @TempDir
    Path dir;

    private static Conditioning text(NodeRunner runner, float value, int tokens) {
        float[] cond = new float[tokens * 2];
        java.util.Arrays.fill(cond, value);
        TensorRef pooled = Tensors.of(runner, new float[] {value, value}, 1, 2);
        return runner.own(Conditioning.of(Tensors.of(runner, cond, 1, tokens, 2), pooled));
    }

    @Test
    void combineJoinsTheListsAndConcatJoinsTokens() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir))) {
            Conditioning a = text(runner, 1f, 3);
            Conditioning b = text(runner, 2f, 2);
            Conditioning combined = (Conditioning) runner.runForValue(new ConditioningCombine(),
                    Map.of("conditioning_1", a, "conditioning_2", b));
            assertEquals(2, combined.entries().size());
            assertSame(a.entries().get(0), combined.entries().get(0));

            Conditioning concat = (Conditioning) runner.runForValue(new ConditioningConcat(),
                    Map.of("conditioning_to", a, "conditioning_from", b));
            assertArrayEquals(new long[] {1, 5, 2}, concat.entries().get(0).cond().shape());
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 2, 2, 2, 2}, Tensors.values(concat.entries().get(0).cond()));
            assertSame(a.entries().get(0).pooled().orElseThrow(), concat.entries().get(0).pooled().orElseThrow(),
                    "the options of conditioning_to are kept");
        }
    }

    @Test
    void setAreaStoresLatentUnitsAndStrengthAndChangesTheContentHash() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir))) {
            Conditioning a = text(runner, 1f, 3);
            Conditioning area = (Conditioning) runner.runForValue(new ConditioningSetArea(), Map.of("conditioning", a,
                    "width", 256L, "height", 128L, "x", 64L, "y", 32L, "strength", 0.5));
            Map<String, Object> options = area.entries().get(0).options();
            assertEquals(List.of(16L, 32L, 4L, 8L), options.get("area"));
            assertEquals(0.5, options.get("strength"));
            assertEquals(false, options.get("set_area_to_bounds"));
            assertNotEquals(a.contentHash(), area.contentHash());
            assertEquals(a.contentHash(), text(runner, 1f, 3).contentHash(), "equal content, equal hash");
        }
    }
}
