package dev.easel.trainer.model;

import dev.easel.nodes.core.clip.ClipTextModel;
import dev.easel.nodes.core.unet.UNetConfig;
import dev.easel.nodes.core.vae.VaeConfig;
import dev.easel.trainer.model.ParamSpec.Init;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainable weights of an SD1.x single-file checkpoint for a given {@link TinySdConfig}, with the exact key names
 * real SD1.5 files use ({@code first_stage_model.*}, {@code cond_stage_model.transformer.text_model.*},
 * {@code model.diffusion_model.*}) and the block structure the core pack's {@code UNetModel}, {@code AutoencoderKL}
 * and {@code ClipTextModel} read.
 */
public final class Sd1Layout {

    public static final String UNET_PREFIX = "model.diffusion_model.";
    public static final String VAE_PREFIX = "first_stage_model.";
    public static final String CLIP_PREFIX = "cond_stage_model.transformer.text_model.";
    /** The text encoder's {@code arange(77)} buffer, present in real SD1.x files (not a parameter). */
    public static final String POSITION_IDS = CLIP_PREFIX + "embeddings.position_ids";

    private Sd1Layout() {
    }

    /** The VAE's weights (LDM KL-f8 autoencoder, no attention at resolution levels). */
    public static List<ParamSpec> vae(VaeConfig c) {
        Specs s = new Specs(VAE_PREFIX);
        int top = c.channels(c.levels() - 1);
        s.conv("encoder.conv_in", c.inChannels(), c.ch(), 3, false);
        int in = c.ch();
        for (int i = 0; i < c.levels(); i++) {
            int width = c.channels(i);
            for (int j = 0; j < c.numResBlocks(); j++) {
                s.vaeRes("encoder.down." + i + ".block." + j, in, width);
                in = width;
            }
            if (i != c.levels() - 1) {
                s.conv("encoder.down." + i + ".downsample.conv", width, width, 3, false);
            }
        }
        s.vaeMid("encoder.mid", top);
        s.norm("encoder.norm_out", top);
        s.conv("encoder.conv_out", top, 2 * c.zChannels(), 3, false);
        s.conv("quant_conv", 2 * c.zChannels(), 2 * c.embedDim(), 1, false);
        s.conv("post_quant_conv", c.embedDim(), c.zChannels(), 1, false);
        s.conv("decoder.conv_in", c.zChannels(), top, 3, false);
        s.vaeMid("decoder.mid", top);
        in = top;
        for (int i = c.levels() - 1; i >= 0; i--) {
            int width = c.channels(i);
            for (int j = 0; j <= c.numResBlocks(); j++) {
                s.vaeRes("decoder.up." + i + ".block." + j, in, width);
                in = width;
            }
            if (i != 0) {
                s.conv("decoder.up." + i + ".upsample.conv", width, width, 3, false);
            }
        }
        s.norm("decoder.norm_out", c.channels(0));
        s.conv("decoder.conv_out", c.channels(0), c.outChannels(), 3, false);
        return s.out;
    }

    /** The CLIP text transformer's weights (transformers {@code CLIPTextModel} names). */
    public static List<ParamSpec> clip(ClipTextModel.Config c) {
        Specs s = new Specs(CLIP_PREFIX);
        s.add("embeddings.token_embedding.weight", Init.TOKEN_EMBEDDING, c.vocab(), c.width());
        s.add("embeddings.position_embedding.weight", Init.POSITION_EMBEDDING, c.positions(), c.width());
        for (int i = 0; i < c.layers(); i++) {
            String p = "encoder.layers." + i + ".";
            s.norm(p + "layer_norm1", c.width());
            for (String proj : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                s.linear(p + "self_attn." + proj, c.width(), c.width(), true, false);
            }
            s.norm(p + "layer_norm2", c.width());
            s.linear(p + "mlp.fc1", c.width(), c.intermediate(), true, false);
            s.linear(p + "mlp.fc2", c.intermediate(), c.width(), true, false);
        }
        s.norm("final_layer_norm", c.width());
        return s.out;
    }

    /**
     * The UNet's weights, block by block in the order {@code UNetModel} builds them. As in LDM, the output conv
     * ({@code out.2}), each ResBlock's last conv ({@code out_layers.3}) and each SpatialTransformer's {@code proj_out}
     * start at zero ({@code zero_module}), so a fresh UNet is the identity on its residual paths and predicts 0.
     */
    public static List<ParamSpec> unet(UNetConfig c) {
        if (c.useLinearProj() || c.admInChannels() != null) {
            throw new IllegalArgumentException("only the SD1.x UNet layout is supported: " + c);
        }
        Specs s = new Specs(UNET_PREFIX);
        int mc = c.modelChannels();
        int temb = c.timeEmbedDim();
        s.linear("time_embed.0", mc, temb, true, false);
        s.linear("time_embed.2", temb, temb, true, false);
        s.conv("input_blocks.0.0", c.inChannels(), mc, 3, false);
        List<Integer> skips = new ArrayList<>();
        skips.add(mc);
        int ch = mc;
        int block = 1;
        int k = 0;
        for (int level = 0; level < c.levels(); level++) {
            int out = c.channels(level);
            for (int r = 0; r < c.numResBlocks().get(level); r++) {
                String p = "input_blocks." + block++ + ".";
                s.unetRes(p + "0", ch, out, temb);
                ch = out;
                int depth = c.transformerDepth().get(k++);
                if (depth > 0) {
                    s.transformer(p + "1", ch, depth, c.contextDim());
                }
                skips.add(ch);
            }
            if (level != c.levels() - 1) {
                s.conv("input_blocks." + block++ + ".0.op", ch, ch, 3, false);
                skips.add(ch);
            }
        }
        if (c.transformerDepthMiddle() >= -1) {
            s.unetRes("middle_block.0", ch, ch, temb);
            if (c.transformerDepthMiddle() >= 0) {
                s.transformer("middle_block.1", ch, c.transformerDepthMiddle(), c.contextDim());
                s.unetRes("middle_block.2", ch, ch, temb);
            }
        }
        int index = 0;
        for (int level = c.levels() - 1; level >= 0; level--) {
            int out = c.channels(level);
            int n = c.numResBlocks().get(level) + 1;
            for (int i = 0; i < n; i++) {
                String p = "output_blocks." + index + ".";
                int skip = skips.remove(skips.size() - 1);
                s.unetRes(p + "0", ch + skip, out, temb);
                ch = out;
                int depth = c.outputDepth(index);
                if (depth > 0) {
                    s.transformer(p + "1", ch, depth, c.contextDim());
                }
                if (level > 0 && i == n - 1) {
                    s.conv(p + (depth > 0 ? "2" : "1") + ".conv", ch, ch, 3, false);
                }
                index++;
            }
        }
        s.norm("out.0", mc);
        s.conv("out.2", mc, c.outChannels(), 3, true);
        return s.out;
    }

    /** All three parts: VAE, text encoder, UNet. */
    public static List<ParamSpec> all(TinySdConfig config) {
        List<ParamSpec> all = new ArrayList<>(vae(config.vae()));
        all.addAll(clip(config.clip()));
        all.addAll(unet(config.unet()));
        return all;
    }

    /** Collects specs under a key prefix. */
    private static final class Specs {
        private final String prefix;
        private final List<ParamSpec> out = new ArrayList<>();

        Specs(String prefix) {
            this.prefix = prefix;
        }

        void add(String name, Init init, long... shape) {
            out.add(new ParamSpec(prefix + name, shape, init));
        }

        void conv(String p, long in, long outCh, long k, boolean zero) {
            add(p + ".weight", zero ? Init.ZEROS : Init.KAIMING_UNIFORM, outCh, in, k, k);
            add(p + ".bias", Init.ZEROS, outCh);
        }

        void linear(String p, long in, long outF, boolean bias, boolean zero) {
            add(p + ".weight", zero ? Init.ZEROS : Init.KAIMING_UNIFORM, outF, in);
            if (bias) {
                add(p + ".bias", Init.ZEROS, outF);
            }
        }

        void norm(String p, long c) {
            add(p + ".weight", Init.ONES, c);
            add(p + ".bias", Init.ZEROS, c);
        }

        void vaeRes(String p, int in, int width) {
            norm(p + ".norm1", in);
            conv(p + ".conv1", in, width, 3, false);
            norm(p + ".norm2", width);
            conv(p + ".conv2", width, width, 3, false);
            if (in != width) {
                conv(p + ".nin_shortcut", in, width, 1, false);
            }
        }

        void vaeMid(String p, int c) {
            vaeRes(p + ".block_1", c, c);
            norm(p + ".attn_1.norm", c);
            for (String proj : List.of("q", "k", "v", "proj_out")) {
                conv(p + ".attn_1." + proj, c, c, 1, false);
            }
            vaeRes(p + ".block_2", c, c);
        }

        void unetRes(String p, int in, int width, int temb) {
            norm(p + ".in_layers.0", in);
            conv(p + ".in_layers.2", in, width, 3, false);
            linear(p + ".emb_layers.1", temb, width, true, false);
            norm(p + ".out_layers.0", width);
            conv(p + ".out_layers.3", width, width, 3, true);
            if (in != width) {
                conv(p + ".skip_connection", in, width, 1, false);
            }
        }

        /** SD1.x SpatialTransformer: 1×1-conv projections, self- and cross-attention, GEGLU feed-forward. */
        void transformer(String p, int ch, int depth, int context) {
            norm(p + ".norm", ch);
            conv(p + ".proj_in", ch, ch, 1, false);
            for (int d = 0; d < depth; d++) {
                String b = p + ".transformer_blocks." + d + ".";
                for (String a : List.of("attn1", "attn2")) {
                    int kv = a.equals("attn1") ? ch : context;
                    linear(b + a + ".to_q", ch, ch, false, false);
                    linear(b + a + ".to_k", kv, ch, false, false);
                    linear(b + a + ".to_v", kv, ch, false, false);
                    linear(b + a + ".to_out.0", ch, ch, true, false);
                }
                linear(b + "ff.net.0.proj", ch, 8 * ch, true, false); // GEGLU: value and gate, 4·ch each
                linear(b + "ff.net.2", 4 * ch, ch, true, false);
                norm(b + "norm1", ch);
                norm(b + "norm2", ch);
                norm(b + "norm3", ch);
            }
            conv(p + ".proj_out", ch, ch, 1, true);
        }
    }
}
