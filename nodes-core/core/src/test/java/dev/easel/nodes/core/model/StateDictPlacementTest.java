package dev.easel.nodes.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.runtime.Torch;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Moving a state dict's weights between devices (model placement). Without a GPU the target is libtorch's "meta"
 * device (shapes without data): the move must replace every weight, keep names, shapes and dtypes, and free the
 * old copies at once.
 */
class StateDictPlacementTest {

    @Test
    void movesEveryWeightAndFreesTheOldOnes() {
        Torch.load();
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("a.weight", torch.randn(3, 4));
            tensors.put("b.bias", torch.randn(5));
            StateDict dict = StateDict.of("test", tensors);
            Tensor before = dict.get("a.weight");
            assertEquals(2, before.referenceCount(), "held by this scope and by the dict");
            assertEquals("cpu", dict.device());
            dict.moveTo("cpu"); // already there: nothing happens
            assertTrue(dict.get("a.weight") == before);

            dict.moveTo("meta");
            assertEquals("meta", dict.device());
            assertArrayEquals(new long[] {3, 4}, dict.get("a.weight").shape());
            assertArrayEquals(new long[] {5}, dict.get("b.bias").shape());
            assertEquals(2, dict.size());
            assertEquals(1, before.referenceCount(), "the dict let go of the old weight; only this scope holds it");
            dict.release();
        }
    }
}
