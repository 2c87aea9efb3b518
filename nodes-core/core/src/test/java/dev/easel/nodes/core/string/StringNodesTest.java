package dev.easel.nodes.core.string;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.node.Node;
import dev.easel.node.NodeInputs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StringNodesTest {

    private static Object run(Node node, Object... keyValues) throws Exception {
        Map<String, Object> inputs = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            inputs.put((String) keyValues[i], keyValues[i + 1]);
        }
        return node.execute(NodeInputs.of(inputs), null).values().get(0);
    }

    @Test
    void concatenateJoinsWithTheDelimiter() throws Exception {
        assertEquals("cat, dog", run(new StringConcatenate(), "string_a", "cat", "string_b", "dog", "delimiter", ", "));
        assertEquals("catdog", run(new StringConcatenate(), "string_a", "cat", "string_b", "dog", "delimiter", ""));
    }

    @Test
    void substringIsPythonSlicing() throws Exception {
        Node node = new StringSubstring();
        assertEquals("ell", run(node, "string", "hello", "start", 1L, "end", 4L));
        assertEquals("lo", run(node, "string", "hello", "start", -2L, "end", 99L));
        assertEquals("", run(node, "string", "hello", "start", 4L, "end", 2L));
        assertEquals("hell", run(node, "string", "hello", "start", -99L, "end", -1L));
        assertEquals("\uD83D\uDE00b", run(node, "string", "a\uD83D\uDE00bc", "start", 1L, "end", 3L),
                "an emoji is one character, as in Python");
    }

    @Test
    void lengthCountsCodePoints() throws Exception {
        assertEquals(5L, run(new StringLength(), "string", "hello"));
        assertEquals(3L, run(new StringLength(), "string", "a\uD83D\uDE00b"));
        assertEquals("length", new StringLength().schema().outputs().get(0).name());
    }

    @Test
    void replaceIsLiteralAndGlobal() throws Exception {
        assertEquals("a-b-c", run(new StringReplace(), "string", "a.b.c", "find", ".", "replace", "-"));
        assertEquals("-a-b-", run(new StringReplace(), "string", "ab", "find", "", "replace", "-"),
                "Python inserts between characters for an empty find");
    }

    @Test
    void formatFillsPlaceholdersWithPythonText() throws Exception {
        Node node = new StringFormat();
        assertEquals("a cat, 3 times, 0.5 strong, True {x}",
                run(node, "template", "a {a}, {b} times, {c} strong, True {{x}}", "a", "cat", "b", 3L, "c", 0.5));
        assertEquals("[1, 'two'] 1e-05", run(node, "template", "{a} {b}", "a", List.of(1L, "two"), "b", 1e-5));
    }

    @Test
    void formatNamesTheMissingInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(new StringFormat(), "template", "{a} and {b}", "a", "x"));
        assertTrue(e.getMessage().contains("{b}") && e.getMessage().contains("input 'b'"), e.getMessage());
    }

    @Test
    void formatRejectsUnknownPlaceholdersAndStrayBraces() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> run(new StringFormat(), "template", "{name}", "a", "x"));
        assertTrue(unknown.getMessage().contains("{name}"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> run(new StringFormat(), "template", "{a", "a", "x"));
        assertThrows(IllegalArgumentException.class, () -> run(new StringFormat(), "template", "a}", "a", "x"));
    }

    @Test
    void schemasMatchComfyUi() {
        assertEquals("Concatenate", new StringConcatenate().schema().displayName());
        assertEquals("utils/string", new StringConcatenate().schema().category());
        assertEquals("", new StringConcatenate().schema().input("delimiter").orElseThrow().defaultValue());
        assertEquals(List.of("string", "find", "replace"),
                new StringReplace().schema().inputs().stream().map(i -> i.name()).toList());
        assertEquals(List.of("a", "b", "c"),
                new StringFormat().schema().optionalInputs().stream().map(i -> i.name()).toList());
    }
}
