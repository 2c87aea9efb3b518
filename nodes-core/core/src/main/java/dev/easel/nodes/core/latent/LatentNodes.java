package dev.easel.nodes.core.latent;

import dev.easel.node.Node;
import java.util.List;

/** The latent nodes of the core pack. */
public final class LatentNodes {

    /** ComfyUI's MAX_RESOLUTION. */
    static final long MAX_RESOLUTION = 16384;

    private LatentNodes() {
    }

    public static List<Node> all() {
        return List.of(new EmptyLatentImage(), new LatentUpscale(), new LatentUpscaleBy());
    }
}
