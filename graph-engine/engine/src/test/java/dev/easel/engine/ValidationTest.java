package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.validation.NodeErrors;
import dev.easel.engine.validation.ValidationError;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.ValidationResult;
import dev.easel.engine.workflow.WorkflowParseException;
import dev.easel.engine.workflow.WorkflowParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ValidationTest {

    private final Harness h = new Harness();

    @AfterEach
    void close() {
        h.close();
    }

    /** The single error of node {@code id}. */
    private static ValidationError onlyError(ValidationResult r, String id) {
        assertFalse(r.isValid(), "expected the workflow to be rejected");
        NodeErrors errors = r.nodeErrors().get(id);
        assertTrue(errors != null, "expected errors on node " + id + " but got " + r.toJson());
        assertEquals(1, errors.errors().size(), errors.errors().toString());
        return errors.errors().get(0);
    }

    @Test
    void validWorkflowKeepsTargetsAndConvertsLiterals() {
        ValidationResult r = h.validate("""
                {"1": {"class_type": "Const", "inputs": {"value": "5"}, "_meta": {"title": "five"}},
                 "54:12": {"class_type": "Add", "inputs": {"a": ["1", 0], "b": 2.0}},
                 "9": {"class_type": "Show", "inputs": {"value": ["54:12", 0]}}}""");
        assertTrue(r.isValid(), () -> r.toJson().toString());
        assertEquals(List.of("9"), r.workflow().targets());
        assertEquals(5L, r.workflow().nodes().get("1").literals().get("value"));
        assertEquals(2L, r.workflow().nodes().get("54:12").literals().get("b"));
    }

    @Test
    void unknownClassIsATopLevelError() {
        ValidationResult r = h.validate("""
                {"1": {"class_type": "NoSuchNode", "inputs": {}, "_meta": {"title": "Mystery"}},
                 "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""");
        assertFalse(r.isValid());
        assertEquals("missing_node_type", r.error().type());
        assertEquals("1", r.error().extraInfo().get("node_id"));
        assertEquals("NoSuchNode", r.error().extraInfo().get("class_type"));
        assertTrue(r.error().message().contains("Mystery"));
        assertTrue(r.nodeErrors().isEmpty());
    }

    @Test
    void missingClassTypeIsATopLevelError() {
        ValidationResult r = h.validate("{\"1\": {\"inputs\": {}}}");
        assertEquals("missing_node_type", r.error().type());
    }

    @Test
    void missingRequiredInput() {
        ValidationResult r = h.validate("""
                {"1": {"class_type": "Add", "inputs": {"a": 1}},
                 "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""");
        ValidationError e = onlyError(r, "1");
        assertEquals("required_input_missing", e.type());
        assertEquals("b", e.inputName());
        assertEquals("prompt_outputs_failed_validation", r.error().type());
        assertEquals(List.of("9"), r.nodeErrors().get("1").dependentOutputs());
        assertFalse(r.nodeErrors().containsKey("9"), "nodes invalid only through an ancestor are not listed");
        Map<String, Object> json = r.toJson();
        assertTrue(json.containsKey("error") && json.containsKey("node_errors"));
    }

    @Test
    void linkTypeMismatch() {
        ValidationResult r = h.validate("""
                {"1": {"class_type": "Scale", "inputs": {"factor": 1.0, "x": 3}},
                 "2": {"class_type": "Add", "inputs": {"a": ["3", 0], "b": 1}},
                 "3": {"class_type": "Scale", "inputs": {"factor": 2.0, "x": ["4", 0]}},
                 "4": {"class_type": "Const", "inputs": {"value": 1}},
                 "9": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}""");
        ValidationError e = onlyError(r, "2");
        assertEquals("return_type_mismatch", e.type());
        assertEquals("a", e.inputName());
        assertEquals("FLOAT", e.extraInfo().get("received_type"));
    }

    @Test
    void linkToMissingNodeAndMissingSlot() {
        ValidationResult r = h.validate("""
                {"1": {"class_type": "Const", "inputs": {"value": 1}},
                 "2": {"class_type": "Add", "inputs": {"a": ["77", 0], "b": ["1", 3]}},
                 "9": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}""");
        List<ValidationError> errors = r.nodeErrors().get("2").errors();
        assertEquals(2, errors.size());
        assertEquals("a", errors.get(0).inputName());
        assertTrue(errors.get(0).details().contains("'77'"));
        assertEquals("b", errors.get(1).inputName());
        assertTrue(errors.get(1).details().contains("slot 3"));
    }

    @Test
    void badLinkedInput() {
        ValidationResult r = h.validate("""
                {"1": {"class_type": "Add", "inputs": {"a": [1, 2, 3], "b": 1}},
                 "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""");
        ValidationError e = onlyError(r, "1");
        assertEquals("bad_linked_input", e.type());
        assertEquals("a", e.inputName());
    }

    @Test
    void cycleIsReported() {
        ValidationResult r = h.validate("""
                {"1": {"class_type": "Add", "inputs": {"a": ["2", 0], "b": 1}},
                 "2": {"class_type": "Add", "inputs": {"a": ["1", 0], "b": 1}},
                 "9": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}""");
        assertFalse(r.isValid());
        ValidationError e = r.nodeErrors().get("1").errors().get(0);
        assertEquals("dependency_cycle", e.type());
        assertEquals(List.of("1", "2", "1"), e.extraInfo().get("cycle_nodes"));
        assertTrue(r.nodeErrors().containsKey("2"));
    }

    @Test
    void literalsOutsideMinMax() {
        ValidationResult r = h.validate("""
                {"1": {"class_type": "Const", "inputs": {"value": 1001}},
                 "2": {"class_type": "Scale", "inputs": {"factor": -0.5, "x": ["1", 0]}},
                 "9": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}""");
        ValidationError big = onlyError(r, "1");
        assertEquals("value_bigger_than_max", big.type());
        assertEquals("value", big.inputName());
        ValidationError small = onlyError(r, "2");
        assertEquals("value_smaller_than_min", small.type());
        assertEquals("factor", small.inputName());
    }

    @Test
    void valueNotInComboList() {
        ValidationResult r = h.validate("""
                {"1": {"class_type": "Pick", "inputs": {"mode": "third", "a": 1, "b": 2}},
                 "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""");
        ValidationError e = onlyError(r, "1");
        assertEquals("value_not_in_list", e.type());
        assertEquals("mode", e.inputName());
        assertTrue(e.details().contains("'third'") && e.details().contains("first"));
    }

    @Test
    void noOutputNode() {
        ValidationResult r = h.validate("{\"1\": {\"class_type\": \"Const\", \"inputs\": {\"value\": 1}}}");
        assertEquals("prompt_no_outputs", r.error().type());
    }

    @Test
    void literalsThatDoNotConvert() {
        ValidationResult r = h.validate("""
                {"1": {"class_type": "Add", "inputs": {"a": "seven", "b": 8.5}},
                 "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""");
        List<ValidationError> errors = r.nodeErrors().get("1").errors();
        assertEquals(2, errors.size());
        assertTrue(errors.stream().allMatch(e -> e.type().equals("invalid_input_type")));
    }

    @Test
    void literalForASocketTypeNeedsALink() {
        ValidationResult r = h.validate("""
                {"1": {"class_type": "Keep", "inputs": {"h": 3}},
                 "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""");
        ValidationError e = onlyError(r, "1");
        assertEquals("invalid_input_type", e.type());
        assertEquals("h", e.inputName());
    }

    @Test
    void seedsAreUnsigned64Bit() {
        ValidationResult max = h.validate("""
                {"1": {"class_type": "Seed", "inputs": {"seed": 18446744073709551615}},
                 "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""");
        assertTrue(max.isValid(), () -> max.toJson().toString());
        long bits = (Long) max.workflow().nodes().get("1").literals().get("seed");
        assertEquals("18446744073709551615", Long.toUnsignedString(bits));
        ValidationResult over = h.validate("""
                {"1": {"class_type": "Seed", "inputs": {"seed": 18446744073709551616}},
                 "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""");
        assertEquals("value_bigger_than_max", onlyError(over, "1").type());
        ValidationResult negative = h.validate("""
                {"1": {"class_type": "Seed", "inputs": {"seed": -1}},
                 "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""");
        assertEquals("value_smaller_than_min", onlyError(negative, "1").type());
    }

    @Test
    void nodeValidationHook() {
        ValidationResult r = h.validate("""
                {"1": {"class_type": "EvenOnly", "inputs": {"value": 3}},
                 "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""");
        ValidationError e = onlyError(r, "1");
        assertEquals("custom_validation_failed", e.type());
        assertEquals("value", e.inputName());
        assertTrue(e.details().contains("must be even"));
    }

    @Test
    void unreachableNodesAreNotValidated() {
        ValidationResult r = h.validate("""
                {"1": {"class_type": "Const", "inputs": {"value": 1}},
                 "2": {"class_type": "Add", "inputs": {}},
                 "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""");
        assertTrue(r.isValid());
        assertFalse(r.workflow().nodes().containsKey("2"));
    }

    @Test
    void nonStrictModeRunsTheValidTargets() {
        String json = """
                {"1": {"class_type": "Const", "inputs": {"value": 1}},
                 "2": {"class_type": "Add", "inputs": {"a": 1}},
                 "8": {"class_type": "Show", "inputs": {"value": ["1", 0]}},
                 "9": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}""";
        assertFalse(h.validate(json).isValid());
        ValidationResult partial = h.validate(json, new ValidationOptions(null, false));
        assertTrue(partial.isValid());
        assertEquals(List.of("8"), partial.workflow().targets());
        assertTrue(partial.nodeErrors().containsKey("2"));
    }

    @Test
    void partialExecutionTargets() {
        String json = """
                {"1": {"class_type": "Const", "inputs": {"value": 1}},
                 "8": {"class_type": "Show", "inputs": {"value": ["1", 0]}},
                 "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""";
        ValidationResult r = h.validate(json, ValidationOptions.STRICT.withPartialTargets(List.of("9")));
        assertEquals(List.of("9"), r.workflow().targets());
        ValidationResult none = h.validate(json, ValidationOptions.STRICT.withPartialTargets(List.of("1")));
        assertEquals("prompt_no_outputs", none.error().type());
    }

    @Test
    void wrappedListLiteralsAndUnknownInputs() {
        ValidationResult r = h.validate("""
                {"1": {"class_type": "Show", "inputs": {"value": {"__value__": [1, 2]}, "extra": 5}}}""");
        assertTrue(r.isValid());
        assertEquals(List.of(1L, 2L), r.workflow().nodes().get("1").literals().get("value"));
        assertNull(r.workflow().nodes().get("1").literals().get("extra"), "undeclared inputs are dropped");
        assertEquals(Map.of("1", List.of("extra")), r.ignoredInputs(), "and reported so callers can warn");
    }

    @Test
    void notAWorkflowAtAll() {
        assertThrows(WorkflowParseException.class, () -> WorkflowParser.parse("[1, 2]"));
        assertThrows(WorkflowParseException.class, () -> WorkflowParser.parse("{\"1\": 5}"));
        assertThrows(WorkflowParseException.class, () -> WorkflowParser.parse("{nope"));
    }
}
