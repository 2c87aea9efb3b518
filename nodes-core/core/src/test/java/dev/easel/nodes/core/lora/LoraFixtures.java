package dev.easel.nodes.core.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/** The public LoRA reference fixtures ({@code ../shared/fixtures/lora}, see its README). */
public final class LoraFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LoraFixtures() {
    }

    /** {@code ../shared/fixtures}. */
    public static Path fixtures() {
        return Path.of(System.getProperty("easel.repo.root")).resolve("../shared/fixtures").normalize();
    }

    /** A file of {@code fixtures/lora}. */
    public static Path file(String name) {
        return fixtures().resolve("lora").resolve(name);
    }

    /** The case of {@code index.json} for a LoRA format ({@code kohya} or {@code peft}). */
    public static JsonNode caseOf(String format) throws IOException {
        for (JsonNode c : JSON.readTree(file("index.json").toFile()).get("cases")) {
            if (c.get("format").asText().equals(format)) {
                return c;
            }
        }
        throw new IllegalStateException("no " + format + " case in the LoRA fixtures");
    }
}
