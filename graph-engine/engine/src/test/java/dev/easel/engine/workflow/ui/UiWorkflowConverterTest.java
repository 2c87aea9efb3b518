package dev.easel.engine.workflow.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.ValidationResult;
import dev.easel.engine.validation.WorkflowValidator;
import dev.easel.engine.workflow.InputValue;
import dev.easel.engine.workflow.WorkflowParser;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UiWorkflowConverterTest {

    private static final ObjectMapper JSON = WorkflowParser.mapper();

    private final NodeRegistry registry = new NodeRegistry();
    private final UiWorkflowConverter converter;

    UiWorkflowConverterTest() {
        registry.register(new UiTestNodes());
        converter = new UiWorkflowConverter(registry);
    }

    private JsonNode convert(String ui) throws Exception {
        return converter.toApiPrompt(JSON.readTree(ui));
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    /** ComfyUI frontend's defaultGraph.ts (api-contract §10), version 0.4, as the editor saves it. */
    static final String DEFAULT_GRAPH = """
            {"id": "b6a2e7a4-7b7c-4c6a-9d3e-0d1f0b3c6f11", "revision": 0, "last_node_id": 9, "last_link_id": 9,
             "nodes": [
              {"id": 7, "type": "CLIPTextEncode", "pos": [413, 389], "size": [425, 180], "flags": {}, "order": 3,
               "mode": 0, "inputs": [{"name": "clip", "type": "CLIP", "link": 5}],
               "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING", "links": [6], "slot_index": 0}],
               "properties": {"Node name for S&R": "CLIPTextEncode"}, "widgets_values": ["text, watermark"]},
              {"id": 6, "type": "CLIPTextEncode", "pos": [415, 186], "size": [422, 164], "flags": {}, "order": 2,
               "mode": 0, "inputs": [{"name": "clip", "type": "CLIP", "link": 3}],
               "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING", "links": [4], "slot_index": 0}],
               "properties": {"Node name for S&R": "CLIPTextEncode"},
               "widgets_values": ["beautiful scenery nature glass bottle landscape, , purple galaxy bottle,"]},
              {"id": 5, "type": "EmptyLatentImage", "pos": [473, 609], "size": [315, 106], "flags": {}, "order": 1,
               "mode": 0, "inputs": [],
               "outputs": [{"name": "LATENT", "type": "LATENT", "links": [2], "slot_index": 0}],
               "properties": {"Node name for S&R": "EmptyLatentImage"}, "widgets_values": [512, 512, 1]},
              {"id": 3, "type": "KSampler", "pos": [863, 186], "size": [315, 262], "flags": {}, "order": 4, "mode": 0,
               "inputs": [{"name": "model", "type": "MODEL", "link": 1},
                          {"name": "positive", "type": "CONDITIONING", "link": 4},
                          {"name": "negative", "type": "CONDITIONING", "link": 6},
                          {"name": "latent_image", "type": "LATENT", "link": 2}],
               "outputs": [{"name": "LATENT", "type": "LATENT", "links": [7], "slot_index": 0}],
               "properties": {"Node name for S&R": "KSampler"},
               "widgets_values": [156680208700286, true, 20, 8, "euler", "normal", 1]},
              {"id": 8, "type": "VAEDecode", "pos": [1209, 188], "size": [210, 46], "flags": {}, "order": 5,
               "mode": 0, "inputs": [{"name": "samples", "type": "LATENT", "link": 7},
                                     {"name": "vae", "type": "VAE", "link": 8}],
               "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [9], "slot_index": 0}],
               "properties": {"Node name for S&R": "VAEDecode"}},
              {"id": 9, "type": "SaveImage", "pos": [1451, 189], "size": [210, 58], "flags": {}, "order": 6,
               "mode": 0, "inputs": [{"name": "images", "type": "IMAGE", "link": 9}], "outputs": [],
               "properties": {}, "widgets_values": ["ComfyUI"]},
              {"id": 4, "type": "CheckpointLoaderSimple", "pos": [26, 474], "size": [315, 98], "flags": {},
               "order": 0, "mode": 0, "inputs": [],
               "outputs": [{"name": "MODEL", "type": "MODEL", "links": [1], "slot_index": 0},
                           {"name": "CLIP", "type": "CLIP", "links": [3, 5], "slot_index": 1},
                           {"name": "VAE", "type": "VAE", "links": [8], "slot_index": 2}],
               "properties": {"Node name for S&R": "CheckpointLoaderSimple"},
               "widgets_values": ["v1-5-pruned-emaonly.ckpt"]}],
             "links": [[1, 4, 0, 3, 0, "MODEL"], [2, 5, 0, 3, 3, "LATENT"], [3, 4, 1, 6, 0, "CLIP"],
                       [4, 6, 0, 3, 1, "CONDITIONING"], [5, 4, 1, 7, 0, "CLIP"], [6, 7, 0, 3, 2, "CONDITIONING"],
                       [7, 3, 0, 8, 0, "LATENT"], [8, 4, 2, 8, 1, "VAE"], [9, 8, 0, 9, 0, "IMAGE"]],
             "groups": [], "config": {}, "extra": {"ds": {"scale": 1, "offset": [0, 0]}}, "version": 0.4,
             "models": [{"name": "v1-5-pruned-emaonly.ckpt",
                         "url": "https://huggingface.co/runwayml/stable-diffusion-v1-5/resolve/main/v1-5-pruned-emaonly.ckpt",
                         "directory": "checkpoints"}]}""";

    static final String DEFAULT_PROMPT = """
            {"3": {"inputs": {"seed": 156680208700286, "steps": 20, "cfg": 8, "sampler_name": "euler",
                              "scheduler": "normal", "denoise": 1, "model": ["4", 0], "positive": ["6", 0],
                              "negative": ["7", 0], "latent_image": ["5", 0]},
                   "class_type": "KSampler", "_meta": {"title": "KSampler"}},
             "4": {"inputs": {"ckpt_name": "v1-5-pruned-emaonly.ckpt"}, "class_type": "CheckpointLoaderSimple",
                   "_meta": {"title": "Load Checkpoint"}},
             "5": {"inputs": {"width": 512, "height": 512, "batch_size": 1}, "class_type": "EmptyLatentImage",
                   "_meta": {"title": "Empty Latent Image"}},
             "6": {"inputs": {"text": "beautiful scenery nature glass bottle landscape, , purple galaxy bottle,",
                              "clip": ["4", 1]},
                   "class_type": "CLIPTextEncode", "_meta": {"title": "CLIP Text Encode (Prompt)"}},
             "7": {"inputs": {"text": "text, watermark", "clip": ["4", 1]}, "class_type": "CLIPTextEncode",
                   "_meta": {"title": "CLIP Text Encode (Prompt)"}},
             "8": {"inputs": {"samples": ["3", 0], "vae": ["4", 2]}, "class_type": "VAEDecode",
                   "_meta": {"title": "VAE Decode"}},
             "9": {"inputs": {"images": ["8", 0], "filename_prefix": "ComfyUI"}, "class_type": "SaveImage",
                   "_meta": {"title": "Save Image"}}}""";

    @Test
    void defaultGraphConvertsToTheApiPromptAndValidates() throws Exception {
        JsonNode prompt = convert(DEFAULT_GRAPH);
        assertEquals(json(DEFAULT_PROMPT), prompt);
        ValidationResult validation = new WorkflowValidator(registry)
                .validate(WorkflowParser.fromJson(prompt), ValidationOptions.STRICT);
        assertTrue(validation.isValid(), () -> String.valueOf(validation.toJson()));
        assertEquals(7, validation.workflow().nodes().size());
    }

    @Test
    void detectsTheUiFormatOnly() throws Exception {
        assertTrue(UiWorkflowConverter.isUiWorkflow(json(DEFAULT_GRAPH)));
        assertFalse(UiWorkflowConverter.isUiWorkflow(json(DEFAULT_PROMPT)));
        assertFalse(UiWorkflowConverter.isUiWorkflow(json("{\"nodes\": [], \"links\": {}}")));
        assertFalse(UiWorkflowConverter.isUiWorkflow(json("[]")));
    }

    @Test
    void chainedReroutesResolveToTheRealOrigin() throws Exception {
        JsonNode prompt = convert("""
                {"nodes": [
                  {"id": 4, "type": "CheckpointLoaderSimple", "widgets_values": ["v1-5-pruned-emaonly.ckpt"]},
                  {"id": 10, "type": "Reroute", "inputs": [{"name": "", "type": "*", "link": 1}]},
                  {"id": 11, "type": "Reroute", "inputs": [{"name": "", "type": "*", "link": 2}]},
                  {"id": 12, "type": "Reroute", "inputs": [{"name": "", "type": "*", "link": 3}]},
                  {"id": 6, "type": "CLIPTextEncode", "inputs": [{"name": "clip", "type": "CLIP", "link": 4}],
                   "widgets_values": ["a"]},
                  {"id": 7, "type": "CLIPTextEncode", "inputs": [{"name": "clip", "type": "CLIP", "link": 5}],
                   "widgets_values": ["b"]}],
                 "links": [[1, 4, 1, 10, 0, "*"], [2, 10, 0, 11, 0, "*"], [3, 11, 0, 12, 0, "*"],
                           [4, 12, 0, 6, 0, "CLIP"], [5, 10, 0, 7, 0, "CLIP"]]}""");
        assertEquals(json("[\"4\", 1]"), prompt.at("/6/inputs/clip"));
        assertEquals(json("[\"4\", 1]"), prompt.at("/7/inputs/clip"));
        assertEquals(3, prompt.size(), "reroutes are not emitted: " + prompt);
    }

    @Test
    void primitiveNodeValueFeedsTheWidgetsItIsLinkedTo() throws Exception {
        // KSampler's seed and steps were turned into sockets; the primitive's value wins over the stale widget value.
        JsonNode prompt = convert("""
                {"nodes": [
                  {"id": 20, "type": "PrimitiveNode", "outputs": [{"name": "INT", "type": "INT", "links": [1, 2],
                   "widget": {"name": "seed"}}], "widgets_values": [42, "fixed"]},
                  {"id": 3, "type": "KSampler",
                   "inputs": [{"name": "model", "type": "MODEL", "link": null},
                              {"name": "seed", "type": "INT", "widget": {"name": "seed"}, "link": 1}],
                   "widgets_values": [7, "randomize", 20, 8, "euler", "normal", 1]},
                  {"id": 30, "type": "EmptyLatentImage",
                   "inputs": [{"name": "width", "type": "INT", "widget": {"name": "width"}, "link": 2}],
                   "widgets_values": [512, 768, 1]}],
                 "links": [[1, 20, 0, 3, 1, "INT"], [2, 20, 0, 30, 0, "INT"]]}""");
        assertEquals(42, prompt.at("/3/inputs/seed").asInt());
        assertEquals(20, prompt.at("/3/inputs/steps").asInt());
        assertEquals(42, prompt.at("/30/inputs/width").asInt());
        assertEquals(768, prompt.at("/30/inputs/height").asInt());
        assertTrue(prompt.at("/3/inputs/model").isMissingNode(), "an unlinked socket is omitted");
        assertTrue(prompt.path("20").isMissingNode());
    }

    @Test
    void bypassedNodePassesTheInputOfTheConsumersTypeThrough() throws Exception {
        // SwappedLoraLoader: inputs (clip, model), outputs (MODEL, CLIP); output 0 must pass input 1 (the MODEL).
        JsonNode prompt = convert("""
                {"nodes": [
                  {"id": 4, "type": "CheckpointLoaderSimple", "widgets_values": ["v1-5-pruned-emaonly.ckpt"]},
                  {"id": 10, "type": "SwappedLoraLoader", "mode": 4,
                   "inputs": [{"name": "clip", "type": "CLIP", "link": 1}, {"name": "model", "type": "MODEL", "link": 2}],
                   "widgets_values": [0.5]},
                  {"id": 3, "type": "KSampler", "inputs": [{"name": "model", "type": "MODEL", "link": 3}],
                   "widgets_values": [1, "fixed", 20, 8, "euler", "normal", 1]},
                  {"id": 6, "type": "CLIPTextEncode", "inputs": [{"name": "clip", "type": "CLIP", "link": 4}],
                   "widgets_values": ["a"]},
                  {"id": 8, "type": "VAEDecode", "mode": 4,
                   "inputs": [{"name": "samples", "type": "LATENT", "link": null}, {"name": "vae", "type": "VAE", "link": 5}]},
                  {"id": 9, "type": "SaveImage", "inputs": [{"name": "images", "type": "IMAGE", "link": 6}],
                   "widgets_values": ["x"]}],
                 "links": [[1, 4, 1, 10, 0, "CLIP"], [2, 4, 0, 10, 1, "MODEL"], [3, 10, 0, 3, 0, "MODEL"],
                           [4, 10, 1, 6, 0, "CLIP"], [5, 4, 2, 8, 1, "VAE"], [6, 8, 0, 9, 0, "IMAGE"]]}""");
        assertEquals(json("[\"4\", 0]"), prompt.at("/3/inputs/model"));
        assertEquals(json("[\"4\", 1]"), prompt.at("/6/inputs/clip"));
        assertTrue(prompt.path("10").isMissingNode() && prompt.path("8").isMissingNode(), prompt.toString());
        // The bypassed VAEDecode has no IMAGE input to pass on: SaveImage loses the link, keeps its widget.
        assertTrue(prompt.at("/9/inputs/images").isMissingNode(), prompt.toString());
        assertEquals("x", prompt.at("/9/inputs/filename_prefix").asText());
    }

    @Test
    void mutedNodeIsLeftOutAndItsConsumersLoseTheLink() throws Exception {
        JsonNode ui = json(DEFAULT_GRAPH);
        ((ObjectNode) ui.get("nodes").get(1)).put("mode", 2); // node 6
        JsonNode prompt = converter.toApiPrompt(ui);
        assertTrue(prompt.path("6").isMissingNode());
        assertTrue(prompt.at("/3/inputs/positive").isMissingNode(), prompt.toString());
        assertEquals(json("[\"7\", 0]"), prompt.at("/3/inputs/negative"));
        ValidationResult validation = new WorkflowValidator(registry)
                .validate(WorkflowParser.fromJson(prompt), ValidationOptions.STRICT);
        assertFalse(validation.isValid());
        assertEquals("required_input_missing", validation.nodeErrors().get("3").errors().get(0).type());
    }

    @Test
    void notesAreSkipped() throws Exception {
        JsonNode prompt = convert("""
                {"nodes": [{"id": 1, "type": "Note", "widgets_values": ["remember"]},
                           {"id": 2, "type": "MarkdownNote", "widgets_values": ["# hi"]},
                           {"id": 5, "type": "EmptyLatentImage", "widgets_values": [64, 64, 2]}],
                 "links": []}""");
        assertEquals(json("""
                {"5": {"inputs": {"width": 64, "height": 64, "batch_size": 2}, "class_type": "EmptyLatentImage",
                       "_meta": {"title": "Empty Latent Image"}}}"""), prompt);
    }

    @Test
    void widgetTurnedIntoASocketTakesTheLinkAndStillUsesItsPosition() throws Exception {
        JsonNode prompt = convert("""
                {"nodes": [
                  {"id": 1, "type": "IntConstant", "widgets_values": [33, "increment"]},
                  {"id": 3, "type": "KSampler", "title": "My sampler",
                   "inputs": [{"name": "steps", "type": "INT", "widget": {"name": "steps"}, "link": 1}],
                   "widgets_values": [5, "randomize", 999, 6.5, "euler_ancestral", "karras", 0.75]}],
                 "links": [[1, 1, 0, 3, 2, "INT"]]}""");
        assertEquals(json("""
                {"seed": 5, "steps": ["1", 0], "cfg": 6.5, "sampler_name": "euler_ancestral", "scheduler": "karras",
                 "denoise": 0.75}"""), prompt.at("/3/inputs"));
        assertEquals("My sampler", prompt.at("/3/_meta/title").asText());
        assertEquals(json("{\"value\": 33}"), prompt.at("/1/inputs"), "control_after_generate entry skipped");
    }

    @Test
    void forceInputHasNoWidgetSlotAndListLiteralsAreWrapped() throws Exception {
        // Mixed: count (forceInput), label, values (socket), optional flag, scale (+control), suffix.
        JsonNode prompt = convert("""
                {"nodes": [{"id": 1, "type": "Mixed",
                   "widgets_values": ["name", true, [1, 2], "fixed", "!", "extra1", "extra2"]}],
                 "links": []}""");
        assertEquals(json("""
                {"label": "name", "flag": true, "scale": {"__value__": [1, 2]}, "suffix": "!"}"""),
                prompt.at("/1/inputs"));
        assertEquals(List.of(1L, 2L),
                WorkflowParser.fromJson(prompt).node("1").inputs().get("scale") instanceof
                        InputValue.Literal l ? l.value() : null);
    }

    @Test
    void tooFewValuesLeaveInputsOutAndUploadButtonIsSkipped() throws Exception {
        JsonNode prompt = convert("""
                {"nodes": [{"id": 1, "type": "KSampler", "widgets_values": [5, "fixed", 30]},
                           {"id": 2, "type": "LoadImage", "widgets_values": ["example.png", "image", "hello"]},
                           {"id": 3, "type": "EmptyLatentImage", "widgets_values": [64, null, 1]}],
                 "links": []}""");
        assertEquals(json("{\"seed\": 5, \"steps\": 30}"), prompt.at("/1/inputs"));
        assertEquals(json("{\"image\": \"example.png\", \"note\": \"hello\"}"), prompt.at("/2/inputs"));
        assertEquals(json("{\"width\": 64, \"batch_size\": 1}"), prompt.at("/3/inputs"));
    }

    @Test
    void objectFormWidgetsValuesAreReadByName() throws Exception {
        JsonNode prompt = convert("""
                {"nodes": [{"id": 1, "type": "KSampler",
                   "widgets_values": {"seed": 11, "control_after_generate": "fixed", "cfg": 2.5, "steps": 4,
                                      "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0,
                                      "unknown": 1}}],
                 "links": []}""");
        assertEquals(json("""
                {"seed": 11, "steps": 4, "cfg": 2.5, "sampler_name": "euler", "scheduler": "normal",
                 "denoise": 1.0}"""), prompt.at("/1/inputs"));
    }

    @Test
    void version1ObjectLinksAndStringIds() throws Exception {
        JsonNode prompt = convert("""
                {"version": 1, "state": {"lastNodeId": 9, "lastLinkId": 2},
                 "nodes": [{"id": 4, "type": "CheckpointLoaderSimple", "widgets_values": ["v1-5-pruned-emaonly.ckpt"]},
                           {"id": "6", "type": "CLIPTextEncode",
                            "inputs": [{"name": "clip", "type": "CLIP", "link": 2}], "widgets_values": ["a"]}],
                 "links": [{"id": 2, "origin_id": 4, "origin_slot": 1, "target_id": "6", "target_slot": 0,
                            "type": "CLIP", "parentId": 1}],
                 "reroutes": [{"id": 1, "pos": [0, 0], "linkIds": [2]}]}""");
        assertEquals(json("[\"4\", 1]"), prompt.at("/6/inputs/clip"));
    }

    @Test
    void unknownNodeTypeIsAnErrorNamingTheNode() throws Exception {
        UiWorkflowException e = assertThrows(UiWorkflowException.class, () -> convert("""
                {"nodes": [{"id": 12, "type": "FancyUpscaler", "widgets_values": []}], "links": []}"""));
        assertEquals(UiWorkflowException.MISSING_NODE_TYPE, e.errorType());
        assertEquals("12", e.nodeId());
        assertEquals("FancyUpscaler", e.nodeType());
        assertTrue(e.getMessage().contains("node 12 (FancyUpscaler)"), e.getMessage());
        // Muted, it is never sent, so it does not matter that nothing provides it.
        assertEquals(0, convert("""
                {"nodes": [{"id": 12, "type": "FancyUpscaler", "mode": 2}], "links": []}""").size());
    }

    @Test
    void malformedInputIsAClearError() {
        UiWorkflowException badWidgets = assertThrows(UiWorkflowException.class, () -> convert("""
                {"nodes": [{"id": 3, "type": "KSampler", "widgets_values": 5}], "links": []}"""));
        assertTrue(badWidgets.getMessage().startsWith("node 3 (KSampler): widgets_values"), badWidgets.getMessage());
        UiWorkflowException badLink = assertThrows(UiWorkflowException.class, () -> convert("""
                {"nodes": [], "links": [[1, 2]]}"""));
        assertNull(badLink.nodeId());
        assertTrue(badLink.getMessage().contains("[1,2]"), badLink.getMessage());
        UiWorkflowException loop = assertThrows(UiWorkflowException.class, () -> convert("""
                {"nodes": [{"id": 1, "type": "Reroute", "inputs": [{"name": "", "type": "*", "link": 2}]},
                           {"id": 2, "type": "Reroute", "inputs": [{"name": "", "type": "*", "link": 1}]},
                           {"id": 9, "type": "SaveImage", "inputs": [{"name": "images", "type": "IMAGE", "link": 3}]}],
                 "links": [[1, 1, 0, 2, 0, "*"], [2, 2, 0, 1, 0, "*"], [3, 2, 0, 9, 0, "IMAGE"]]}"""));
        assertEquals("images", loop.inputName());
        assertTrue(loop.getMessage().contains("node 9 (SaveImage) input 'images'"), loop.getMessage());
    }

    @Test
    void subgraphsAreFlattenedIntoColonPathIds() throws Exception {
        // Instance 10 of "outer" holds CLIPTextEncode 1 and instance 5 of "inner" (CLIPTextEncode 1 again); both
        // read the instance's clip input and feed the instance's two outputs.
        JsonNode prompt = convert("""
                {"version": 1,
                 "nodes": [
                  {"id": 4, "type": "CheckpointLoaderSimple", "widgets_values": ["v1-5-pruned-emaonly.ckpt"]},
                  {"id": 10, "type": "0b3c-outer", "inputs": [{"name": "clip", "type": "CLIP", "link": 1}],
                   "outputs": [{"name": "cond", "type": "CONDITIONING", "links": [2]},
                               {"name": "cond2", "type": "CONDITIONING", "links": [3]}]},
                  {"id": 3, "type": "KSampler",
                   "inputs": [{"name": "positive", "type": "CONDITIONING", "link": 2},
                              {"name": "negative", "type": "CONDITIONING", "link": 3}],
                   "widgets_values": [1, "fixed", 20, 8, "euler", "normal", 1]}],
                 "links": [{"id": 1, "origin_id": 4, "origin_slot": 1, "target_id": 10, "target_slot": 0, "type": "CLIP"},
                           {"id": 2, "origin_id": 10, "origin_slot": 0, "target_id": 3, "target_slot": 0,
                            "type": "CONDITIONING"},
                           {"id": 3, "origin_id": 10, "origin_slot": 1, "target_id": 3, "target_slot": 1,
                            "type": "CONDITIONING"}],
                 "definitions": {"subgraphs": [
                  {"id": "0b3c-outer", "name": "Prompts", "inputNode": {"id": -10}, "outputNode": {"id": -20},
                   "inputs": [{"id": "i0", "name": "clip", "type": "CLIP", "linkIds": [11, 12]}],
                   "outputs": [{"id": "o0", "name": "cond", "type": "CONDITIONING", "linkIds": [13]},
                               {"id": "o1", "name": "cond2", "type": "CONDITIONING", "linkIds": [14]}],
                   "widgets": [],
                   "nodes": [
                    {"id": 1, "type": "CLIPTextEncode", "title": "Outer text",
                     "inputs": [{"name": "clip", "type": "CLIP", "link": 11}], "widgets_values": ["outer"]},
                    {"id": 5, "type": "7f1e-inner", "inputs": [{"name": "clip", "type": "CLIP", "link": 12}]},
                    {"id": 6, "type": "Note", "widgets_values": ["inside"]}],
                   "links": [
                    {"id": 11, "origin_id": -10, "origin_slot": 0, "target_id": 1, "target_slot": 0, "type": "CLIP"},
                    {"id": 12, "origin_id": -10, "origin_slot": 0, "target_id": 5, "target_slot": 0, "type": "CLIP"},
                    {"id": 13, "origin_id": 1, "origin_slot": 0, "target_id": -20, "target_slot": 0,
                     "type": "CONDITIONING"},
                    {"id": 14, "origin_id": 5, "origin_slot": 0, "target_id": -20, "target_slot": 1,
                     "type": "CONDITIONING"}]},
                  {"id": "7f1e-inner", "name": "Inner", "inputNode": {"id": -10}, "outputNode": {"id": -20},
                   "inputs": [{"id": "j0", "name": "clip", "type": "CLIP", "linkIds": [21]}],
                   "outputs": [{"id": "p0", "name": "cond", "type": "CONDITIONING", "linkIds": [22]}],
                   "nodes": [{"id": 1, "type": "CLIPTextEncode",
                              "inputs": [{"name": "clip", "type": "CLIP", "link": 21}], "widgets_values": ["inner"]}],
                   "links": [
                    {"id": 21, "origin_id": -10, "origin_slot": 0, "target_id": 1, "target_slot": 0, "type": "CLIP"},
                    {"id": 22, "origin_id": 1, "origin_slot": 0, "target_id": -20, "target_slot": 0,
                     "type": "CONDITIONING"}]}]}}""");
        assertEquals(Set.of("4", "10:1", "10:5:1", "3"), fieldNames(prompt));
        assertEquals(json("""
                {"inputs": {"text": "outer", "clip": ["4", 1]}, "class_type": "CLIPTextEncode",
                 "_meta": {"title": "Outer text"}}"""), prompt.get("10:1"));
        assertEquals(json("{\"text\": \"inner\", \"clip\": [\"4\", 1]}"), prompt.at("/10:5:1/inputs"));
        assertEquals(json("[\"10:1\", 0]"), prompt.at("/3/inputs/positive"));
        assertEquals(json("[\"10:5:1\", 0]"), prompt.at("/3/inputs/negative"));
    }

    @Test
    void aSubgraphThatContainsItselfIsAnError() {
        UiWorkflowException e = assertThrows(UiWorkflowException.class, () -> convert("""
                {"nodes": [{"id": 1, "type": "loop"}], "links": [],
                 "definitions": {"subgraphs": [{"id": "loop", "nodes": [{"id": 2, "type": "loop"}], "links": []}]}}"""));
        assertEquals("1:2", e.nodeId());
        assertTrue(e.getMessage().contains("contains an instance of itself"), e.getMessage());
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new HashSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
