package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.schema.ObjectInfo;
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.node.Node;
import dev.easel.node.NodePack;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryAndObjectInfoTest {

    @Test
    void objectInfoHasComfyUisV1Shape() throws Exception {
        NodeRegistry registry = new NodeRegistry();
        registry.register(new TestNodes());
        JsonNode info = WorkflowParser.mapper().valueToTree(ObjectInfo.render(registry));
        JsonNode pick = info.get("Pick");
        assertEquals("[\"first\",\"second\"]", pick.at("/input/required/mode/0").toString(), "V1 COMBO: options as type");
        assertEquals("*", pick.at("/input/required/a/0").asText());
        assertEquals("[\"mode\",\"a\",\"b\"]", pick.at("/input_order/required").toString());
        assertEquals("18446744073709551615", info.at("/Seed/input/required/seed/1/max").asText());
        assertEquals("[true]", info.at("/Range/output_is_list").toString());
        assertTrue(info.at("/Show/output_node").asBoolean());
        assertTrue(info.at("/Sum/is_input_list").asBoolean());
        assertEquals("custom_nodes.test", info.at("/Show/python_module").asText());
        assertEquals("test", info.at("/Show/category").asText());
        assertTrue(info.at("/Switch/input/required/a/1/lazy").asBoolean());
        assertEquals("[\"display\"]", info.at("/Show/search_aliases").toString());
        assertTrue(info.at("/Add/search_aliases").isMissingNode());
    }

    @Test
    void aBrokenOrConflictingPackIsReportedAndSkipped() {
        NodeRegistry registry = new NodeRegistry();
        registry.register(new TestNodes());
        int before = registry.all().size();
        registry.register(new NodePack() {
            public String id() {
                return "broken";
            }

            public List<Node> nodes() {
                throw new IllegalStateException("boom");
            }
        });
        registry.register(new NodePack() {
            public String id() {
                return "copycat";
            }

            public List<Node> nodes() {
                return List.of(new TestNodes.EvenOnly());
            }
        });
        assertEquals(before, registry.all().size());
        assertEquals(2, registry.problems().size());
        assertTrue(registry.problems().get(0).toString().contains("broken"));
        assertTrue(registry.problems().get(1).reason().contains("already owned by node pack 'test'"));
        registry.unregisterPack("test");
        assertTrue(registry.all().isEmpty());
    }
}
