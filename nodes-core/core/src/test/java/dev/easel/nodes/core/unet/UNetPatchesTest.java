package dev.easel.nodes.core.unet;

import static dev.easel.nodes.core.unet.UnetFixtures.assertClose;
import static dev.easel.nodes.core.unet.UnetFixtures.loadUnet;
import static dev.easel.nodes.core.unet.UnetFixtures.maxAbsDiff;
import static dev.easel.nodes.core.unet.UnetFixtures.readCase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.model.StateDict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UNetPatchesTest {

    private static UNetModel unet;
    private static StateDict unetCase;
    private PointerScope scope;
    private InferenceMode inference;

    @BeforeAll
    static void load() {
        unet = loadUnet("sd15_tiny_s1234_f16.safetensors", null);
        unetCase = readCase("components/tiny_unet_b2_8x8.safetensors");
    }

    @AfterAll
    static void release() {
        unetCase.release();
        unet.release();
    }

    @BeforeEach
    void open() {
        scope = new PointerScope();
        inference = new InferenceMode();
    }

    @AfterEach
    void close() {
        inference.close();
        scope.close();
    }

    private static Tensor run(Tensor context, UNetPatches patches) {
        return unet.forward(unetCase.get("in/unet_x"), unetCase.get("in/unet_t"), context, null, patches);
    }

    private static Tensor context() {
        return unetCase.get("in/unet_context");
    }

    @Test
    void identityPatchesLeaveTheOutputBitIdentical() {
        Tensor plain = run(context(), UNetPatches.NONE);
        int[] blocks = {0};
        int[] attentions = {0};
        UNetPatches identity = UNetPatches.builder()
                .block(call -> {
                    blocks[0]++;
                    return call.proceed();
                })
                .block(BlockId.output(3), call -> call.proceed(call.h(), call.skip()))
                .skip((input, output, skip, ctx) -> skip)
                .selfAttention(call -> {
                    attentions[0]++;
                    return call.proceed(call.x(), call.context());
                })
                .crossAttention(call -> call.proceed().mul(new Scalar(1.0)))
                .crossAttention(call -> call.attend(call.toQ(call.x()), call.toK(call.context()),
                        call.toV(call.context())))
                .build();
        Tensor patched = run(context(), identity);
        assertTrue(torch.equal(plain, patched), "identity patches changed the output by " + maxAbsDiff(plain, patched));
        assertEquals(12 + 1 + 12, blocks[0], "every block passes through the block patch once");
        assertEquals(6 + 1 + 9, attentions[0], "one self-attention per transformer (6 in, middle, 9 out)");
    }

    @Test
    void zeroScaledCrossAttentionEqualsAZeroContext() {
        // attn2 has no k/v bias, so a zero context gives v = 0 and an attention output of exactly 0 before to_out:
        // the same as scaling the attention result by 0
        UNetPatches mute = UNetPatches.builder()
                .crossAttention(call -> {
                    assertTrue(call.site().cross());
                    assertEquals(77, call.context().size(1));
                    return call.proceed().mul(new Scalar(0.0));
                })
                .build();
        Tensor muted = run(context(), mute);
        Tensor zeroContext = run(torch.zeros_like(context()), UNetPatches.NONE);
        assertTrue(torch.equal(muted, zeroContext), "differs by " + maxAbsDiff(muted, zeroContext));
        assertTrue(maxAbsDiff(muted, run(context(), UNetPatches.NONE)) > 1e-3, "the patch has an effect");
    }

    @Test
    void controlNetResidualsThroughSkipAndMiddlePatchesMatchTheReference() {
        for (String file : List.of("controlnet/cn_b1_8x8_cfg1.safetensors",
                "controlnet/cn_b1_8x12_cfg4_hint50x90.safetensors")) {
            StateDict c = readCase(file);
            try {
                Tensor x = c.get("out/pass0/x");
                Tensor sigma = c.get("out/pass0/sigma");
                Tensor ctx = c.get("out/pass0/context");
                UNetPatches control = UNetPatches.builder()
                        .skip((input, output, skip, fc) ->
                                skip.add(c.get(String.format("out/pass0/control_output_%02d", input))))
                        .block(BlockId.MIDDLE, call -> call.proceed().add(c.get("out/pass0/control_middle_0")))
                        .build();
                UNetDenoiser denoiser = UNetDenoiser.sd1(unet);
                Tensor sv = sigma.reshape(-1, 1, 1, 1);
                Tensor xIn = x.div(sv.mul(sv).add(new Scalar(1.0)).sqrt());
                Tensor t = denoiser.timestep(sigma);
                assertClose(unet.forward(xIn, t, ctx, null, control), c.get("out/pass0/unet_eps"), file + " eps");
                assertClose(unet.forward(xIn, t, ctx), c.get("out/pass0/unet_eps_nocontrol"),
                        file + " eps, no control");
                assertClose(denoiser.denoise(x, sigma, ctx, null, control), c.get("out/pass0/denoised"),
                        file + " denoised");
            } finally {
                c.release();
            }
        }
    }

    @Test
    void deepCacheStyleBlockSkippingReusesACachedFeatureBitIdentically() {
        // full step: remember what enters output block 9 (the first block of the top level); partial step: run only
        // input blocks 0-2 and output blocks 9-11, feed the cached feature in (DeepCache, Ma et al. 2024)
        Map<String, Tensor> cache = new HashMap<>();
        UNetPatches record = UNetPatches.builder()
                .block(BlockId.output(9), call -> {
                    Tensor kept = new Tensor(call.h());
                    kept.retainReference(); // outlives the block's scope
                    cache.put("h9", kept);
                    return call.proceed();
                })
                .build();
        Tensor full = run(context(), record);
        List<BlockId> ran = new ArrayList<>();
        UNetPatches retrieve = UNetPatches.builder()
                .block(call -> {
                    BlockId id = call.block();
                    boolean deep = switch (id.stage()) {
                        case INPUT -> id.index() > 2;
                        case MIDDLE -> true;
                        case OUTPUT -> id.index() < 9;
                    };
                    if (deep) {
                        return call.h(); // skipped: nothing consumes it
                    }
                    ran.add(id);
                    return call.proceed(id.equals(BlockId.output(9)) ? cache.get("h9") : call.h());
                })
                .build();
        Tensor partial = run(context(), retrieve);
        assertTrue(torch.equal(full, partial), "differs by " + maxAbsDiff(full, partial));
        assertEquals(List.of(BlockId.input(0), BlockId.input(1), BlockId.input(2), BlockId.output(9),
                BlockId.output(10), BlockId.output(11)), ran);
        Tensor kept = cache.get("h9");
        assertSame(kept, cache.remove("h9"));
        kept.releaseReference();
    }
}
