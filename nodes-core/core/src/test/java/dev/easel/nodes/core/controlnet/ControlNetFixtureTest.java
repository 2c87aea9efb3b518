package dev.easel.nodes.core.controlnet;

import static dev.easel.nodes.core.controlnet.ControlNetFixtures.assertClose;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.nodes.core.sampling.guidance.CfgGuider;
import dev.easel.nodes.core.sd.CheckpointLoading;
import dev.easel.nodes.core.sd.DiffusionModel;
import dev.easel.nodes.core.unet.UNetDenoiser;
import dev.easel.nodes.core.unet.UNetPatches;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.runtime.TensorRef;
import dev.easel.runtime.Torch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Every case of the ControlNet fixtures ({@code controlnet/index.json}) at its tolerance: the resized hint, each
 * pass's residuals, the UNet output with the residuals, and the guided denoised result through {@link CfgGuider}.
 */
class ControlNetFixtureTest {

    private static CheckpointLoading.Parts parts;
    private static ControlNetModel net;

    @BeforeAll
    static void load() throws IOException {
        Torch.load();
        parts = CheckpointLoading.load(ControlNetFixtures.checkpoint(), ScalarType.Float);
        net = ControlNetModel.load(ControlNetFixtures.controlNet(), ScalarType.Float);
    }

    @AfterAll
    static void release() {
        if (parts != null) {
            parts.model().release();
            parts.clip().release();
            parts.vae().release();
        }
        if (net != null) {
            net.release();
        }
        System.out.println("ControlNet fixture errors: " + ControlNetFixtures.ERRORS);
    }

    static Stream<String> cases() throws IOException {
        return ControlNetFixtures.cases().stream().map(c -> c.get("case").asText());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesTheReference(String name) throws IOException {
        JsonNode c = ControlNetFixtures.caseNamed(name);
        JsonNode info = c.get("info");
        double strength = info.get("strength").asDouble();
        DiffusionModel model = parts.model();
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Map<String, Tensor> t = ControlNetFixtures.tensors(c);
            Tensor x = t.get("in/x");
            Tensor image = t.get("in/hint_image");
            long h = x.size(2);
            long w = x.size(3);
            assertClose(t.get("out/hint_resized"), HintImage.resize(image, h, w), name + " hint_resized");

            ControlApplication applied = ControlApplication.of(net, TensorRef.of(image.clone()), strength,
                    info.get("start_percent").asDouble(), info.get("end_percent").asDouble(), null);
            try {
                UNetDenoiser denoiser = model.denoiser();
                for (JsonNode pass : info.get("passes")) {
                    String p = "out/pass" + pass.get("index").asInt() + "/";
                    Tensor px = t.get(p + "x");
                    Tensor sigma = t.get(p + "sigma");
                    Tensor sv = sigma.reshape(-1, 1, 1, 1);
                    Tensor xIn = px.div(sv.mul(sv).add(new Scalar(1.0)).sqrt());
                    Tensor steps = denoiser.timestep(sigma);
                    Tensor context = t.get(p + "context");
                    int chunks = pass.get("cond_or_uncond").size();

                    Tensor hint = applied.hint(h, w, x.size(0), x);
                    ControlNetModel.Residuals r = net.forward(model.unet().config(), xIn,
                            chunks > 1 ? hint.repeat(chunks, 1, 1, 1) : hint, steps, context, null, strength);
                    for (int i = 0; i < r.outputs().size(); i++) {
                        String key = String.format("control_output_%02d", i);
                        assertClose(t.get(p + key), r.outputs().get(i), name + " " + p + key);
                    }
                    assertClose(t.get(p + "control_middle_0"), r.middle(), name + " " + p + "control_middle_0");

                    List<ControlApplication> perChunk = new ArrayList<>();
                    for (int k = 0; k < chunks; k++) {
                        perChunk.add(applied);
                    }
                    try (ControlPatches controls = ControlPatches.forBatch(model, perChunk, x.size(0),
                            sigma.get(0).item().toDouble())) {
                        Tensor eps = model.unet().forward(xIn, steps, context, null, controls.patches());
                        assertClose(t.get(p + "unet_eps"), eps, name + " " + p + "unet_eps");
                    }
                    Tensor plain = model.unet().forward(xIn, steps, context, null, UNetPatches.NONE);
                    assertClose(t.get(p + "unet_eps_nocontrol"), plain, name + " " + p + "unet_eps_nocontrol");
                }

                Conditioning positive = withControl(t.get("out/cond_positive"), applied);
                Conditioning negative = withControl(t.get("out/cond_negative"), applied);
                CfgGuider guider = new CfgGuider(model, positive, negative, info.get("cfg").asDouble());
                try {
                    Tensor denoised = guider.denoiser(false).denoise(x, t.get("in/sigma").item().toDouble());
                    assertClose(t.get("out/denoised"), denoised, name + " denoised");
                } finally {
                    guider.release();
                }
                CfgGuider plain = new CfgGuider(model, withControl(t.get("out/cond_positive"), null),
                        withControl(t.get("out/cond_negative"), null), info.get("cfg").asDouble());
                try {
                    Tensor denoised = plain.denoiser(false).denoise(x, t.get("in/sigma").item().toDouble());
                    assertClose(t.get("out/denoised_nocontrol"), denoised, name + " denoised_nocontrol");
                } finally {
                    plain.release();
                }
            } finally {
                applied.release();
            }
        }
    }

    /** A one-entry conditioning with {@code control} (or none); its tensors belong to the test's scope. */
    static Conditioning withControl(Tensor cond, ControlApplication control) {
        Conditioning plain = Conditioning.of(TensorRef.of(cond.clone()), null);
        return control == null ? plain : Conditioning.of(List.of(plain.entries().get(0)
                .with(ControlPatches.CONTROL, control)));
    }
}
