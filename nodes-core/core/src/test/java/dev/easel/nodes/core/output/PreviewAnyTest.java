package dev.easel.nodes.core.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.testing.Tensors;
import dev.easel.runtime.TensorRef;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreviewAnyTest {

    @TempDir
    Path dir;

    private static NodeOutput preview(Object source) throws Exception {
        return new PreviewAny().execute(NodeInputs.of(Map.of("source", source)), null);
    }

    @Test
    void showsTheTextInTheUiAndPassesItOn() throws Exception {
        NodeOutput out = preview("hello");
        assertEquals(List.of("hello"), out.ui().get("text"));
        assertEquals(List.of("hello"), out.values());
    }

    @Test
    void scalarsLookAsInPython() throws Exception {
        assertEquals("42", preview(42L).values().get(0));
        assertEquals("1e-05", preview(1e-5).values().get(0));
        assertEquals("2.0", preview(2.0).values().get(0));
        assertEquals("True", preview(true).values().get(0));
    }

    @Test
    void containersAreIndentedJson() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("a", List.of(1L, "x"));
        value.put("b", Map.of());
        value.put("c", List.of());
        assertEquals("{\n    \"a\": [\n        1,\n        \"x\"\n    ],\n    \"b\": {},\n    \"c\": []\n}",
                preview(value).values().get(0));
    }

    @Test
    void tensorsDescribeThemselves() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir))) {
            TensorRef t = Tensors.of(runner, new float[6], 1, 2, 3);
            assertEquals("TensorRef[[1, 2, 3], Float]", preview(t).values().get(0));
            assertEquals("[TensorRef[[1, 2, 3], Float], 1]", preview(List.of(t, 1L)).values().get(0));
        }
    }
}
