package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.Node;
import java.util.List;

/** The sampling nodes of the core pack. */
public final class SamplingNodes {

    private SamplingNodes() {
    }

    public static List<Node> all() {
        return List.of(new KSampler(), new KSamplerAdvanced(), new SamplerCustom(), new SamplerCustomAdvanced(),
                new KSamplerSelect(), new BasicScheduler(), new KarrasScheduler(), new ExponentialScheduler(),
                new SdTurboScheduler(), new SplitSigmas(), new SplitSigmasDenoise(), new FlipSigmas(),
                new CfgGuiderNode(), new BasicGuiderNode(), new RandomNoise(), new DisableNoise(),
                new SetLatentNoiseMask(), new RescaleCfg());
    }
}
