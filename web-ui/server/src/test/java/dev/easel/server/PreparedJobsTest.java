package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.validation.ValidatedWorkflow;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.WorkflowValidator;
import dev.easel.engine.workflow.WorkflowParser;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The runner's hand-over of validated workflows: used once, only for the exact stored text, and bounded. */
class PreparedJobsTest {

    private static final String PROMPT = "{\"1\": {\"class_type\": \"Const\", \"inputs\": {\"value\": 1}},"
            + " \"2\": {\"class_type\": \"Show\", \"inputs\": {\"value\": [\"1\", 0]}}}";

    private static ValidatedWorkflow validated() throws Exception {
        NodeRegistry registry = new NodeRegistry();
        registry.register(new ServerTestNodes());
        var result = new WorkflowValidator(registry).validate(WorkflowParser.parse(PROMPT), ValidationOptions.STRICT);
        return result.workflow();
    }

    @Test
    void anEntryIsTakenOnceAndOnlyForTheSameText() throws Exception {
        PreparedJobs jobs = new PreparedJobs();
        ValidatedWorkflow workflow = validated();
        jobs.put("a", PROMPT, workflow, Map.of("k", 1));
        assertNull(jobs.take("a", PROMPT.replace("1}", "2}")), "another prompt under the same id");
        jobs.put("a", PROMPT, workflow, Map.of("k", 1));
        PreparedJobs.Prepared taken = jobs.take("a", PROMPT);
        assertNotNull(taken);
        assertSame(workflow, taken.workflow());
        assertEquals(Map.of("k", 1), taken.extraData());
        assertNull(jobs.take("a", PROMPT), "taken already");
        assertNull(jobs.take("b", PROMPT), "never put");
    }

    @Test
    void theOldestGoPastTheCapacity() throws Exception {
        PreparedJobs jobs = new PreparedJobs();
        ValidatedWorkflow workflow = validated();
        for (int i = 0; i <= PreparedJobs.CAPACITY; i++) {
            jobs.put("j" + i, PROMPT, workflow, Map.of());
        }
        assertNull(jobs.take("j0", PROMPT));
        assertNotNull(jobs.take("j1", PROMPT));
        assertNotNull(jobs.take("j" + PreparedJobs.CAPACITY, PROMPT));
    }

    @Test
    void bigPromptsAreBoundedBySizeNotJustCount() throws Exception {
        PreparedJobs jobs = new PreparedJobs();
        ValidatedWorkflow workflow = validated();
        String big = PROMPT + " ".repeat((int) (PreparedJobs.MAX_PROMPT_CHARS / 5));
        for (int i = 0; i < 6; i++) {
            jobs.put("b" + i, big, workflow, Map.of());
        }
        assertNull(jobs.take("b0", big), "pushed out by size");
        assertNotNull(jobs.take("b5", big));
        String huge = PROMPT + " ".repeat((int) (PreparedJobs.MAX_PROMPT_CHARS / 2));
        jobs.put("h", huge, workflow, Map.of());
        assertNull(jobs.take("h", huge), "never kept");
        assertNotNull(jobs.take("b4", big), "and it pushed nothing out");
    }
}
