package dev.easel.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.trainer.eval.TextToImageWorkflow;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** `easel train eval` measures the model with the default workflow's settings, so the model card's numbers are its. */
class EvalDefaultsTest {

    @Test
    void evalSamplesAsTheDefaultWorkflowDoes() throws IOException {
        JsonNode workflow = new ObjectMapper().readTree(Path.of("../../workflows/text-to-image.json").toFile());
        JsonNode sampler = workflow.get("3").get("inputs");
        JsonNode latent = workflow.get("5").get("inputs");
        EvalCommand eval = new EvalCommand();
        assertEquals(sampler.get("steps").asInt(), eval.steps);
        assertEquals(sampler.get("cfg").asDouble(), eval.cfg);
        assertEquals(sampler.get("sampler_name").asText(), eval.sampler);
        assertEquals(sampler.get("scheduler").asText(), eval.scheduler);
        assertEquals(1.0, sampler.get("denoise").asDouble());
        assertEquals(TextToImageWorkflow.SIZE, latent.get("width").asInt());
        assertEquals(TextToImageWorkflow.SIZE, latent.get("height").asInt());
        assertEquals("", workflow.get("7").get("inputs").get("text").asText(), "an empty negative prompt");
    }
}
