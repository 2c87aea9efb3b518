package dev.easel.nodes.core.pycompat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.util.Instantiatable;
import java.io.IOException;

/**
 * Jackson layout matching Python's {@code json.dumps}: without indent {@code {"a": 1, "b": [1, 2]}}; with indent
 * every entry on its own line, {@code ","} at line ends, and {@code []} / {@code {}} for empty containers.
 */
final class PythonStylePrettyPrinter implements PrettyPrinter, Instantiatable<PythonStylePrettyPrinter> {

    private final String indentUnit;
    private int depth;

    /** @param indentUnit one level of indentation, or {@code null} for the single-line form */
    PythonStylePrettyPrinter(String indentUnit) {
        this.indentUnit = indentUnit;
    }

    @Override
    public PythonStylePrettyPrinter createInstance() {
        return new PythonStylePrettyPrinter(indentUnit);
    }

    @Override
    public void writeRootValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw(' ');
    }

    @Override
    public void writeStartObject(JsonGenerator g) throws IOException {
        g.writeRaw('{');
        depth++;
    }

    @Override
    public void beforeObjectEntries(JsonGenerator g) throws IOException {
        newLine(g);
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw(": ");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
        separate(g);
    }

    @Override
    public void writeEndObject(JsonGenerator g, int entries) throws IOException {
        depth--;
        if (entries > 0) {
            newLine(g);
        }
        g.writeRaw('}');
    }

    @Override
    public void writeStartArray(JsonGenerator g) throws IOException {
        g.writeRaw('[');
        depth++;
    }

    @Override
    public void beforeArrayValues(JsonGenerator g) throws IOException {
        newLine(g);
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
        separate(g);
    }

    @Override
    public void writeEndArray(JsonGenerator g, int values) throws IOException {
        depth--;
        if (values > 0) {
            newLine(g);
        }
        g.writeRaw(']');
    }

    private void separate(JsonGenerator g) throws IOException {
        if (indentUnit == null) {
            g.writeRaw(", ");
        } else {
            g.writeRaw(',');
            newLine(g);
        }
    }

    private void newLine(JsonGenerator g) throws IOException {
        if (indentUnit != null) {
            g.writeRaw('\n');
            g.writeRaw(indentUnit.repeat(depth));
        }
    }
}
