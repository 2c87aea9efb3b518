package dev.easel.nodes.core.primitive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.easel.node.InputSpec;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeSchema;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrimitiveNodeTest {

    private static Object run(PrimitiveNode node, Object value) throws Exception {
        return node.execute(NodeInputs.of(Map.of("value", value)), null).values().get(0);
    }

    @Test
    void passesTheValueOnWithItsType() throws Exception {
        assertEquals(-42L, run(PrimitiveNode.integer(), -42L));
        assertEquals(2.5, run(PrimitiveNode.number(), 2.5));
        assertEquals(3.0, run(PrimitiveNode.number(), 3L), "an INT literal widens to FLOAT");
        assertEquals("hi", run(PrimitiveNode.string(), "hi"));
        assertEquals("a\nb", run(PrimitiveNode.multilineString(), "a\nb"));
        assertEquals(true, run(PrimitiveNode.bool(), true));
    }

    @Test
    void schemasMatchComfyUi() {
        NodeSchema i = PrimitiveNode.integer().schema();
        assertEquals("PrimitiveInt", i.name());
        assertEquals("Int", i.displayName());
        assertEquals("utils/primitive", i.category());
        InputSpec value = i.input("value").orElseThrow();
        assertEquals(-9223372036854775807L, value.min());
        assertEquals(9223372036854775807L, value.max());
        assertEquals(true, value.options().get("control_after_generate"));
        assertEquals("INT", i.outputs().get(0).type());

        assertEquals(0.1, PrimitiveNode.number().schema().input("value").orElseThrow().options().get("step"));
        assertEquals(true, PrimitiveNode.multilineString().schema().input("value").orElseThrow().options()
                .get("multiline"));
        assertEquals("String (Multiline)", PrimitiveNode.multilineString().schema().displayName());
        assertEquals("BOOLEAN", PrimitiveNode.bool().schema().outputs().get(0).type());
    }
}
