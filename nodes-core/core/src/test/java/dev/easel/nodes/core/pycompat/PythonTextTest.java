package dev.easel.nodes.core.pycompat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PythonTextTest {

    @Test
    void floatReprMatchesPython() {
        assertEquals("0.1", PythonText.floatRepr(0.1));
        assertEquals("1.0", PythonText.floatRepr(1.0));
        assertEquals("-2.5", PythonText.floatRepr(-2.5));
        assertEquals("0.0001", PythonText.floatRepr(0.0001));
        assertEquals("1e-05", PythonText.floatRepr(0.00001));
        assertEquals("1.5e-07", PythonText.floatRepr(1.5e-7));
        assertEquals("1234567890123456.0", PythonText.floatRepr(1234567890123456.0));
        assertEquals("1e+16", PythonText.floatRepr(1e16));
        assertEquals("1.2345678901234568e+17", PythonText.floatRepr(123456789012345678.0));
        assertEquals("-0.0", PythonText.floatRepr(-0.0));
        assertEquals("inf", PythonText.floatRepr(Double.POSITIVE_INFINITY));
        assertEquals("nan", PythonText.floatRepr(Double.NaN));
    }

    @Test
    void reprOfContainers() {
        assertEquals("[1, 'a', None, True, 0.5]", PythonText.repr(Arrays.asList(1L, "a", null, true, 0.5)));
        assertEquals("{'k': \"it's\"}", PythonText.repr(Map.of("k", "it's")));
        assertEquals("'a\\nb'", PythonText.repr("a\nb"));
        assertEquals("text", PythonText.str("text"));
        assertEquals("[]", PythonText.str(List.of()));
    }

    @Test
    void jsonDumpsLayout() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("a", List.of(1L, 2.5, "\u00e9"));
        value.put("b", null);
        String json = PythonJson.dumps(value);
        assertEquals("{\"a\": [1, 2.5, \"\\u00e9\"], \"b\": null}", json.replace("\\u00E9", "\\u00e9"),
                "ensure_ascii escapes (hex case aside)");
        assertEquals("[]", PythonJson.dumps(List.of()));
        assertEquals("[\n    1,\n    [\n        2\n    ]\n]", PythonJson.dumpsIndented(List.of(1L, List.of(2L))));
    }

    @Test
    void stringsCountCodePoints() {
        String s = "x\uD83D\uDE00y";
        assertEquals(3, PythonStrings.length(s));
        assertEquals("y", PythonStrings.slice(s, -1, 3));
        assertEquals("x\uD83D\uDE00", PythonStrings.slice(s, 0, -1));
    }
}
