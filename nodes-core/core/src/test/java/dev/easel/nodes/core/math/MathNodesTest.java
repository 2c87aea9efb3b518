package dev.easel.nodes.core.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.node.Node;
import dev.easel.node.NodeInputs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MathNodesTest {

    private static Object math(Node node, Object a, Object b, String op) throws Exception {
        return node.execute(NodeInputs.of(Map.of("a", a, "b", b, "operation", op)), null).values().get(0);
    }

    @Test
    void intOperations() throws Exception {
        IntMath node = new IntMath();
        assertEquals(12L, math(node, 7L, 5L, "add"));
        assertEquals(2L, math(node, 7L, 5L, "subtract"));
        assertEquals(35L, math(node, 7L, 5L, "multiply"));
        assertEquals(1L, math(node, 7L, 5L, "divide"));
        assertEquals(-2L, math(node, -7L, 5L, "divide"), "floor division, as Python's //");
        assertEquals(3L, math(node, -7L, 5L, "modulo"), "sign of the divisor, as Python's %");
        assertEquals(1024L, math(node, 2L, 10L, "power"));
        assertEquals(1L, math(node, 0L, 0L, "power"));
        assertEquals(5L, math(node, 7L, 5L, "min"));
        assertEquals(7L, math(node, 7L, 5L, "max"));
    }

    @Test
    void intDivisionByZeroNamesTheInput() {
        for (String op : List.of("divide", "modulo")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> math(new IntMath(), 7L, 0L, op));
            assertTrue(e.getMessage().contains("input 'b'") && e.getMessage().contains("zero"), e.getMessage());
        }
    }

    @Test
    void intOverflowIsAnError() {
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> math(new IntMath(), Long.MAX_VALUE, 2L, "multiply"));
        assertTrue(e.getMessage().contains("64-bit"), e.getMessage());
        assertThrows(ArithmeticException.class, () -> math(new IntMath(), 3L, 64L, "power"));
        assertThrows(IllegalArgumentException.class, () -> math(new IntMath(), 3L, -1L, "power"));
    }

    @Test
    void floatOperations() throws Exception {
        FloatMath node = new FloatMath();
        assertEquals(0.30000000000000004, math(node, 0.1, 0.2, "add"));
        assertEquals(2.5, math(node, 5.0, 2.0, "divide"));
        assertEquals(1.5, math(node, -5.5, 3.5, "modulo"), "Python: -5.5 % 3.5 == 1.5");
        assertEquals(-2.0, math(node, 5.5, -3.75, "modulo"), "Python: 5.5 % -3.75 == -2.0");
        assertEquals(8.0, math(node, 2.0, 3L, "power"), "an INT input widens");
        assertEquals(-1.0, math(node, -1.0, 2.0, "min"));
    }

    @Test
    void floatErrors() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> math(new FloatMath(), 1.0, 0.0, "divide"));
        assertTrue(zero.getMessage().contains("input 'b'"), zero.getMessage());
        ArithmeticException nan = assertThrows(ArithmeticException.class,
                () -> math(new FloatMath(), -8.0, 0.5, "power"));
        assertTrue(nan.getMessage().contains("-8.0 power 0.5"), nan.getMessage());
        assertThrows(ArithmeticException.class, () -> math(new FloatMath(), 1e308, 10.0, "multiply"));
    }

    @Test
    void conversions() throws Exception {
        assertEquals(3.0, new IntToFloat().execute(NodeInputs.of(Map.of("value", 3L)), null).values().get(0));
        FloatToInt toInt = new FloatToInt();
        assertEquals(-2L, convert(toInt, -2.7, "truncate"));
        assertEquals(2L, convert(toInt, 2.5, "round"), "halves to even, as Python's round");
        assertEquals(4L, convert(toInt, 3.5, "round"));
        assertEquals(-3L, convert(toInt, -2.1, "floor"));
        assertEquals(3L, convert(toInt, 2.1, "ceil"));
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> convert(toInt, 1e19, "truncate"));
        assertTrue(e.getMessage().contains("'value'"), e.getMessage());
    }

    private static Object convert(Node node, double value, String rounding) throws Exception {
        return node.execute(NodeInputs.of(Map.of("value", value, "rounding", rounding)), null).values().get(0);
    }
}
