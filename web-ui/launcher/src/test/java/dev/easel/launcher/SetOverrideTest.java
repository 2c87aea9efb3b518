package dev.easel.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.workflow.InputValue;
import dev.easel.engine.workflow.Workflow;
import dev.easel.engine.workflow.WorkflowParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class SetOverrideTest {

    @Test
    void splitsAtTheLastDotSoNodeIdsMayContainDots() {
        SetOverride set = SetOverride.parse("7.0.0.1.text=hello world");
        assertEquals("7.0.0.1", set.nodeId());
        assertEquals("text", set.inputName());
        assertEquals(new InputValue.Literal("hello world"), set.value());
    }

    @Test
    void splitsKeyAndValueAtTheFirstEquals() {
        SetOverride set = SetOverride.parse("54:12.text=a=b");
        assertEquals("54:12", set.nodeId());
        assertEquals(new InputValue.Literal("a=b"), set.value());
    }

    @Test
    void readsJsonValuesWithTheWorkflowParsersTypes() {
        assertEquals(new InputValue.Literal(42L), SetOverride.parse("3.seed=42").value());
        assertEquals(new InputValue.Literal(1.5), SetOverride.parse("3.cfg=1.5").value());
        assertEquals(new InputValue.Literal(true), SetOverride.parse("3.flag=true").value());
        assertEquals(new InputValue.Literal("42"), SetOverride.parse("3.text=\"42\"").value());
        assertEquals(new InputValue.Literal(new java.math.BigInteger("18446744073709551615")),
                SetOverride.parse("3.seed=18446744073709551615").value());
        assertEquals(new InputValue.Link("4", 0), SetOverride.parse("3.model=[\"4\", 0]").value());
        assertEquals(new InputValue.Literal(List.of(1L, 2L)),
                SetOverride.parse("3.values={\"__value__\": [1, 2]}").value());
    }

    @Test
    void fallsBackToAStringWhenTheValueIsNotJson() {
        assertEquals(new InputValue.Literal("a red fox"), SetOverride.parse("6.text=a red fox").value());
        assertEquals(new InputValue.Literal("1 2"), SetOverride.parse("6.text=1 2").value());
        assertEquals(new InputValue.Literal("{oops"), SetOverride.parse("6.text={oops").value());
        assertEquals(new InputValue.Literal(""), SetOverride.parse("6.text=").value());
    }

    @Test
    void rejectsMalformedKeys() {
        for (String bad : List.of("seed=4", "3.seed", ".seed=4", "3.=4", "=4")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SetOverride.parse(bad));
            assertTrue(e.getMessage().contains("NODE.INPUT=VALUE"), e.getMessage());
        }
    }

    @Test
    void appliesToTheNamedNodeAndNamesAMissingOne() throws Exception {
        Workflow wf = WorkflowParser.parse("""
                {"7.0.0.1": {"class_type": "X", "inputs": {"text": "old", "n": 1}}}""");
        Workflow changed = SetOverride.parse("7.0.0.1.text=new").applyTo(wf);
        assertEquals(new InputValue.Literal("new"), changed.node("7.0.0.1").inputs().get("text"));
        assertEquals(new InputValue.Literal(1L), changed.node("7.0.0.1").inputs().get("n"));
        assertEquals(new InputValue.Literal("old"), wf.node("7.0.0.1").inputs().get("text"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SetOverride.parse("7.0.0.text=x").applyTo(wf));
        assertTrue(e.getMessage().contains("no node '7.0.0'"), e.getMessage());
        assertTrue(e.getMessage().contains("7.0.0.1"), e.getMessage());
    }
}
