package dev.easel.plugins.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.easel.node.Node;
import dev.easel.node.NodeInputs;
import dev.easel.node.testing.TestNodeContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Unit tests of the template's nodes: call {@code execute} directly with the inputs a workflow would give. */
class TemplatePackTest {

    private static Object run(Node node, Map<String, ?> inputs) throws Exception {
        // These nodes do not use the context (no progress, files or cancellation), so none is needed here.
        return node.execute(NodeInputs.of(inputs), new TestNodeContext()).values().get(0);
    }

    @Test
    void thePackListsItsNodesWithTheirSchemas() {
        List<Node> nodes = new TemplatePack().nodes();
        assertEquals(List.of("TemplateGreeting", "TemplateMultiplyAdd"),
                nodes.stream().map(n -> n.schema().name()).toList());
        assertEquals("template", nodes.get(0).schema().category());
    }

    @Test
    void greetingGreets() throws Exception {
        assertEquals("Bonjour, Ada!", run(new Greeting(), Map.of("name", " Ada ", "greeting", "Bonjour")));
        assertEquals("Hello, Ada", run(new Greeting(), Map.of("name", "Ada", "greeting", "Hello", "exclaim", false)));
        assertThrows(IllegalArgumentException.class,
                () -> run(new Greeting(), Map.of("name", " ", "greeting", "Hello")));
    }

    @Test
    void multiplyAddComputesAndRefusesToOverflow() throws Exception {
        assertEquals(7L, run(new MultiplyAdd(), Map.of("a", 2L, "b", 3L, "c", 1L)));
        assertThrows(ArithmeticException.class,
                () -> run(new MultiplyAdd(), Map.of("a", 1_000_000L, "b", 1_000_000L, "c", Long.MAX_VALUE)));
    }
}
