package dev.easel.nodes.core.image;

import dev.easel.node.Folders;
import dev.easel.node.Node;
import java.util.List;

/** The image nodes of the core pack. */
public final class ImageNodes {

    /** ComfyUI's {@code MAX_RESOLUTION}. */
    public static final long MAX_RESOLUTION = 16384;

    private ImageNodes() {
    }

    public static List<Node> all() {
        return List.of(new EmptyImage(), new ImageInvert(), new ImageBlend(), new ImageScale(), new ImageScaleBy());
    }

    /** The nodes that read images from an instance's folders. */
    public static List<Node> loaders(Folders folders) {
        return List.of(new LoadImage(folders), new LoadImageMask(folders));
    }
}
