package dev.easel.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A benchmark run's numbers: each printed as it is recorded, then all written as {@code <name>.json} (with facts about
 * the run) and as a Markdown table in {@code <name>.md}.
 */
final class ResultsTable {

    private final List<Map<String, Object>> rows = new ArrayList<>();
    private final String lineFormat;

    /** @param nameWidth the console column for the benchmark's name */
    ResultsTable(int nameWidth) {
        this.lineFormat = "%-" + nameWidth + "s %7d  %10.3f %-9s %s%n";
    }

    void record(String name, int size, String unit, double value, String target) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("benchmark", name);
        row.put("size", size);
        row.put("value", Math.round(value * 1000) / 1000.0);
        row.put("unit", unit);
        row.put("target", target);
        rows.add(row);
        System.out.printf(lineFormat, name, size, value, unit, target);
    }

    /**
     * @param facts   what the JSON document holds besides {@code results} (machine, options)
     * @param mdNotes a line appended under the Markdown table, or empty
     */
    void write(Path dir, String name, Map<String, Object> facts, String mdNotes, ObjectMapper json)
            throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> doc = new LinkedHashMap<>(facts);
        doc.put("results", rows);
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(name + ".json").toFile(), doc);
        StringBuilder md = new StringBuilder("| benchmark | size | value | unit | target |\n|---|---:|---:|---|---|\n");
        for (Map<String, Object> r : rows) {
            md.append("| ").append(r.get("benchmark")).append(" | ").append(r.get("size")).append(" | ")
                    .append(r.get("value")).append(" | ").append(r.get("unit")).append(" | ").append(r.get("target"))
                    .append(" |\n");
        }
        if (!mdNotes.isEmpty()) {
            md.append('\n').append(mdNotes).append('\n');
        }
        Files.writeString(dir.resolve(name + ".md"), md);
        System.out.println("\nwrote " + dir.resolve(name + ".json").toAbsolutePath() + " and " + name + ".md");
    }
}
