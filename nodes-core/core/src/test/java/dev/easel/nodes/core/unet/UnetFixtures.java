package dev.easel.nodes.core.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.runtime.Torch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Shared fixture access for the UNet tests (../shared/fixtures, see its README). */
final class UnetFixtures {

    static final String UNET_PREFIX = "model.diffusion_model.";

    private UnetFixtures() {
    }

    static Path root() {
        return Path.of(System.getProperty("easel.repo.root")).resolve("../shared/fixtures");
    }

    /** The UNet of a fixture checkpoint (whole file read as float32, UNet keys kept). */
    static UNetModel loadUnet(String checkpoint, UNetConfig.Heads heads) {
        Torch.load();
        try {
            StateDict all = StateDict.readSafetensors(root().resolve(checkpoint), ScalarType.Float);
            try {
                StateDict unet = all.withPrefix(UNET_PREFIX);
                try {
                    return UNetModel.load(unet, UNetConfig.fromStateDict(ShapeSource.of(unet), heads));
                } finally {
                    unet.release();
                }
            } finally {
                all.release();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A component case file ({@code in/...}, {@code out/...}) as float32 tensors. */
    static StateDict readCase(String file) {
        Torch.load();
        try {
            return StateDict.readSafetensors(root().resolve(file), ScalarType.Float);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double maxAbsDiff(Tensor a, Tensor b) {
        try (PointerScope scope = new PointerScope()) {
            return a.to(ScalarType.Float).sub(b.to(ScalarType.Float)).abs().max().item().toDouble();
        }
    }

    static double maxAbs(Tensor a) {
        try (PointerScope scope = new PointerScope()) {
            return a.to(ScalarType.Float).abs().max().item().toDouble();
        }
    }

    /**
     * The README's tolerance, {@code max|a-b| <= 1e-4 * max(1, max|ref|)}; prints the error so test logs show it.
     *
     * @return the ratio error / tolerance
     */
    static double assertClose(Tensor actual, Tensor reference, String what) {
        assertEquals(List.of(box(reference.shape())), List.of(box(actual.shape())), what + ": shape");
        double err = maxAbsDiff(actual, reference);
        double tol = 1e-4 * Math.max(1.0, maxAbs(reference));
        System.out.printf("[unet] %-40s max|a-b| = %.3e  tolerance %.3e  (%.4f of it)%n", what, err, tol, err / tol);
        assertTrue(err <= tol, what + ": max|a-b| = " + err + " > " + tol);
        return err / tol;
    }

    private static Long[] box(long[] a) {
        Long[] out = new Long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    /** A {@code *_keys.tsv} manifest (name, dtype, shape as {@code AxBxC} or {@code scalar}) as a shape source. */
    static ShapeSource readKeysTsv(String file) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(root().resolve(file))) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("name\t")) {
                    continue;
                }
                String[] cols = line.split("\t");
                String dims = cols[2].trim();
                long[] shape;
                if (dims.equals("scalar") || dims.isEmpty()) {
                    shape = new long[0];
                } else {
                    String[] parts = dims.split("x");
                    shape = new long[parts.length];
                    for (int i = 0; i < parts.length; i++) {
                        shape[i] = Long.parseLong(parts[i]);
                    }
                }
                shapes.put(cols[0], shape);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ShapeSource.of(shapes);
    }

    /** The {@code unet} object of {@code <config>} in a {@code *_configs.json}. */
    static JsonNode unetConfigJson(String file, String which) {
        try {
            return new ObjectMapper().readTree(root().resolve(file).toFile()).get(which).get("unet");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Checks every architecture field of {@code config} against ComfyUI's {@code unet_config} JSON. */
    static void assertMatchesComfy(JsonNode json, UNetConfig config) {
        assertEquals(json.get("in_channels").asInt(), config.inChannels(), "in_channels");
        assertEquals(json.get("out_channels").asInt(), config.outChannels(), "out_channels");
        assertEquals(json.get("model_channels").asInt(), config.modelChannels(), "model_channels");
        assertEquals(ints(json.get("channel_mult")), config.channelMult(), "channel_mult");
        assertEquals(ints(json.get("num_res_blocks")), config.numResBlocks(), "num_res_blocks");
        assertEquals(ints(json.get("transformer_depth")), config.transformerDepth(), "transformer_depth");
        assertEquals(json.get("transformer_depth_middle").asInt(), config.transformerDepthMiddle(),
                "transformer_depth_middle");
        assertEquals(ints(json.get("transformer_depth_output")), config.transformerDepthOutput(),
                "transformer_depth_output");
        assertEquals(json.get("context_dim").asInt(), config.contextDim(), "context_dim");
        assertEquals(json.get("use_linear_in_transformer").asBoolean(), config.useLinearProj(),
                "use_linear_in_transformer");
        assertEquals(json.get("num_heads").asInt(), config.numHeads(), "num_heads");
        assertEquals(json.get("num_head_channels").asInt(), config.numHeadChannels(), "num_head_channels");
        JsonNode adm = json.get("adm_in_channels");
        assertEquals(adm == null || adm.isNull() ? null : adm.asInt(), config.admInChannels(), "adm_in_channels");
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
